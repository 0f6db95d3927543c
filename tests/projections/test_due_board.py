"""跟办 — the due board (issue 3): every clock of product.md §4 and the stall rule, read for any
moment from the ``due_items`` rows; supervision levels by threshold or open order; filters and
order; the board as it stood in the past; the ledger's due columns; rebuild equals incremental."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from disputes.domain.clock import parse_time
from disputes.domain.policy import Cadence
from disputes.projections.due_board import DueItem, end_of_day, list_due
from disputes.storage.store import Store
from tests.domain.support import (
    AUXILIARY,
    LEADER,
    NOW,
    OTHER_LEADER,
    POLICE,
    Driver,
    make_roster,
)
from tests.projections.support import dump

GRADED = parse_time("2021-10-06 22:00")
"""When the test cases are graded (Asia/Shanghai)."""


def at(days: float, hours: float = 0) -> datetime:
    """``GRADED`` plus some days and hours."""
    return GRADED + timedelta(days=days, hours=hours)


def graded(d: Driver, grade: str = "red") -> str:
    """A case reported at 21:40, graded at 22:00 and assigned (L-WD-01, P-WD-01) at 22:00."""
    case = d.act("report", at=at(0, -1 / 3)).case_no
    d.act("grade", case, grade=grade, at=GRADED)
    d.act("assign", case, at=GRADED)
    return case


def rows(items: list[DueItem]) -> list[tuple[str, str, bool, int, str]]:
    return [(i.case_no, i.kind, i.overdue, i.overdue_days, i.supervision) for i in items]


def kinds(store: Store, on: datetime, **options: object) -> list[str]:
    return [item.kind for item in store.due(on, **options)]


def only(store: Store, on: datetime, kind: str, **options: object) -> DueItem:
    (item,) = [i for i in store.due(on, **options) if i.kind == kind]
    return item


# -- first contact and contact -----------------------------------------------------------------


def test_a_red_case_without_contact_is_overdue_24_hours_after_grading(
    sd: Driver, store: Store
) -> None:
    case = graded(sd, "red")
    item = only(store, at(1), "first-contact")
    assert (item.case_no, item.due_at, item.overdue, item.overdue_days) == (case, at(1), True, 0)
    assert (item.officer, item.leader, item.station, item.grade) == (POLICE, LEADER, "WD", "red")
    before = only(store, at(1, -1 / 60), "first-contact")
    assert (before.overdue, before.supervision) == (False, "normal")


def test_a_yellow_case_has_two_days_for_first_contact(sd: Driver, store: Store) -> None:
    graded(sd, "yellow")
    assert only(store, at(2), "first-contact").due_at == at(2)
    assert not only(store, at(2, -1 / 60), "first-contact").overdue


def test_after_contact_a_red_case_is_due_daily_and_a_yellow_one_weekly(
    sd: Driver, store: Store
) -> None:
    red, yellow = graded(sd, "red"), graded(sd, "yellow")
    sd.act("visit", red, at=at(0.5))
    sd.act("mediate", yellow, at=at(0.5))
    items = {i.case_no: i for i in store.due(at(8), overdue=True) if i.kind == "contact"}
    assert items[red].due_at == at(1.5)
    assert items[yellow].due_at == at(7.5)
    assert (items[red].overdue_days, items[yellow].overdue_days) == (6, 0)


def test_an_escalation_restarts_the_contact_clock_at_the_red_cadence(
    sd: Driver, store: Store
) -> None:
    case = graded(sd, "yellow")
    sd.act("visit", case, at=at(1))
    sd.act("escalate", case, at=at(5))
    contact = only(store, at(5), "contact", until=at(6))
    assert (contact.due_at, contact.grade) == (at(6), "red")


def test_a_relapse_needs_a_first_contact_again(sd: Driver, store: Store) -> None:
    case = graded(sd, "red")
    sd.act("visit", case, at=at(0.5))
    sd.act("resolve", case, at=at(1), observe_days=30)
    sd.act("relapse", case, grade="yellow", at=at(3))
    assert only(store, at(3), "first-contact", until=at(10)).due_at == at(5)


# -- observation -------------------------------------------------------------------------------


def test_thirty_one_days_after_the_last_follow_up_the_case_is_overdue(
    sd: Driver, store: Store
) -> None:
    case = graded(sd)
    sd.act("resolve", case, at=at(1), observe_days=180)
    sd.act("follow-up", case, at=at(20))
    item = only(store, at(51), "follow-up")
    assert (item.due_at, item.overdue, item.overdue_days) == (at(50), True, 1)
    assert not only(store, at(50, -1 / 60), "follow-up").overdue
    assert kinds(store, at(51)) == ["follow-up"]


def test_the_end_of_observation_is_due_at_observe_until(sd: Driver, store: Store) -> None:
    case = graded(sd)
    sd.act("resolve", case, at=at(1), observe_days=30)
    sd.act("follow-up", case, at=at(25))
    assert only(store, at(31), "observation-end").due_at == at(31)


def test_a_closed_case_has_nothing_due(sd: Driver, store: Store) -> None:
    case = graded(sd)
    sd.act("resolve", case, at=at(1), observe_days=30)
    sd.act("follow-up", case, at=at(16))
    sd.act("close", case, actor=LEADER, at=at(31))
    assert store.due(at(200), until=at(400)) == []


# -- referrals ---------------------------------------------------------------------------------


def test_a_referral_unanswered_for_eight_days_is_overdue(sd: Driver, store: Store) -> None:
    case = graded(sd)
    sd.act("refer", case, to="SFS", at=at(1))
    item = only(store, at(9), "referral-reply")
    assert (item.due_at, item.overdue_days, item.referral) == (at(8), 1, 1)
    sd.act("receipt", case, referral=1, outcome="accepted", at=at(10))
    assert "referral-reply" not in kinds(store, at(10), until=at(100))


def test_each_open_referral_is_its_own_item(sd: Driver, store: Store) -> None:
    case = graded(sd)
    sd.act("refer", case, to="SFS", at=at(1))
    sd.act("refer", case, to="FL", at=at(2))
    sd.act("receipt", case, referral=1, outcome="handled", at=at(3))
    replies = [i for i in store.due(at(3), until=at(30)) if i.kind == "referral-reply"]
    assert [(i.referral, i.due_at) for i in replies] == [(2, at(9))]


# -- the stall rule ----------------------------------------------------------------------------


def test_a_yellow_case_without_agreement_after_15_days_is_stalled(sd: Driver, store: Store) -> None:
    case = graded(sd, "yellow")
    sd.act("visit", case, at=at(1))
    assert "stalled" not in kinds(store, at(15, -1 / 60), overdue=True)
    item = only(store, at(15), "stalled", overdue=True)
    assert (item.case_no, item.due_at, item.overdue) == (case, at(15), True)


def test_a_red_case_does_not_stall(sd: Driver, store: Store) -> None:
    graded(sd, "red")
    assert "stalled" not in kinds(store, at(40))


def test_three_failed_mediations_stall_a_yellow_case_at_once(sd: Driver, store: Store) -> None:
    case = graded(sd, "yellow")
    for day in (1, 2, 3):
        sd.act("mediate", case, result="failed", at=at(day))
    sd.act("mediate", case, result="progress", at=at(3.5))
    item = only(store, at(4), "stalled")
    assert (item.due_at, item.overdue) == (at(3), True)


def test_a_downgrade_starts_the_stall_clock(sd: Driver, store: Store) -> None:
    case = graded(sd, "red")
    sd.act("downgrade", case, actor=LEADER, at=at(10))
    assert only(store, at(25), "stalled").due_at == at(25)


def test_resolution_ends_the_stall(sd: Driver, store: Store) -> None:
    case = graded(sd, "yellow")
    sd.act("resolve", case, at=at(16), observe_days=30)
    assert "stalled" not in kinds(store, at(17), until=at(100))


# -- supervision -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_late", "level"),
    [(0, "normal"), (2.9, "normal"), (3, "yellow-card"), (6.9, "yellow-card"), (7, "red-card")],
)
def test_overdue_days_earn_yellow_and_red_cards(
    sd: Driver, store: Store, days_late: float, level: str
) -> None:
    graded(sd)
    item = only(store, at(1 + days_late), "first-contact")
    assert (item.overdue_days, item.supervision) == (int(days_late), level)


def test_an_open_order_sets_the_level_and_shows_the_case_whatever_its_due_time(
    sd: Driver, store: Store
) -> None:
    case = graded(sd, "yellow")
    sd.act("visit", case, at=at(0.5))
    sd.do("supervise", case=case, actor=OTHER_LEADER, level="red-card", note="盯紧", at=at(1))
    item = only(store, at(1), "contact")
    assert (item.overdue, item.supervision_order) == (False, "red-card")
    assert item.supervision == "red-card"
    assert store.due(at(1), overdue=True) == []
    sd.do("answer-supervision", case=case, actor=POLICE, note="已落实", at=at(2))
    assert store.due(at(2)) == []


def test_most_urgent_first(sd: Driver, store: Store) -> None:
    calm, late, later, ordered = (graded(sd, "yellow") for _ in range(4))
    for case in (calm, ordered):
        sd.act("visit", case, at=at(10))
    sd.act("visit", late, at=at(5))
    sd.do("supervise", case=ordered, actor=LEADER, level="yellow-card", note="督办", at=at(11))
    board = [i for i in store.due(at(15)) if i.kind != "stalled"]
    assert [(i.case_no, i.supervision, i.overdue_days) for i in board] == [
        (later, "red-card", 13),  # first contact was due on day 2
        (late, "yellow-card", 3),  # contact was due on day 12
        (ordered, "yellow-card", 0),  # contact due on day 17, under a yellow-card order
    ]
    assert calm not in {i.case_no for i in board}  # contact due on day 17: not today


# -- the board's window and filters ------------------------------------------------------------


def test_the_default_board_is_due_by_the_end_of_the_day(sd: Driver, store: Store) -> None:
    graded(sd)  # first contact due 2021-10-07 22:00
    assert kinds(store, parse_time("2021-10-07 08:00")) == ["first-contact"]
    assert kinds(store, parse_time("2021-10-06 23:00")) == []
    assert kinds(store, parse_time("2021-10-07 08:00"), overdue=True) == []
    assert end_of_day(parse_time("2021-10-07 08:00")) == parse_time("2021-10-07 23:59:59.999999")


def test_filters_by_station_officer_and_leader(sd: Driver, store: Store) -> None:
    mine = graded(sd)
    theirs = graded(sd)
    sd.act("assign", theirs, leader=OTHER_LEADER, officer=AUXILIARY, at=at(0.1))
    on = at(3)
    assert [i.case_no for i in store.due(on, officer=AUXILIARY)] == [theirs]
    assert [i.case_no for i in store.due(on, leader=LEADER)] == [mine]
    assert {i.case_no for i in store.due(on, station="WD")} == {mine, theirs}
    assert store.due(on, station="ZK-S") == []


# -- any moment, past or future ----------------------------------------------------------------


def test_the_board_of_a_past_moment_is_the_board_as_it_stood(sd: Driver, store: Store) -> None:
    case = graded(sd, "red")
    sd.act("visit", case, at=at(3))
    sd.act("resolve", case, at=at(4), observe_days=30)
    assert rows(store.due(at(2))) == [(case, "first-contact", True, 1, "normal")]
    assert rows(store.due(at(3.5))) == [(case, "contact", False, 0, "normal")]
    assert rows(store.due(at(4, -1 / 60), overdue=True)) == []
    assert rows(store.due(at(40), overdue=True)) == [
        (case, "follow-up", True, 6, "yellow-card"),
        (case, "observation-end", True, 6, "yellow-card"),
    ]
    assert store.due(at(-1), until=at(100)) == []


def test_a_case_reported_later_is_not_on_an_earlier_board(sd: Driver, store: Store) -> None:
    graded(sd)
    assert store.due(at(-0.5), until=at(100)) == []


def test_a_changed_cadence_applies_at_once(sd: Driver, store: Store) -> None:
    case = graded(sd)
    sd.act("resolve", case, at=at(1), observe_days=180)
    local = Cadence(follow_up_every_days=14)
    (item,) = list_due(store.views, local, at(16), overdue=True)
    assert (item.kind, item.due_at, item.overdue_days) == ("follow-up", at(15), 1)


# -- ledger and show ---------------------------------------------------------------------------


def test_ledger_rows_carry_next_due_overdue_days_and_supervision(sd: Driver, store: Store) -> None:
    late = graded(sd)
    closed = graded(sd)
    sd.act("resolve", closed, at=at(1), observe_days=30)
    sd.act("follow-up", closed, at=at(16))
    sd.act("close", closed, actor=LEADER, at=at(31))
    rows_ = {row["case_no"]: row for row in store.ledger()}
    days = (NOW - at(1)) // timedelta(days=1)
    assert datetime.fromisoformat(rows_[late]["next_due_at"]) == at(1)
    assert (rows_[late]["overdue_days"], rows_[late]["supervision"]) == (days, "red-card")
    assert (rows_[closed]["next_due_at"], rows_[closed]["overdue_days"]) == (None, 0)
    assert rows_[closed]["supervision"] == "normal"
    assert store.ledger_row(late) == rows_[late]


def test_due_summary_of_one_case(sd: Driver, store: Store) -> None:
    case = graded(sd, "yellow")
    summary = store.due_summary(case, on=at(1))
    assert (summary.next_due_at, summary.overdue_days, summary.supervision) == (
        at(2),
        0,
        "normal",
    )


# -- rebuild equals incremental ----------------------------------------------------------------


def varied(d: Driver) -> None:
    """Cases through every clock: contact, referral, stall, supervision, observation, relapse."""
    red = graded(d, "red")
    d.act("visit", red, at=at(0.5))
    d.act("refer", red, to="SFS", at=at(1))
    d.act("downgrade", red, actor=LEADER, at=at(2))
    d.act("receipt", red, referral=1, outcome="handled", at=at(3))
    d.do("supervise", case=red, actor=OTHER_LEADER, level="red-card", note="督办", at=at(4))
    d.act("resolve", red, at=at(5), observe_days=30)
    d.act("follow-up", red, at=at(20))
    d.do("answer-supervision", case=red, actor=POLICE, note="已反馈", at=at(21))
    d.act("close", red, actor=LEADER, at=at(35))
    d.act("relapse", red, grade="yellow", at=at(40))
    yellow = graded(d, "yellow")
    for day in (1, 2, 3):
        d.act("mediate", yellow, result="failed", at=at(day))
    d.act("escalate", yellow, at=at(4))
    d.act("assign", yellow, leader=OTHER_LEADER, officer=AUXILIARY, at=at(4))
    d.act("report", at=at(5))


def due_tables(store: Store) -> dict[str, list[tuple[object, ...]]]:
    tables = dump(store)
    return {name: tables[name] for name in ("due_cases", "due_items")}


def test_rebuild_gives_the_incremental_due_tables(sd: Driver, store: Store) -> None:
    varied(sd)
    incremental = due_tables(store)
    assert incremental["due_items"]
    store.projections.rebuild()
    assert due_tables(store) == incremental


def test_one_catch_up_of_many_events_gives_the_same_due_tables(
    sd: Driver, store: Store, db_path: str
) -> None:
    varied(sd)
    incremental = due_tables(store)
    with Store(db_path, clock=lambda: NOW) as batch:
        batch.app.load_roster(make_roster())
        d = Driver(batch.app, batch.app.execute)  # no catch-up per command
        varied(d)
        batch.catch_up()
        assert due_tables(batch) == incremental
        assert rows(batch.due(at(41))) == rows(store.due(at(41)))


def test_a_clock_replaced_at_the_moment_it_started_leaves_no_history(
    sd: Driver, store: Store
) -> None:
    graded(sd)  # graded and assigned at the same minute: the unassigned clock never held
    store.catch_up()
    ended = store.views.query("SELECT valid_from, valid_to FROM due_history")
    assert ended == []
    (row,) = store.views.query("SELECT officer, leader FROM due_items")
    assert (row["officer"], row["leader"]) == (POLICE, LEADER)
