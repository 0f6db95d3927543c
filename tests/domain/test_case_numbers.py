"""product.md §5: case numbers ``<district code>-<year>-<4-digit sequence>``, the year of the
report's occurred time (Asia/Shanghai), numbered per district and year in recording order."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from disputes.domain.application import DisputesApp
from disputes.domain.errors import InvalidInput
from disputes.domain.records import CaseNumbers
from tests.domain.support import (
    NOW,
    ZK_POLICE,
    Driver,
    case_events,
    day,
    make_roster,
    names,
)

if TYPE_CHECKING:
    from pathlib import Path


def test_numbers_count_up_from_0001(d: Driver) -> None:
    assert [d.reported().removeprefix("HY-2021-") for _ in range(3)] == ["0001", "0002", "0003"]


def test_each_district_has_its_own_sequence(d: Driver) -> None:
    assert d.reported(village="WD-V01") == "HY-2021-0001"
    assert d.reported(actor=ZK_POLICE, village="ZK-V01") == "ZK-2021-0001"
    assert d.reported(village="WD-V01") == "HY-2021-0002"
    assert d.reported(actor=ZK_POLICE, village="ZK-V01") == "ZK-2021-0002"


def test_each_year_has_its_own_sequence(d: Driver) -> None:
    assert d.reported(at="2021-12-30T10:00+08:00") == "HY-2021-0001"
    assert d.reported(at="2022-01-02T10:00+08:00") == "HY-2022-0001"
    assert d.reported(at="2021-12-31T10:00+08:00") == "HY-2021-0002"
    assert d.reported(at="2022-01-03T10:00+08:00") == "HY-2022-0002"


def test_the_year_is_that_of_the_occurred_time_in_asia_shanghai(d: Driver) -> None:
    # 16:30 UTC on 31 December is 00:30 on 1 January in Shanghai.
    assert d.reported(at="2021-12-31T16:30:00+00:00") == "HY-2022-0001"
    # 23:30 on 31 December Shanghai time, given without offset.
    assert d.reported(at="2021-12-31 23:30") == "HY-2021-0001"
    # 23:30 on 31 December in UTC-5 is already 12:30 on 1 January in Shanghai.
    assert d.reported(at="2021-12-31T23:30:00-05:00") == "HY-2022-0002"


def test_numbers_follow_recording_order_not_occurred_order(d: Driver) -> None:
    later = d.reported(at=day(10))
    earlier = d.reported(at=day(1))
    assert (later, earlier) == ("HY-2021-0001", "HY-2021-0002")


def test_allocation_is_stored_with_the_report(d: Driver) -> None:
    before = d.position()
    d.reported()
    d.reported()
    stored = case_events(d.stored_since(before))
    assert names(stored) == [
        "CaseNumbers.Started",
        "CaseNumbers.Allocated",
        "Dispute.Reported",
        "CaseNumbers.Allocated",
        "Dispute.Reported",
    ]
    allocated = [e.number for e in stored if isinstance(e, CaseNumbers.Allocated)]
    assert allocated == [1, 2]


def test_a_refused_report_takes_no_number(d: Driver) -> None:
    with d.nothing_stored(), pytest.raises(InvalidInput):
        d.reported(category="no-such-category")
    with d.nothing_stored(), pytest.raises(InvalidInput):
        d.reported(at=NOW.replace(year=NOW.year + 1))
    assert d.reported() == "HY-2021-0001"


def test_a_case_is_found_by_its_number(d: Driver, app: DisputesApp) -> None:
    d.reported(summary="第一起")
    d.reported(summary="第二起")
    assert app.get_case("HY-2021-0002").summary == "第二起"
    assert app.get_case("HY-2021-0001").case_no == "HY-2021-0001"


def test_the_sequence_continues_in_a_reopened_sqlite_store(tmp_path: Path) -> None:
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp_path / "e.db")}
    first = DisputesApp(env, clock=lambda: NOW)
    first.load_roster(make_roster())
    driver = Driver(first, first.execute)
    assert [driver.reported(), driver.reported()] == ["HY-2021-0001", "HY-2021-0002"]
    first.close()

    second = DisputesApp(env, clock=lambda: NOW)
    assert Driver(second, second.execute).reported() == "HY-2021-0003"
    assert second.get_case("HY-2021-0001").case_no == "HY-2021-0001"
    second.close()
