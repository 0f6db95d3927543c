"""统计 and 跨所移交 (issue 11 ``transfer``, docs/statistics.md "Transfers"): a case transferred
to another station counts in the station owning it at the moment each figure asks about — its
report where it was reported, what happened to it where it was when it happened, what stands at
the period's end where it is then. The expectations below are worked out by hand from the
history, case by case; the store is the backend under test (SQLite or PostgreSQL)."""

from __future__ import annotations

from datetime import date

from disputes.projections.statistics import Figures
from disputes.storage.statistics import Period, counting_views, rating, statistics
from disputes.storage.store import Store
from tests.domain.support import DM_POLICE, LEADER, Driver, day

OCTOBER = Period(date(2021, 10, 1), date(2021, 10, 31))
H2 = Period(date(2021, 7, 1), date(2021, 12, 31))


def history(d: Driver) -> dict[str, str]:
    """Three cases of WD's village WD-V01; two of them are transferred to DM in October."""
    old = d.reported(at=day(-10), source="visit")  # September, to WD
    d.act("grade", old, grade="yellow", at=day(-10, 1))
    d.act("assign", old, at=day(-10, 2))
    d.act("transfer", old, at=day(1))  # open at October's start in WD; from day 1 DM's
    moved = d.reported(at=day(0), source="informant")  # October, to WD
    d.act("grade", moved, grade="red", at=day(0, 1))
    d.act("assign", moved, at=day(0, 2))
    d.act("outcome", moved, kind="criminal-case", ref="X1", at=day(0, 3))  # while WD's
    d.act("transfer", moved, at=day(2))
    d.act("resolve", moved, actor=DM_POLICE, at=day(3))  # DM's
    d.act("relapse", moved, actor=DM_POLICE, grade="red", at=day(5))  # DM's
    stays = d.reported(at=day(1, 5), source="walk-in")  # October, to WD, never moves
    d.act("grade", stays, grade="yellow", at=day(1, 6))
    d.act("assign", stays, actor=LEADER, at=day(1, 7))
    return {"old": old, "moved": moved, "stays": stays}


def by_station(store: Store, **kwargs: object) -> tuple[dict[str, Figures], Figures]:
    with counting_views(store) as db:
        groups, total = statistics(store, db, OCTOBER, by="station", **kwargs)  # type: ignore[arg-type]
    return {g.key: g.figures for g in groups}, total


def test_a_transferred_case_counts_where_it_belonged_at_each_moment(
    file_store: Store,
) -> None:
    d = Driver(file_store.app, file_store.execute)
    history(d)
    stations, total = by_station(file_store)
    wd, dm = stations["WD"], stations["DM"]
    # Reported in October: moved and stays, both reported to WD.
    assert (wd.reported, dm.reported, total.reported) == (2, 0, 2)
    assert (wd.found_actively, wd.walk_in) == (1, 1)
    assert (wd.graded_red, wd.graded_yellow, dm.graded_red) == (1, 1, 0)
    # The September case was WD's when October began.
    assert (wd.open_at_start, dm.open_at_start, total.open_at_start) == (1, 0, 1)
    # The resolution and the relapse happened after the transfer: DM's.
    assert (wd.resolved, dm.resolved, total.resolved) == (0, 1, 1)
    assert (wd.relapses, dm.relapses, dm.relapsed_cases, total.relapses) == (0, 1, 1, 1)
    # The outcome was recorded before the transfer: WD's.
    assert wd.outcomes["criminal-case"] == total.outcomes["criminal-case"] == 1
    assert dm.outcomes["criminal-case"] == 0
    # At October's end DM holds old (yellow) and moved (red after its relapse); WD holds stays.
    assert (dm.in_hand_red, dm.in_hand_yellow) == (1, 1)
    assert (wd.in_hand_red, wd.in_hand_yellow) == (0, 1)
    # Every case's overdue items at the end are counted once, in its station then.
    board = file_store.due(OCTOBER.end, overdue=True)
    owner = {"old": "DM", "moved": "DM", "stays": "WD"}
    cases = history_cases(file_store)
    for code in ("WD", "DM"):
        expected = sum(1 for item in board if owner[cases[item.case_no]] == code)
        assert stations[code].overdue_items == expected
    assert total.overdue_items == len(board) == wd.overdue_items + dm.overdue_items
    # Every other station of the roster: zeros.
    for code, figures in stations.items():
        if code not in ("WD", "DM"):
            assert (figures.reported, figures.resolved, figures.overdue_items) == (0, 0, 0)


def history_cases(store: Store) -> dict[str, str]:
    """Case number → its name in :func:`history` (by report order: old, moved, stays)."""
    numbers = sorted(row["case_no"] for row in store.ledger())
    return dict(zip(numbers, ("old", "moved", "stays"), strict=True))


def test_station_option_gives_that_station_s_row(file_store: Store) -> None:
    d = Driver(file_store.app, file_store.execute)
    history(d)
    stations, _ = by_station(file_store)
    for code in ("WD", "DM"):
        with counting_views(file_store) as db:
            groups, total = statistics(file_store, db, OCTOBER, station=code)
        assert groups == []
        assert total == stations[code], code
        one, _ = by_station(file_store, station=code)
        assert list(one) == [code]
        assert one[code] == stations[code]


def test_before_the_transfer_it_is_all_the_old_station_s(file_store: Store) -> None:
    d = Driver(file_store.app, file_store.execute)
    history(d)
    with counting_views(file_store, as_of=day(0, 12)) as db:
        groups, _ = statistics(file_store, db, OCTOBER, by="station")
    figures = {g.key: g.figures for g in groups}
    # By day 0 noon nothing had moved: moved (red) and old (yellow) are WD's.
    assert (figures["WD"].in_hand_red, figures["WD"].in_hand_yellow) == (1, 1)
    assert (figures["DM"].in_hand_red, figures["DM"].in_hand_yellow) == (0, 0)


def test_the_village_room_is_rated_only_while_its_station_owns_the_case(
    file_store: Store,
) -> None:
    d = Driver(file_store.app, file_store.execute)
    history(d)
    with counting_views(file_store) as db:
        rows = {r.village: r for r in rating(file_store, db, H2)}
    room = rows["WD-V01"].inputs
    # Reported in the half to WD: moved and stays (old was too, in September, also in H2).
    assert room.reported == 3
    # Still WD's at the half's end: stays only.
    assert room.to_settle == 1
    # The relapse happened after moved left WD: not the room's.
    assert room.relapses == 0
    assert room.outcomes["criminal-case"] == 1
    # DM has no room in WD-V01: the case's time at DM is in DM's statistics, no room's rating.
    assert rows["DM-V01"].inputs.reported == rows["DM-V01"].inputs.relapses == 0
