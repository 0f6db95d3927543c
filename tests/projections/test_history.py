"""The audit trail (product.md §5 ``history``): every event of a case in order, with occurred and
recorded time, actor, policy version, command id and the event's own fields."""

from __future__ import annotations

from datetime import timedelta

import pytest

from disputes.domain.errors import CaseNotFound, ClosureRefused
from disputes.domain.model import Dispute, dispute_id
from disputes.storage.store import Store
from tests.domain.support import AUXILIARY, LEADER, POLICE, Driver, day, own_fields
from tests.projections.support import when


def test_every_event_has_a_row_in_order(sd: Driver, store: Store) -> None:
    case = sd.opened("yellow")
    sd.act("refer", case, to="FL", reason="涉及妇女权益", actor=AUXILIARY, command_id="r-1")
    resolved = day(3)
    sd.act("resolve", case, at=resolved, observe_days=30, agreement="书面协议")

    rows = store.history(case)
    events = list(store.app.events.get(dispute_id(case)))
    assert [r["version"] for r in rows] == [1, 2, 3, 4, 5]
    assert [r["event"] for r in rows] == [
        "Reported",
        "Graded",
        "Assigned",
        "Referred",
        "Resolved",
    ]
    for row, event in zip(rows, events, strict=True):
        assert isinstance(event, Dispute.Event)
        assert row["actor"] == event.actor
        assert row["command_id"] == event.command_id
        assert row["policy_version"] == store.policy.version
        assert when(row["occurred_at"]) == event.occurred_at
        assert when(row["recorded_at"]) == event.timestamp
        assert set(row["details"]) == set(own_fields(event))

    referred = rows[3]
    assert (referred["actor"], referred["command_id"]) == (AUXILIARY, "r-1")
    assert referred["details"] == {"referral": 1, "to": "FL", "reason": "涉及妇女权益"}
    settled = rows[4]
    assert when(settled["occurred_at"]) == resolved
    assert settled["details"]["agreement"] == "书面协议"
    assert settled["details"]["observe_days"] == 30
    assert when(settled["details"]["observe_until"]) == resolved + timedelta(days=30)


def test_the_report_row_holds_the_report(sd: Driver, store: Store) -> None:
    case = sd.reported(
        summary="七旬老人反映赡养问题",
        parties=[{"name": "韩某", "role": "applicant"}],
        people_involved=5,
    )
    details = store.history(case)[0]["details"]
    assert details["case_no"] == case
    assert details["summary"] == "七旬老人反映赡养问题"
    assert details["parties"] == [{"name": "韩某", "role": "applicant"}]
    assert details["people_involved"] == 5
    assert (details["district"], details["station"], details["village"]) == ("HY", "WD", "WD-V01")


def test_the_history_keeps_both_the_closure_and_the_relapse(sd: Driver, store: Store) -> None:
    case = sd.closed()
    sd.act("relapse", case, grade="yellow", reason="再次冲突")
    events = [r["event"] for r in store.history(case)]
    assert events[-2:] == ["Closed", "Relapsed"]
    assert store.history(case)[-1]["details"] == {"grade": "yellow", "reason": "再次冲突"}


def test_refused_and_retried_commands_leave_no_row(sd: Driver, store: Store) -> None:
    case = sd.opened()
    sd.act("visit", case, command_id="v-1")
    before = store.history(case)
    with pytest.raises(ClosureRefused):
        sd.act("close", case, actor=LEADER)
    assert sd.act("visit", case, command_id="v-1").duplicate
    assert store.history(case) == before


def test_histories_of_cases_are_kept_apart(sd: Driver, store: Store) -> None:
    first = sd.opened()
    second = sd.reported()
    sd.act("visit", first, actor=POLICE)
    assert [r["event"] for r in store.history(first)] == [
        "Reported",
        "Graded",
        "Assigned",
        "Visited",
    ]
    assert [r["event"] for r in store.history(second)] == ["Reported"]


def test_the_history_of_an_unknown_case_is_not_found(sd: Driver, store: Store) -> None:
    sd.reported()
    with pytest.raises(CaseNotFound):
        store.history("HY-2021-0009")
