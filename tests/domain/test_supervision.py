"""督办 — supervision orders (issue 3): a leader orders follow-through on a case as a yellow or
red card (``supervise`` → ``Supervised``); the officers answer (``answer-supervision`` →
``SupervisionAnswered``). Answering with no open order is refused, and so is closing a case while
an order is unanswered (closure condition 6)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from disputes.cli.exits import exit_code
from disputes.domain.application import DisputesApp
from disputes.domain.errors import (
    ClosureRefused,
    InvalidInputs,
    NoOpenSupervision,
    RoleNotAllowed,
    WrongStatus,
)
from disputes.domain.model import Dispute
from tests.domain.support import (
    AUXILIARY,
    GRID,
    LEADER,
    OTHER_LEADER,
    POLICE,
    Driver,
    day,
    dispute_events,
    own_fields,
)


def supervise(
    d: Driver, case: str, level: str = "yellow-card", *, actor: str = OTHER_LEADER, **kw: Any
) -> list[object]:
    before = d.position()
    d.do("supervise", case=case, actor=actor, level=level, note="三日内走访并报告", **kw)
    return d.stored_since(before)


def answer(d: Driver, case: str, *, actor: str = POLICE, **kw: Any) -> list[object]:
    before = d.position()
    d.do("answer-supervision", case=case, actor=actor, note="已走访，双方情绪稳定", **kw)
    return d.stored_since(before)


# -- ordering ----------------------------------------------------------------------------------


def test_a_leader_orders_supervision_on_an_open_case(d: Driver, app: DisputesApp) -> None:
    case = d.opened("yellow")
    events = dispute_events(supervise(d, case, "red-card"))
    assert [type(e) for e in events] == [Dispute.Supervised]
    assert own_fields(events[0]) == {"order": 1, "level": "red-card", "note": "三日内走访并报告"}
    assert events[0].actor == OTHER_LEADER
    (order,) = app.get_case(case).open_supervisions
    assert (order["order"], order["level"], order["actor"]) == (1, "red-card", OTHER_LEADER)


def test_any_leader_may_supervise_not_only_the_responsible_one(d: Driver) -> None:
    case = d.opened()
    assert dispute_events(supervise(d, case, actor=LEADER))
    assert dispute_events(supervise(d, case, actor=OTHER_LEADER))


def test_orders_are_numbered_per_case(d: Driver, app: DisputesApp) -> None:
    case = d.opened()
    supervise(d, case, "yellow-card")
    events = dispute_events(supervise(d, case, "red-card"))
    assert events[0].order == 2
    assert [o["order"] for o in app.get_case(case).open_supervisions] == [1, 2]


def test_an_observing_case_may_be_supervised(d: Driver) -> None:
    case = d.observing()
    assert dispute_events(supervise(d, case))


@pytest.mark.parametrize("actor", [POLICE, AUXILIARY, GRID])
def test_only_a_leader_may_supervise(d: Driver, actor: str) -> None:
    case = d.opened()
    with d.nothing_stored(), pytest.raises(RoleNotAllowed) as refusal:
        supervise(d, case, actor=actor)
    assert exit_code(refusal.value) == 1
    assert "may not supervise" in refusal.value.message


def test_a_reported_case_is_not_yet_supervised(d: Driver) -> None:
    case = d.reported()
    with d.nothing_stored(), pytest.raises(WrongStatus):
        supervise(d, case)


def test_a_closed_case_is_not_supervised(d: Driver) -> None:
    case = d.closed()
    with d.nothing_stored(), pytest.raises(WrongStatus):
        supervise(d, case)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"level": "orange-card", "note": "x"}, "level"),
        ({"level": "red-card", "note": " "}, "note"),
    ],
)
def test_level_and_note_are_checked(d: Driver, args: dict[str, str], field: str) -> None:
    case = d.opened()
    with pytest.raises(InvalidInputs) as refusal:
        d.command("supervise", actor=LEADER, case=case, **args)
    assert [name for name, _ in refusal.value.errors] == [field]


# -- answering ---------------------------------------------------------------------------------


def test_the_answer_closes_every_open_order(d: Driver, app: DisputesApp) -> None:
    case = d.opened()
    supervise(d, case, "yellow-card")
    supervise(d, case, "red-card")
    events = dispute_events(answer(d, case, actor=AUXILIARY))
    assert [type(e) for e in events] == [Dispute.SupervisionAnswered]
    assert own_fields(events[0]) == {"orders": [1, 2], "note": "已走访，双方情绪稳定"}
    dispute = app.get_case(case)
    assert dispute.open_supervisions == []
    assert [o["answered_by"] for o in dispute.supervisions] == [AUXILIARY, AUXILIARY]


def test_a_later_order_needs_its_own_answer(d: Driver, app: DisputesApp) -> None:
    case = d.opened()
    supervise(d, case)
    answer(d, case)
    supervise(d, case, "red-card")
    events = dispute_events(answer(d, case))
    assert events[0].orders == [2]
    assert app.get_case(case).open_supervisions == []


def test_answering_with_no_open_order_is_refused(d: Driver) -> None:
    case = d.opened()
    with d.nothing_stored(), pytest.raises(NoOpenSupervision) as refusal:
        answer(d, case)
    assert exit_code(refusal.value) == 1
    assert "no open supervision order" in refusal.value.message


def test_answering_twice_is_refused(d: Driver) -> None:
    case = d.opened()
    supervise(d, case)
    answer(d, case)
    with d.nothing_stored(), pytest.raises(NoOpenSupervision):
        answer(d, case)


def test_a_grid_worker_does_not_answer(d: Driver) -> None:
    case = d.opened()
    supervise(d, case)
    with d.nothing_stored(), pytest.raises(RoleNotAllowed):
        answer(d, case, actor=GRID)


def test_a_retried_order_records_nothing_new(d: Driver) -> None:
    case = d.opened()
    first = supervise(d, case, command_id="order-7")
    again = supervise(d, case, command_id="order-7")
    assert len(dispute_events(first)) == 1
    assert again == []


# -- closure condition 6 -----------------------------------------------------------------------


def settled(d: Driver) -> tuple[str, datetime]:
    """A case resolved for 30 days, followed up after 15, closable at resolution + 30 days."""
    case = d.opened()
    resolved = day(2)
    d.act("resolve", case, at=resolved, observe_days=30)
    d.act("follow-up", case, at=resolved + timedelta(days=15))
    return case, resolved + timedelta(days=30)


def test_closure_is_refused_while_an_order_is_unanswered(d: Driver) -> None:
    case, closable = settled(d)
    supervise(d, case, "red-card", at=closable - timedelta(days=1))
    with d.nothing_stored(), pytest.raises(ClosureRefused) as refusal:
        d.act("close", case, actor=LEADER, at=closable)
    assert len(refusal.value.failures) == 1
    failure = refusal.value.failures[0]
    assert failure.startswith("6. ")
    assert "1 (red-card by L-WD-02)" in failure


def test_condition_6_is_listed_with_the_others(d: Driver) -> None:
    case = d.opened()
    supervise(d, case)
    with pytest.raises(ClosureRefused) as refusal:
        d.act("close", case, actor=OTHER_LEADER)
    assert [f.split(".", 1)[0] for f in refusal.value.failures] == ["1", "2", "5", "6"]


def test_once_answered_the_case_may_be_closed(d: Driver) -> None:
    case, closable = settled(d)
    supervise(d, case, at=closable - timedelta(days=2))
    answer(d, case, at=closable - timedelta(days=1))
    assert d.act("close", case, actor=LEADER, at=closable).status == "closed"


def test_an_order_survives_a_relapse(d: Driver, app: DisputesApp) -> None:
    case = d.observing()
    supervise(d, case)
    d.act("relapse", case, grade="yellow")
    assert [o["order"] for o in app.get_case(case).open_supervisions] == [1]
