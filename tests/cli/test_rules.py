"""Refusals by a rule (exit 1): the message names the rule, and nothing is stored."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from tests.support.driver import (
    AUX,
    CASE_VERBS,
    GRID,
    LEADER,
    OFFICER,
    OTHER_LEADER,
    Disputes,
    at,
)

if TYPE_CHECKING:
    from collections.abc import Callable

RULE = 1


def test_a_grid_worker_may_report(d: Disputes) -> None:
    assert d.report(actor=GRID) == "HY-2024-0001"


@pytest.mark.parametrize("verb", CASE_VERBS)
def test_a_grid_worker_may_do_nothing_but_report(d: Disputes, verb: str) -> None:
    case = d.open_case()
    error = d.fails(verb, case, *CASE_VERBS[verb], "--at", at(2), actor=GRID, code=RULE)
    assert "role rule" in error
    assert f"{GRID} (grid-worker) may not {verb}" in error


@pytest.mark.parametrize(
    ("verb", "actor"),
    [("grade", AUX), ("assign", OFFICER), ("assign", AUX), ("deliberate", OFFICER)],
)
def test_roles_that_may_not(d: Disputes, verb: str, actor: str) -> None:
    case = d.report()
    if verb == "deliberate":
        d.write("assign", case, "--leader", LEADER, "--officer", OFFICER, actor=LEADER, when=at(1))
    error = d.fails(verb, case, *CASE_VERBS[verb], "--at", at(2), actor=actor, code=RULE)
    assert "role rule" in error


@pytest.mark.parametrize(
    ("verb", "state", "rule"),
    [
        ("grade", "open", "status rule"),
        ("visit", "reported", "status rule"),
        ("mediate", "reported", "status rule"),
        ("refer", "observing", "status rule"),
        ("resolve", "observing", "status rule"),
        ("follow-up", "open", "status rule"),
        ("relapse", "open", "status rule"),
        ("relapse", "reported", "status rule"),
        ("escalate", "open", "grade rule"),  # the open case is red
        ("downgrade", "observing", "status rule"),
        ("deliberate", "reported", "assignment rule"),
    ],
)
def test_verbs_not_allowed_in_the_case_state(d: Disputes, verb: str, state: str, rule: str) -> None:
    builders: dict[str, Callable[[], str]] = {
        "reported": d.report,
        "open": d.open_case,
        "observing": d.observing_case,
    }
    case = builders[state]()
    versions = len(d.history(case))
    error = d.fails(verb, case, *CASE_VERBS[verb], "--at", at(5), actor=LEADER, code=RULE)
    assert rule in error
    assert case in error
    assert len(d.history(case)) == versions


def test_downgrade_only_by_the_responsible_leader(d: Disputes) -> None:
    case = d.open_case()
    error = d.fails(
        "downgrade", case, "--reason", "r", "--at", at(2), actor=OTHER_LEADER, code=RULE
    )
    assert "responsible-leader rule" in error
    assert LEADER in error


def test_a_second_receipt_for_the_same_referral(d: Disputes) -> None:
    case = d.open_case()
    d.write("refer", case, "--to", "SFS", "--reason", "r", actor=OFFICER, when=at(2))
    d.write("receipt", case, "--referral", "1", "--outcome", "accepted", actor=OFFICER, when=at(3))
    error = d.fails(
        "receipt",
        case,
        "--referral",
        "1",
        "--outcome",
        "handled",
        "--at",
        at(4),
        actor=OFFICER,
        code=RULE,
    )
    assert "receipt rule" in error


def test_a_late_visit_is_recorded_but_not_before_the_report(d: Disputes) -> None:
    """补录 (product.md §2): a visit may be placed before the case's latest event, while the
    case was open then; never before the report."""
    case = d.open_case()  # reported 2024-03-01 09:00, graded 10:00, assigned 11:00
    d.write("visit", case, actor=OFFICER, when="2024-03-01T15:00")
    d.write("visit", case, actor=OFFICER, when="2024-03-01T12:00")  # late, while open
    error = d.fails("visit", case, "--at", "2024-03-01T09:30", actor=OFFICER, code=RULE)
    assert "status rule" in error  # reported then, not open
    error = d.fails("visit", case, "--at", "2024-03-01T08:59", actor=OFFICER, code=RULE)
    assert "time rule" in error
    assert "before the report" in error


def test_a_decision_is_not_placed_before_the_latest_decision(d: Disputes) -> None:
    case = d.open_case()  # assigned (the latest decision) 2024-03-01 11:00
    d.write("visit", case, actor=OFFICER, when="2024-03-01T15:00")
    error = d.fails(
        "escalate", case, "--reason", "r", "--at", "2024-03-01T10:59", actor=OFFICER, code=RULE
    )
    assert "time rule" in error
    assert "latest decision" in error
    d.write("refer", case, "--to", "SFS", "--reason", "r", actor=OFFICER, when="2024-03-01T11:00")


def failing_conditions(error: str) -> set[int]:
    return {int(n) for n in re.findall(r"^\s*- (\d)\. ", error, flags=re.MULTILINE)}


def test_close_refused_lists_every_failing_condition(d: Disputes) -> None:
    """Observing, but: period not over (2), 40 days without a follow-up (3), a referral without
    receipt (4), and not by the responsible leader (5)."""
    case = d.open_case()
    d.write("refer", case, "--to", "SFS", "--reason", "r", actor=OFFICER, when=at(2))
    d.write(
        "resolve", case, "--agreement", "a", "--form", "oral", actor=OFFICER, when=at(3)
    )  # 180 days of observation
    error = d.fails("close", case, "--at", at(12, month=4), actor=OTHER_LEADER, code=RULE)
    assert "不化解不销案" in error
    assert failing_conditions(error) == {2, 3, 4, 5}
    assert "SFS" in error
    assert LEADER in error


def test_close_refused_on_an_open_unassigned_case(d: Disputes) -> None:
    case = d.report()
    d.write("grade", case, "--grade", "red", "--reason", "r", actor=OFFICER, when=at(2))
    error = d.fails("close", case, "--at", at(3), actor=LEADER, code=RULE)
    assert failing_conditions(error) == {1, 2, 5}
    assert "it is open" in error


def test_close_refused_after_a_gap_between_follow_ups_names_the_earliest_close(
    d: Disputes,
) -> None:
    """A gap of 41 days restarts the observation at the follow-up after it (04-30): 60 days
    from then, so not before 06-29 (condition 2), and the refusal says so."""
    case = d.observing_case(observe_days=60)  # resolved 03-02, observe until 05-01
    d.write("follow-up", case, actor=AUX, when=at(20))
    d.write("follow-up", case, actor=AUX, when=at(30, month=4))  # 41 days after the last
    error = d.fails("close", case, "--at", at(2, month=5), actor=LEADER, code=RULE)
    assert failing_conditions(error) == {2}
    assert "restarted" in error
    assert "2024-06-29" in error
    shown = d.json("show", case, "--json")
    assert shown["observe_until"].startswith("2024-06-29")


def test_close_refused_on_a_closed_case(d: Disputes) -> None:
    case = d.observing_case(observe_days=30)
    d.write("follow-up", case, actor=AUX, when=at(25))
    d.write("close", case, actor=LEADER, when=at(2, month=4))
    error = d.fails("close", case, "--at", at(3, month=4), actor=LEADER, code=RULE)
    assert 1 in failing_conditions(error)
    assert "it is closed" in error
