"""Issue 11 §1: sectors (包片) in the roster, roster changes with an effective time, and the
roster as it stood at a time (``CommandService.roster_at``) — which is what a replay judges a
command's jurisdiction by."""

from __future__ import annotations

import copy
from datetime import timedelta
from pathlib import Path

import pytest

from disputes.domain.application import DisputesApp
from disputes.domain.errors import InvalidInput, InvalidInputs, OutOfScope
from disputes.domain.policy import load_policy
from disputes.domain.records import RosterRecord
from disputes.domain.roster import Roster, RosterChange, UnitKind
from tests.domain.support import (
    AUXILIARY,
    MEMORY,
    NOW,
    PEOPLE,
    POLICE,
    T0,
    UNITS,
    Driver,
    day,
    make_roster,
    new_app,
)

UNITS_CSV = """code,name,kind,parent,officer
HY,淮阳区公安局,district,,
WD,王店派出所,station,HY,
WD-S1,王店一片,sector,WD,P-WD-01
WD-V01,东岗村,village,WD-S1,
WD-V02,李楼村,village,WD,
"""
PEOPLE_CSV = """id,name,role,unit
L-WD-01,萧卫东,leader,WD
P-WD-01,冯桂芝,community-police,WD
A-WD-V01,傅桂芝,auxiliary-police,WD-V01
AUD-01,审计员甲,auditor,HY
"""


def test_sectors_load_with_their_officer() -> None:
    roster = Roster.from_csv(UNITS_CSV, PEOPLE_CSV)
    assert roster.units["WD-S1"].kind is UnitKind.SECTOR
    assert [u.code for u in roster.sectors_of("P-WD-01")] == ["WD-S1"]
    assert roster.ancestor("WD-V01", UnitKind.STATION).code == "WD"  # type: ignore[union-attr]


def test_the_officer_column_may_be_left_out() -> None:
    four = "\n".join(",".join(line.split(",")[:4]) for line in UNITS_CSV.splitlines())
    roster = Roster.from_csv(four, PEOPLE_CSV)
    assert roster.units["WD-S1"].officer is None


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (
            ("WD-S1,王店一片,sector,WD,P-WD-01", "WD-S1,王店一片,sector,WD,L-WD-01"),
            "not a community officer",
        ),
        (("WD-S1,王店一片,sector,WD,P-WD-01", "WD-S1,王店一片,sector,WD,NOBODY"), "unknown person"),
        (("WD-V02,李楼村,village,WD,", "WD-V02,李楼村,village,WD,P-WD-01"), "only a sector"),
        (("WD-S1,王店一片,sector,WD,", "WD-S1,王店一片,sector,HY,"), "not a station"),
    ],
)
def test_a_bad_sector_is_named(edit: tuple[str, str], reason: str) -> None:
    assert edit[0] in UNITS_CSV
    with pytest.raises(InvalidInputs, match=reason):
        Roster.from_csv(UNITS_CSV.replace(*edit), PEOPLE_CSV)


def test_a_roster_without_sectors_records_as_before() -> None:
    """The shared sample's rows carry no ``officer`` key: its digest and Loaded event are as
    they were before sectors existed."""
    units, _ = make_roster().as_rows()
    assert all("officer" not in row for row in units)


def test_the_policy_names_the_purposes_of_a_read() -> None:
    purposes = load_policy().access.purposes
    assert {code: label.zh for code, label in purposes.items()} == {
        "casework": "办案",
        "supervision": "督办",
        "audit": "审计",
        "statistics": "统计",
    }


def _with(app: DisputesApp, kind: str, when: object, **data: object) -> None:
    app.change_roster(RosterChange(when, kind, dict(data)))  # type: ignore[arg-type]


def test_roster_at_follows_the_effective_times_not_the_recording_order() -> None:
    app = new_app()
    _with(app, "person-transferred", day(10), person_id=POLICE, unit="ZK-S")
    newcomer = {"id": "P-WD-09", "name": "新人", "role": "community-police", "unit": "WD"}
    _with(app, "person-added", day(5), person=newcomer)
    assert "P-WD-09" not in app.roster_at(day(4)).people
    assert app.roster_at(day(6)).people["P-WD-09"].unit == "WD"
    assert app.roster_at(day(9)).people[POLICE].unit == "WD"
    assert app.roster_at(day(10)).people[POLICE].unit == "ZK-S"
    assert app.roster.people[POLICE].unit == "ZK-S"  # now
    events = [type(e).__name__ for e in app.events.get(RosterRecord.ID)]
    assert events == ["Started", "Loaded", "PersonTransferred", "PersonAdded"]
    app.close()


def test_a_village_moved_reports_to_its_new_station_from_then_on() -> None:
    app = new_app()
    _with(app, "village-moved", day(10), village="WD-V01", parent="ZK-S")
    d = Driver(app, app.execute)
    before = d.reported(at=day(9), actor=AUXILIARY)
    after = d.reported(at=day(11), actor="P-ZK-01")
    assert app.get_case(before).station == "WD"
    assert app.get_case(after).station == "ZK-S"
    assert after.startswith("ZK-")
    app.close()


def test_a_departed_person_acts_no_more_but_their_earlier_late_entry_stands() -> None:
    app = new_app()
    d = Driver(app, app.execute)
    case = d.opened()
    _with(app, "person-departed", day(10), person_id=AUXILIARY)
    assert d.act("visit", case, actor=AUXILIARY, at=day(9)).event == "Visited"  # 补录
    with pytest.raises(OutOfScope, match="not on the roster at that time"):
        d.act("visit", case, actor=AUXILIARY, at=day(11))
    app.close()


def test_a_change_that_would_break_a_later_roster_is_refused_and_nothing_recorded() -> None:
    app = new_app()
    _with(app, "person-departed", day(10), person_id=POLICE)
    before = len(list(app.events.get(RosterRecord.ID)))
    with pytest.raises(InvalidInput, match="not on the roster"):
        _with(app, "person-transferred", day(11), person_id=POLICE, unit="WD")
    with pytest.raises(InvalidInput, match="no roster loaded"):
        DisputesApp(MEMORY, clock=lambda: NOW).change_roster(
            RosterChange(day(1), "person-departed", {"person_id": POLICE})
        )
    assert len(list(app.events.get(RosterRecord.ID))) == before
    app.close()


def test_a_later_whole_load_takes_effect_at_its_time() -> None:
    app = new_app()
    people = [p for p in copy.deepcopy(PEOPLE) if p["id"] != AUXILIARY]
    assert app.load_roster(Roster.from_rows(UNITS, people), at=day(10)) is True
    assert AUXILIARY in app.roster_at(day(9)).people
    assert AUXILIARY not in app.roster_at(day(10)).people
    assert AUXILIARY in app.roster_at(T0 - timedelta(days=3650)).people  # the first: always
    app.close()


def test_roster_history_survives_a_restart(tmp_path: Path) -> None:
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp_path / "r.db")}
    first = DisputesApp(env, clock=lambda: NOW)
    first.load_roster(make_roster())
    _with(first, "person-transferred", day(10), person_id=POLICE, unit="ZK-S")
    first.close()
    second = DisputesApp(env, clock=lambda: NOW)
    assert second.roster_at(day(9)).people[POLICE].unit == "WD"
    assert second.roster_at(day(10)).people[POLICE].unit == "ZK-S"
    second.close()


def test_a_case_scope_from_the_aggregate_and_from_a_ledger_row_agree() -> None:
    from disputes.domain.jurisdiction import CaseScope

    app = new_app()
    case = Driver(app, app.execute).opened()
    aggregate = app.get_case(case)
    row = {"case_no": case, "station": "WD", "village": "WD-V01", "reported_by": aggregate.reporter}
    assert CaseScope.of(aggregate) == CaseScope.from_row(row)
    app.close()
