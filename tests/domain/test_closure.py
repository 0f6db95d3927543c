"""product.md §3 不化解不销案: ``close`` succeeds only when all five conditions hold at the close's
occurred time, and a refusal names every condition that fails.

1. the case is observing; 2. the observation period of the latest resolution has elapsed;
3. from that resolution to the close no gap > 30 days without a follow-up; 4. every referral has a
receipt; 5. the actor is the case's responsible leader.

Each scenario: resolution at ``R`` for 60 days, follow-ups every 20 days, closed at ``R + 60``
by the responsible leader — then one thing changed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from disputes.cli.exits import exit_code
from disputes.domain.application import DisputesApp
from disputes.domain.errors import ClosureRefused
from tests.domain.support import AUXILIARY, LEADER, OTHER_LEADER, POLICE, Driver, day

R = day(2)
"""When the (latest) resolution occurs."""


def after(days: float) -> datetime:
    return R + timedelta(days=days)


def numbers(refusal: ClosureRefused) -> list[int]:
    """The condition numbers a refusal names (each failure starts with '<n>.')."""
    return [int(failure.split(".", 1)[0]) for failure in refusal.failures]


def settled(d: Driver, *, observe_days: int = 60, follow_ups: tuple[float, ...] = (20, 40)) -> str:
    case = d.opened()
    d.act("resolve", case, at=R, observe_days=observe_days)
    for offset in follow_ups:
        d.act("follow-up", case, actor=AUXILIARY, at=after(offset))
    return case


def refused(d: Driver, case: str, *, actor: str = LEADER, at: datetime) -> ClosureRefused:
    with d.nothing_stored(), pytest.raises(ClosureRefused) as refusal:
        d.act("close", case, actor=actor, at=at)
    assert exit_code(refusal.value) == 1
    return refusal.value


def test_all_conditions_hold(d: Driver, app: DisputesApp) -> None:
    case = settled(d)
    outcome = d.act("close", case, actor=LEADER, at=after(60))
    assert (outcome.event, outcome.status) == ("Closed", "closed")
    assert app.get_case(case).closed_at == after(60)


def test_boundaries_are_inclusive_exactly_30_day_gaps_and_exactly_elapsed(d: Driver) -> None:
    case = settled(d, observe_days=60, follow_ups=(30,))
    assert d.act("close", case, actor=LEADER, at=after(60)).status == "closed"


# -- each condition alone ----------------------------------------------------------------------


def test_1_alone_a_closed_case_cannot_be_closed_again(d: Driver) -> None:
    case = settled(d)
    d.act("close", case, actor=LEADER, at=after(60))
    refusal = refused(d, case, at=after(61))
    assert numbers(refusal) == [1]
    assert "closed" in refusal.failures[0]


def test_2_alone_the_observation_period_has_not_elapsed(d: Driver) -> None:
    case = settled(d)
    refusal = refused(d, case, at=after(59))
    assert numbers(refusal) == [2]
    assert "2021-12-07" in refusal.failures[0]  # R + 60 days: when observation ends


def test_a_gap_over_30_days_restarts_the_observation_at_the_next_follow_up(
    d: Driver, app: DisputesApp
) -> None:
    """§3.3: 31 days between the first two follow-ups: the window restarts at day 41, so
    the 60 days of observation run until day 101 (condition 2), not day 60."""
    case = settled(d, follow_ups=(10, 41, 55, 80))
    assert app.get_case(case).observe_until == after(101)
    refusal = refused(d, case, at=after(100))
    assert numbers(refusal) == [2]
    assert "restarted" in refusal.failures[0]
    assert refusal.earliest == after(101)
    assert d.act("close", case, actor=LEADER, at=after(101)).status == "closed"


def test_a_missed_follow_up_delays_closure_it_never_blocks_it(d: Driver) -> None:
    """No follow-up for 40 days before the close: condition 3 names what is missing, and the
    refusal names the earliest close — 60 days after a follow-up made now."""
    case = settled(d, follow_ups=(20,))
    refusal = refused(d, case, at=after(60))
    assert numbers(refusal) == [3]
    assert "record a follow-up" in refusal.failures[0]
    assert refusal.earliest == after(120)
    d.act("follow-up", case, at=after(60))
    d.act("follow-up", case, at=after(90))
    assert numbers(refused(d, case, at=after(119))) == [2]
    assert d.act("close", case, actor=LEADER, at=after(120)).status == "closed"


def test_3_alone_no_follow_up_for_the_last_31_days(d: Driver) -> None:
    case = settled(d, follow_ups=(20, 29))
    assert numbers(refused(d, case, at=after(60))) == [3]


def test_3_alone_no_follow_up_at_all(d: Driver) -> None:
    case = settled(d, observe_days=30, follow_ups=())
    assert numbers(refused(d, case, at=after(31))) == [3]
    assert d.act("close", case, actor=LEADER, at=after(30)).status == "closed"


def test_4_alone_a_referral_without_receipt(d: Driver) -> None:
    case = d.opened()
    d.act("refer", case, to="SFS")
    d.act("refer", case, to="FL")
    d.act("receipt", case, referral=2, outcome="handled")
    d.act("resolve", case, at=R, observe_days=60)
    for offset in (20, 40):
        d.act("follow-up", case, at=after(offset))
    refusal = refused(d, case, at=after(60))
    assert numbers(refusal) == [4]
    assert "1 (SFS)" in refusal.failures[0]
    assert "FL" not in refusal.failures[0]


def test_4_is_met_by_a_receipt_recorded_during_observation(d: Driver) -> None:
    case = d.opened()
    d.act("refer", case, to="SFS")
    d.act("resolve", case, at=R, observe_days=60)
    d.act("follow-up", case, at=after(20))
    d.act("receipt", case, referral=1, outcome="returned", at=after(30))
    d.act("follow-up", case, at=after(40))
    assert d.act("close", case, actor=LEADER, at=after(60)).status == "closed"


def test_5_alone_another_leader(d: Driver) -> None:
    case = settled(d)
    refusal = refused(d, case, actor=OTHER_LEADER, at=after(60))
    assert numbers(refusal) == [5]
    assert LEADER in refusal.failures[0]
    assert OTHER_LEADER in refusal.failures[0]


def test_5_alone_the_responsible_officer_is_not_the_leader(d: Driver) -> None:
    case = settled(d)
    assert numbers(refused(d, case, actor=POLICE, at=after(60))) == [5]


def test_5_follows_a_hand_over(d: Driver) -> None:
    case = settled(d)
    d.act("assign", case, actor=LEADER, leader=OTHER_LEADER, officer=POLICE, at=after(50))
    assert numbers(refused(d, case, actor=LEADER, at=after(60))) == [5]
    assert d.act("close", case, actor=OTHER_LEADER, at=after(60)).status == "closed"


# -- several at once ----------------------------------------------------------------------------


def test_conditions_2_to_5_fail_together_and_are_all_named(d: Driver) -> None:
    case = d.opened()
    d.act("refer", case, to="SFS")
    d.act("resolve", case, at=R, observe_days=60)
    refusal = refused(d, case, actor=OTHER_LEADER, at=after(40))
    assert numbers(refusal) == [2, 3, 4, 5]
    assert "不化解不销案" in str(refusal)
    for failure in refusal.failures:
        assert failure in str(refusal)


def test_all_five_conditions_fail_together_and_are_all_named(d: Driver) -> None:
    """Open again after a relapse one day into a 180-day observation, 40 days after the latest
    resolution with no follow-up since, a referral unanswered, closed by another leader: every
    one of the five conditions of §3 fails."""
    case = d.opened()
    d.act("refer", case, to="SFS")
    d.act("resolve", case, at=R, observe_days=180)
    d.act("relapse", case, grade="yellow", at=after(1))
    refusal = refused(d, case, actor=OTHER_LEADER, at=after(40))
    assert numbers(refusal) == [1, 2, 3, 4, 5]


def test_a_case_never_resolved_fails_at_least_conditions_1_2_and_5(d: Driver) -> None:
    case = d.reported()
    refusal = refused(d, case, at=after(100))
    assert {1, 2, 5} <= set(numbers(refusal))
    assert 4 not in numbers(refusal)
    assert "reported" in refusal.failures[0]


def test_an_open_case_is_refused_for_its_status(d: Driver) -> None:
    case = d.opened()
    refusal = refused(d, case, at=after(100))
    assert numbers(refusal)[0] == 1
    assert "open" in refusal.failures[0]


# -- the latest resolution counts ---------------------------------------------------------------


def test_the_latest_resolution_sets_the_observation_period(d: Driver) -> None:
    case = d.opened()
    d.act("resolve", case, at=R, observe_days=180)
    d.act("relapse", case, at=after(5))
    d.act("resolve", case, at=after(6), observe_days=30)
    d.act("follow-up", case, at=after(20))
    # 30 days after the second resolution, long before the first one's 180 days end.
    assert d.act("close", case, actor=LEADER, at=after(36)).status == "closed"


def test_gaps_before_the_latest_resolution_do_not_count(d: Driver) -> None:
    case = d.opened()
    d.act("resolve", case, at=R, observe_days=30)
    d.act("relapse", case, at=after(45))  # 45 days without follow-up in the first observation
    d.act("resolve", case, at=after(46), observe_days=30)
    d.act("follow-up", case, at=after(60))
    assert d.act("close", case, actor=LEADER, at=after(76)).status == "closed"


def test_a_closed_then_relapsed_case_needs_a_new_resolution_to_close(d: Driver) -> None:
    case = settled(d)
    d.act("close", case, actor=LEADER, at=after(60))
    d.act("relapse", case, at=after(70))
    assert 1 in numbers(refused(d, case, at=after(71)))
