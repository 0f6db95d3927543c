"""product.md §2 'allowed when': each verb in each status/grade — recorded where the table allows
it, refused (naming the rule, storing nothing) everywhere else. Plus the time rule: an occurred
time may not lie before the previous event of the same case."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from disputes.cli.exits import exit_code
from disputes.domain.application import DisputesApp
from disputes.domain.errors import (
    CaseNotFound,
    NotAssigned,
    NotResponsibleLeader,
    OccurredOutOfOrder,
    ReferralAlreadyAnswered,
    ReferralNotFound,
    RuleViolation,
    WrongGrade,
    WrongStatus,
)
from disputes.domain.model import VERB_EVENTS
from tests.domain.support import T0, Driver, day

STATES: dict[str, Callable[[Driver], str]] = {
    "reported": lambda d: d.reported(),
    "reported-assigned": lambda d: d.act("assign", d.reported()).case_no,
    "open-yellow": lambda d: d.opened("yellow"),
    "open-red": lambda d: d.opened("red"),
    "observing": lambda d: d.observing(),
    "closed": lambda d: d.closed(),
}

ALLOWED: dict[str, set[str]] = {
    "grade": {"reported", "reported-assigned"},
    "assign": {"reported", "reported-assigned", "open-yellow", "open-red", "observing"},
    "deliberate": {"reported-assigned", "open-yellow", "open-red", "observing"},
    "visit": {"open-yellow", "open-red"},
    "mediate": {"open-yellow", "open-red"},
    "refer": {"open-yellow", "open-red"},
    "escalate": {"open-yellow"},
    "downgrade": {"open-red"},
    "resolve": {"open-yellow", "open-red"},
    "follow-up": {"observing"},
    "relapse": {"observing", "closed"},
    "outcome": {"reported", "reported-assigned", "open-yellow", "open-red", "observing", "closed"},
}
"""Where product.md §2 allows each verb (``receipt`` and ``close`` have rules of their own)."""


def _refusal(verb: str, state: str) -> type[RuleViolation]:
    """The rule that refuses ``verb`` in ``state``."""
    if verb == "deliberate" and state == "reported":
        return NotAssigned
    if verb == "downgrade" and state == "reported":
        return NotResponsibleLeader  # nobody is responsible yet
    if (verb, state) in {("escalate", "open-red"), ("downgrade", "open-yellow")}:
        return WrongGrade
    return WrongStatus


MATRIX = [
    pytest.param(verb, state, state in allowed, id=f"{verb}-in-{state}")
    for verb, allowed in ALLOWED.items()
    for state in STATES
]


@pytest.mark.parametrize(("verb", "state", "allowed"), MATRIX)
def test_verb_in_state(d: Driver, app: DisputesApp, verb: str, state: str, allowed: bool) -> None:
    case = STATES[state](d)
    version = app.get_case(case).version
    if allowed:
        outcome = d.act(verb, case)
        assert outcome.event == VERB_EVENTS[verb]
        assert outcome.version == version + 1
        return
    with d.nothing_stored(), pytest.raises(RuleViolation) as refused:
        d.act(verb, case)
    assert refused.type is _refusal(verb, state)
    assert case in str(refused.value)
    assert app.get_case(case).version == version


def test_status_refusal_names_the_verb_the_status_and_what_is_allowed(d: Driver) -> None:
    case = d.observing()
    with pytest.raises(WrongStatus) as refused:
        d.act("visit", case)
    message = str(refused.value)
    assert "visit" in message
    assert "observing" in message
    assert "open" in message


def test_a_case_is_graded_once_then_regraded_only_by_escalate_or_downgrade(d: Driver) -> None:
    case = d.opened("yellow")
    with d.nothing_stored(), pytest.raises(WrongStatus):
        d.act("grade", case, grade="red")
    assert d.act("escalate", case).grade == "red"
    assert d.act("downgrade", case).grade == "yellow"
    assert d.act("escalate", case).grade == "red"


def test_receipt_for_a_referral_that_does_not_exist_is_not_found(d: Driver) -> None:
    case = d.opened()
    d.act("refer", case)
    with d.nothing_stored(), pytest.raises(ReferralNotFound) as missing:
        d.act("receipt", case, referral=2)
    assert exit_code(missing.value) == 3
    assert "2" in str(missing.value)


def test_receipt_on_a_case_without_referrals_is_not_found(d: Driver) -> None:
    case = d.opened()
    with d.nothing_stored(), pytest.raises(ReferralNotFound):
        d.act("receipt", case, referral=1)


def test_a_referral_is_answered_once(d: Driver) -> None:
    case = d.opened()
    d.act("refer", case)
    d.act("receipt", case, referral=1, outcome="accepted")
    with d.nothing_stored(), pytest.raises(ReferralAlreadyAnswered):
        d.act("receipt", case, referral=1, outcome="handled")


def test_a_command_on_an_unknown_case_is_not_found(d: Driver) -> None:
    d.reported()
    with d.nothing_stored(), pytest.raises(CaseNotFound) as missing:
        d.act("visit", "HY-2021-0002")
    assert exit_code(missing.value) == 3


def test_occurred_time_before_the_previous_event_of_the_case_is_refused(d: Driver) -> None:
    case = d.reported(at=day(1))
    with d.nothing_stored(), pytest.raises(OccurredOutOfOrder) as refused:
        d.act("grade", case, at=day(1) - timedelta(minutes=1))
    assert exit_code(refused.value) == 1


def test_occurred_time_equal_to_the_previous_event_is_accepted(d: Driver) -> None:
    case = d.reported(at=day(1))
    assert d.act("grade", case, at=day(1)).event == "Graded"


def test_occurred_time_is_ordered_per_case_not_across_cases(d: Driver) -> None:
    late = d.reported(at=day(5))
    early = d.reported(at=day(1))
    assert d.act("grade", early, at=day(2)).event == "Graded"
    with pytest.raises(OccurredOutOfOrder):
        d.act("grade", late, at=day(4))


def test_a_refused_command_leaves_the_case_as_it_was(d: Driver, app: DisputesApp) -> None:
    case = d.opened("yellow")
    d.act("refer", case)
    state = vars(app.get_case(case)).copy()
    for verb, args in [
        ("downgrade", {}),
        ("follow-up", {}),
        ("relapse", {}),
        ("grade", {}),
        ("receipt", {"referral": 3}),
        ("visit", {"at": T0 - timedelta(days=1)}),
    ]:
        with d.nothing_stored(), pytest.raises((RuleViolation, ReferralNotFound)):
            d.act(verb, case, **args)
    assert vars(app.get_case(case)) == state
