"""台账 — the ledger: one row per case, following each event; filters by status, grade, station
and category (product.md §5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from disputes.domain.errors import WrongStatus
from disputes.projections.ledger_query import list_cases
from disputes.storage.store import Store
from tests.domain.support import GRID, LEADER, OTHER_LEADER, POLICE, ZK_POLICE, Driver, day
from tests.projections.support import ledger_disagreements, when


def test_a_reported_case_has_a_row(sd: Driver, store: Store) -> None:
    case = sd.reported(at=day(0), category="debt-loan", source="court-notice", actor=GRID)
    row = store.ledger_row(case)
    assert row is not None
    expected = {
        "case_no": "HY-2021-0001",
        "status": "reported",
        "grade": None,
        "category": "debt-loan",
        "source": "court-notice",
        "district": "HY",
        "station": "WD",
        "village": "WD-V01",
        "leader": None,
        "officer": None,
        "graded_at": None,
        "resolved_at": None,
        "observe_until": None,
        "closed_at": None,
        "relapses": 0,
        "open_referrals": 0,
        "referrals": 0,
        "events": 1,
    }
    assert {key: row[key] for key in expected} == expected
    assert when(row["reported_at"]) == day(0)
    assert when(row["last_event_at"]) == day(0)


def test_the_row_follows_every_event(sd: Driver, store: Store) -> None:
    def row() -> dict[str, Any]:
        found = store.ledger_row(case)
        assert found is not None
        return found

    case = sd.reported(at=day(0))
    sd.act("grade", case, grade="yellow", at=day(0, 2))
    assert (row()["status"], row()["grade"], when(row()["graded_at"])) == (
        "open",
        "yellow",
        day(0, 2),
    )
    sd.act("assign", case, leader=LEADER, officer=POLICE)
    assert (row()["leader"], row()["officer"]) == (LEADER, POLICE)
    sd.act("refer", case, to="SFS")
    sd.act("refer", case, to="FL")
    assert (row()["open_referrals"], row()["referrals"]) == (2, 2)
    sd.act("receipt", case, referral=1)
    assert (row()["open_referrals"], row()["referrals"]) == (1, 2)
    sd.act("escalate", case)
    assert row()["grade"] == "red"
    sd.act("downgrade", case, actor=LEADER)
    assert row()["grade"] == "yellow"
    sd.act("visit", case)
    sd.act("mediate", case)
    sd.act("deliberate", case)
    assert row()["status"] == "open"
    sd.act("receipt", case, referral=2)
    resolved = day(5)
    sd.act("resolve", case, at=resolved, observe_days=40)
    assert (row()["status"], row()["grade"]) == ("observing", "blue")
    assert when(row()["resolved_at"]) == resolved
    assert when(row()["observe_until"]) == resolved + timedelta(days=40)
    sd.act("follow-up", case, at=resolved + timedelta(days=20))
    sd.act("assign", case, leader=OTHER_LEADER, officer=POLICE)
    sd.act("close", case, actor=OTHER_LEADER, at=resolved + timedelta(days=40))
    assert row()["status"] == "closed"
    assert row()["leader"] == OTHER_LEADER
    assert when(row()["closed_at"]) == resolved + timedelta(days=40)
    sd.act("relapse", case, grade="red", at=resolved + timedelta(days=41))
    assert (row()["status"], row()["grade"], row()["relapses"]) == ("open", "red", 1)
    assert row()["closed_at"] is None
    assert when(row()["last_event_at"]) == resolved + timedelta(days=41)
    assert row()["events"] == store.case(case).version == 17
    assert ledger_disagreements(row(), store.case(case)) == {}


def test_times_are_stored_as_utc_text(sd: Driver, store: Store) -> None:
    case = sd.reported(at="2021-10-06T21:40+08:00")
    row = store.ledger_row(case)
    assert row is not None
    assert row["reported_at"].startswith("2021-10-06T13:40:00")
    assert when(row["reported_at"]) == datetime(2021, 10, 6, 13, 40, tzinfo=UTC)


def test_a_refused_command_leaves_the_row_alone(sd: Driver, store: Store) -> None:
    case = sd.opened()
    before = store.ledger_row(case)
    with pytest.raises(WrongStatus):
        sd.act("follow-up", case)
    assert store.ledger_row(case) == before


def test_a_retried_command_leaves_the_row_alone(sd: Driver, store: Store) -> None:
    case = sd.opened()
    sd.act("refer", case, command_id="refer-1")
    before = store.ledger_row(case)
    assert sd.act("refer", case, command_id="refer-1").duplicate
    assert store.ledger_row(case) == before


def test_rows_are_ordered_by_case_number_and_filtered(sd: Driver, store: Store) -> None:
    red = sd.opened("red")  # HY-2021-0001
    yellow = sd.opened("yellow")  # HY-2021-0002
    other = sd.reported(actor=ZK_POLICE, village="ZK-V01", category="labour-wages")
    late = sd.reported(at="2022-01-05T10:00+08:00")  # HY-2022-0001
    observing = sd.observing()  # HY-2022-0002

    assert (red, yellow, other, late, observing) == (
        "HY-2021-0001",
        "HY-2021-0002",
        "ZK-2021-0001",
        "HY-2022-0001",
        "HY-2022-0002",
    )
    assert [r["case_no"] for r in store.ledger()] == [red, yellow, late, observing, other]

    def cases(**filters: str) -> set[str]:
        return {r["case_no"] for r in store.ledger(**filters)}

    assert cases(status="open") == {red, yellow}
    assert cases(status="reported") == {other, late}
    assert cases(status="observing", grade="blue") == {observing}
    assert cases(grade="red") == {red}
    assert cases(station="ZK-S") == {other}
    assert cases(station="WD", status="reported") == {late}
    assert cases(category="labour-wages") == {other}
    assert cases(status="closed") == set()


def test_an_unknown_filter_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="colour"):
        list_cases(store.views, colour="red")
