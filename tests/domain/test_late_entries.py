"""补录 — late entries (product.md §2, issue 10): activities may be placed before a case's later
events, where the case's status then allowed them; decisions never before the latest decision.
What depends on order is derived from occurred time, whatever order things were recorded in.

Each test: given a case's history (through the application), when one command, then the
events stored or the refusal.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from disputes.domain.application import DisputesApp
from disputes.domain.errors import (
    BeforeLatestDecision,
    BeforeReport,
    NoOpenSupervision,
    NotAssigned,
    OccurredOutOfOrder,
    WrongStatus,
)
from tests.domain.support import LEADER, NOW, T0, Driver, day, names


def test_a_visit_recorded_late_slots_in_before_a_later_visit(d: Driver, app: DisputesApp) -> None:
    case = d.opened()
    d.act("visit", case, at=day(3))
    events = d.when("visit", case, at=day(2))
    assert names(events) == ["Dispute.Visited"]
    assert app.get_case(case).last_contact_at == day(3)


def test_nothing_is_placed_before_the_report(d: Driver) -> None:
    case = d.opened()
    with d.nothing_stored(), pytest.raises(BeforeReport):
        d.act("visit", case, at=T0 - timedelta(minutes=1))


def test_a_late_activity_needs_the_status_the_case_had_then(d: Driver) -> None:
    """A visit needs the case open at its occurred time; a follow-up needs it observing."""
    case = d.reported(at=day(0))
    d.act("grade", case, at=day(1))
    d.act("resolve", case, at=day(5), observe_days=30)
    with d.nothing_stored(), pytest.raises(WrongStatus) as refused:
        d.act("visit", case, at=day(0, 12))  # still reported then
    assert "reported at" in str(refused.value)
    d.act("visit", case, at=day(3))  # open then: accepted although the case now observes
    with d.nothing_stored(), pytest.raises(WrongStatus):
        d.act("follow-up", case, at=day(4))  # open then, not observing
    assert names(d.when("follow-up", case, at=day(6))) == ["Dispute.FollowedUp"]


def test_a_decision_is_not_placed_before_the_latest_decision(d: Driver) -> None:
    case = d.opened("yellow")  # reported, graded, assigned one hour apart
    d.act("visit", case, at=day(4))
    with d.nothing_stored(), pytest.raises(BeforeLatestDecision):
        d.act("escalate", case, at=T0)
    # after the latest decision it may still precede a visit recorded earlier
    assert names(d.when("escalate", case, at=day(2))) == ["Dispute.Escalated"]


def test_a_late_follow_up_closes_a_gap_and_moves_the_window_back(
    d: Driver, app: DisputesApp
) -> None:
    """Follow-ups on days 10 and 45 (a 35-day gap) restart the window at day 45; the one on
    day 30, recorded later, closes the gap: the window runs from the resolution again."""
    case = d.observing(observe_days=60, at=day(1))
    d.act("follow-up", case, at=day(11))
    d.act("follow-up", case, at=day(46))
    assert app.get_case(case).observe_until == day(46) + timedelta(days=60)
    d.act("follow-up", case, at=day(31))
    case_now = app.get_case(case)
    assert case_now.observe_until == day(1) + timedelta(days=60)
    assert case_now.follow_ups == [day(11), day(31), day(46)]


def test_a_late_receipt_not_before_its_referral(d: Driver) -> None:
    case = d.opened()
    d.act("refer", case, at=day(2))
    d.act("visit", case, at=day(5))
    with d.nothing_stored(), pytest.raises(OccurredOutOfOrder) as refused:
        d.act("receipt", case, at=day(1))
    assert "referral 1" in str(refused.value)
    assert names(d.when("receipt", case, at=day(3))) == ["Dispute.ReceiptRecorded"]


def test_a_late_answer_answers_only_the_orders_open_then(d: Driver) -> None:
    case = d.opened()
    d.act("supervise", case, actor=LEADER, at=day(2))
    d.act("supervise", case, actor=LEADER, at=day(4), level="red-card")
    with d.nothing_stored(), pytest.raises(NoOpenSupervision):
        d.act("answer-supervision", case, at=day(1))
    events = d.when("answer-supervision", case, at=day(3))
    assert events[0].orders == [1]


def test_a_late_deliberation_needs_the_assignment_made_by_then(d: Driver) -> None:
    case = d.reported(at=day(0))
    d.act("assign", case, at=day(2))
    with d.nothing_stored(), pytest.raises(NotAssigned):
        d.act("deliberate", case, at=day(1))
    assert names(d.when("deliberate", case, at=day(2))) == ["Dispute.Deliberated"]


def test_a_time_a_little_ahead_of_the_clock_is_now_and_blocks_nobody(
    d: Driver, app: DisputesApp
) -> None:
    """A device clock four minutes fast (within the policy's five) records "now"; another
    officer's decision a minute later by the true clock is not held up."""
    case = d.reported(at=NOW - timedelta(hours=3))
    d.act("grade", case, grade="yellow", at=NOW - timedelta(hours=2))
    d.act("assign", case, at=NOW - timedelta(hours=1))
    d.act("escalate", case, at=NOW + timedelta(minutes=4))
    assert app.get_case(case).last_decision_at == NOW
    assert d.act("downgrade", case, actor=LEADER, at=NOW).grade == "yellow"
