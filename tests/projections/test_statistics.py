"""统计 — the statistics projection and the figures counted from it (docs/statistics.md): each
figure on a small history whose answer is worked out by hand, the projection rebuilt equal to
its incremental rows, and ``as_of`` counting what had happened by then."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from disputes.projections.statistics import Figures
from disputes.storage.statistics import Period, counting_views, statistics
from disputes.storage.store import Store
from tests.domain.support import LEADER, Driver, day
from tests.projections.support import dump

OCTOBER = Period(date(2021, 10, 1), date(2021, 10, 31))
"""T0 (day 0) is 2021-10-06 21:40 Asia/Shanghai."""


def history(d: Driver) -> dict[str, str]:
    """Four cases around October 2021 (see each line)."""
    before = d.reported(at=day(-10), source="visit")  # September: open at October's start
    d.act("grade", before, grade="yellow", at=day(-10, 1))
    d.act("assign", before, at=day(-10, 2))
    a = d.reported(at=day(0), source="informant")  # found actively
    d.act("grade", a, grade="red", at=day(0, 1))
    d.act("assign", a, at=day(0, 2))
    d.act("visit", a, at=day(0, 5))  # first contact 5 h after the report
    d.act("refer", a, at=day(1))
    d.act("downgrade", a, actor=LEADER, at=day(2, 1))  # 2 days after the grading
    d.act("resolve", a, at=day(3))  # 3 days after the report
    d.act("receipt", a, referral=1, at=day(10))  # 9 days after the referral: late
    d.act("relapse", a, grade="yellow", at=day(12))
    d.act("resolve", a, at=day(13))
    b = d.reported(at=day(1), source="walk-in")
    d.act("grade", b, grade="yellow", at=day(1, 1))  # never contacted: overdue
    d.act("outcome", b, kind="homicide", ref="A4113", at=day(4))
    d.act("resolve", before, at=day(2))
    later = d.reported(at=day(30), source="visit")  # November: not October's
    return {"before": before, "a": a, "b": b, "later": later}


def october(store: Store, **kwargs: object) -> Figures:
    with counting_views(store) as db:
        _, total = statistics(store, db, OCTOBER, **kwargs)  # type: ignore[arg-type]
    return total


def test_each_figure_of_a_period(sd: Driver, store: Store) -> None:
    history(sd)
    f = october(store)
    assert (f.reported, f.found_actively, f.walk_in) == (2, 1, 1)
    assert f.by_source == {
        "visit": 0,
        "informant": 1,
        "incident-analysis": 0,
        "court-notice": 0,
        "walk-in": 1,
    }
    assert (f.graded_red, f.graded_yellow) == (1, 1)
    assert (f.resolved, f.closed, f.settled, f.settlement_rate) == (2, 0, 1, 0.5)
    assert (f.open_at_start, f.open_at_start_settled, f.open_at_start_settlement_rate) == (
        1,
        1,
        1.0,
    )
    # Both settled cases were settled during October; one relapsed.
    assert (f.relapses, f.relapsed_cases, f.relapse_rate) == (1, 1, 0.5)
    assert f.median_days_to_first_contact == round(5 / 24, 1)
    assert f.median_days_to_downgrade == 2.0
    assert f.median_days_to_resolution == 3.0
    assert (f.referrals, f.referrals_late) == (1, 1)
    assert f.outcomes["homicide"] == f.homicides == 1
    assert f.zero_homicide is False
    assert (f.in_hand_red, f.in_hand_yellow, f.in_hand_blue) == (0, 1, 2)
    board = store.due(OCTOBER.end, overdue=True)
    assert f.overdue_items == len(board) > 0
    assert f.red_cards == sum(item.supervision == "red-card" for item in board) > 0


def test_groups_add_up_to_the_total(sd: Driver, store: Store) -> None:
    history(sd)
    with counting_views(store) as db:
        for by in ("station", "village", "category", "source", "grade", "month"):
            groups, total = statistics(store, db, OCTOBER, by=by)
            assert sum(g.figures.reported for g in groups) == total.reported, by
            assert sum(g.figures.relapses for g in groups) == total.relapses, by
    assert [g.key for g in groups] == ["2021-10"]


def test_a_station_with_no_case_is_a_row_of_zeros(sd: Driver, store: Store) -> None:
    history(sd)
    with counting_views(store) as db:
        groups, _ = statistics(store, db, OCTOBER, by="station")
    # Every station of the test roster (juris added DM to it), in roster order.
    assert [(g.key, g.figures.reported) for g in groups] == [("WD", 2), ("ZK-S", 0), ("DM", 0)]


def test_as_of_counts_what_had_happened_by_then(sd: Driver, store: Store) -> None:
    history(sd)
    with counting_views(store, as_of=day(5)) as db:
        _, total = statistics(store, db, OCTOBER)
    # By day 5 the relapse (day 12) and the receipt (day 10) had not happened.
    assert (total.reported, total.relapses, total.outcomes["homicide"]) == (2, 0, 1)


def test_zero_homicide_is_computed(sd: Driver, store: Store) -> None:
    case = sd.opened("yellow")
    assert october(store).zero_homicide is True
    sd.act("outcome", case, kind="criminal-case", ref="X1")
    f = october(store)
    assert (f.zero_homicide, f.outcomes["criminal-case"]) == (True, 1)


@pytest.mark.parametrize("caught_up", ["one by one", "rebuilt"])
def test_rebuild_gives_the_incremental_rows(file_store: Store, caught_up: str) -> None:
    history(Driver(file_store.app, file_store.execute))
    incremental = dump(file_store)
    assert len(incremental["stat_cases"]) == 4
    if caught_up == "rebuilt":
        file_store.projections.rebuild()
    assert dump(file_store) == incremental
    assert october(file_store).reported == 2


def test_a_late_entry_lands_in_its_period(sd: Driver, store: Store) -> None:
    case = sd.opened("red")
    sd.act("visit", case, at=day(40))  # November
    sd.act("outcome", case, kind="petition", ref="", at=day(1) + timedelta(hours=3))  # 补录
    assert october(store).outcomes["petition"] == 1
