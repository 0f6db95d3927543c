"""product.md §2 'who may': grid workers only report; grading is for community police and leaders;
assigning and deliberating for leaders; downgrade and close for the case's responsible leader;
everything else for the police roles (leader, community police, auxiliary police)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from disputes.domain.errors import (
    ClosureRefused,
    NotResponsibleLeader,
    RoleNotAllowed,
    RuleViolation,
)
from tests.domain.support import (
    AUXILIARY,
    GRID,
    LEADER,
    OTHER_LEADER,
    POLICE,
    ROLE_OF,
    Driver,
    day,
)

ALL = {"leader", "community-police", "auxiliary-police", "grid-worker"}
POLICE_ROLES = {"leader", "community-police", "auxiliary-police"}

Setup = Callable[[Driver], tuple[str | None, dict[str, Any]]]


def _none(d: Driver) -> tuple[str | None, dict[str, Any]]:
    del d
    return None, {}


def _reported(d: Driver) -> tuple[str | None, dict[str, Any]]:
    return d.reported(), {}


def _open_red(d: Driver) -> tuple[str | None, dict[str, Any]]:
    return d.opened("red"), {}


def _open_yellow(d: Driver) -> tuple[str | None, dict[str, Any]]:
    return d.opened("yellow"), {}


def _referred(d: Driver) -> tuple[str | None, dict[str, Any]]:
    case = d.opened()
    d.act("refer", case)
    return case, {}


def _observing(d: Driver) -> tuple[str | None, dict[str, Any]]:
    return d.observing(), {}


def _closable(d: Driver) -> tuple[str | None, dict[str, Any]]:
    case = d.opened()
    d.act("resolve", case, at=day(1), observe_days=30)
    d.act("follow-up", case, at=day(20))
    return case, {"at": day(31)}


# verb → (given, roles that may)
WHO_MAY: dict[str, tuple[Setup, set[str]]] = {
    "report": (_none, ALL),
    "grade": (_reported, {"leader", "community-police"}),
    "assign": (_open_red, {"leader"}),
    "deliberate": (_open_red, {"leader"}),
    "visit": (_open_red, POLICE_ROLES),
    "mediate": (_open_red, POLICE_ROLES),
    "refer": (_open_red, POLICE_ROLES),
    "receipt": (_referred, POLICE_ROLES),
    "escalate": (_open_yellow, POLICE_ROLES),
    "downgrade": (_open_red, {"leader"}),  # the responsible leader, LEADER
    "resolve": (_open_red, POLICE_ROLES),
    "follow-up": (_observing, POLICE_ROLES),
    "relapse": (_observing, POLICE_ROLES),
    "close": (_closable, {"leader"}),  # the responsible leader, LEADER
}

CASES = [
    pytest.param(verb, person, ROLE_OF[person] in allowed, id=f"{verb}-{ROLE_OF[person]}")
    for verb, (_, allowed) in WHO_MAY.items()
    for person in (LEADER, POLICE, AUXILIARY, GRID)
]


@pytest.mark.parametrize(("verb", "person", "allowed"), CASES)
def test_who_may_issue_each_verb(d: Driver, verb: str, person: str, allowed: bool) -> None:
    setup, _ = WHO_MAY[verb]
    case, extra = setup(d)
    if allowed:
        outcome = d.act(verb, case, actor=person, **extra)
        assert outcome.event is not None
        assert not outcome.duplicate
        return
    with d.nothing_stored(), pytest.raises(RuleViolation) as refused:
        d.act(verb, case, actor=person, **extra)
    if person == GRID or verb not in ("downgrade", "close"):
        # A role the verb never allows: the role rule names the actor, role and verb.
        assert refused.type is RoleNotAllowed
        assert person in str(refused.value)
        assert ROLE_OF[person] in str(refused.value)
        assert verb in str(refused.value)


def test_the_role_rule_is_checked_before_the_case_exists(d: Driver) -> None:
    """A grid worker grading an unknown case is refused for the role, not 'not found'."""
    with d.nothing_stored(), pytest.raises(RoleNotAllowed):
        d.act("grade", "HY-2021-0999", actor=GRID)


def test_downgrade_by_another_leader_is_refused(d: Driver) -> None:
    case = d.opened("red")  # responsible leader: LEADER
    with d.nothing_stored(), pytest.raises(NotResponsibleLeader) as refused:
        d.act("downgrade", case, actor=OTHER_LEADER)
    assert LEADER in str(refused.value)
    assert OTHER_LEADER in str(refused.value)


def test_downgrade_of_an_unassigned_case_is_refused(d: Driver) -> None:
    case = d.opened("red", assign=False)
    with d.nothing_stored(), pytest.raises(NotResponsibleLeader):
        d.act("downgrade", case, actor=LEADER)


def test_after_a_hand_over_only_the_new_leader_may_downgrade(d: Driver) -> None:
    case = d.opened("red")
    d.act("assign", case, actor=LEADER, leader=OTHER_LEADER, officer=POLICE)
    with d.nothing_stored(), pytest.raises(NotResponsibleLeader):
        d.act("downgrade", case, actor=LEADER)
    assert d.act("downgrade", case, actor=OTHER_LEADER).grade == "yellow"


def test_close_by_a_police_officer_who_is_not_the_leader_names_the_leader_rule(
    d: Driver,
) -> None:
    case, extra = _closable(d)
    with d.nothing_stored(), pytest.raises(ClosureRefused) as refused:
        d.act("close", case, actor=POLICE, **extra)
    assert [f[:2] for f in refused.value.failures] == ["5."]


def test_any_leader_may_assign_not_only_the_responsible_one(d: Driver) -> None:
    case = d.opened()
    outcome = d.act(
        "assign",
        case,
        actor=OTHER_LEADER,
        leader=LEADER,
        officer=AUXILIARY,
        at=d.last_at + timedelta(hours=1),
    )
    assert outcome.event == "Assigned"
