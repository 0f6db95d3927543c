"""The roster: units (district → station → village → grid, partners under a district) and people
with roles. Every inconsistency is reported at once, naming the row; a load that changes nothing
records nothing."""

from __future__ import annotations

import copy
from importlib import resources
from typing import TYPE_CHECKING, Any

import pytest

from disputes.cli.exits import exit_code
from disputes.domain.application import DisputesApp
from disputes.domain.errors import InvalidInput, InvalidInputs, OutOfScope
from disputes.domain.roster import Roster, UnitKind
from tests.domain.support import MEMORY, NOW, PEOPLE, T0, UNITS, Driver, make_roster

if TYPE_CHECKING:
    from pathlib import Path

SAMPLE = resources.files("disputes") / "samples" / "huaiyang"


def problems(units: list[dict[str, Any]], people: list[dict[str, Any]]) -> dict[str, str]:
    with pytest.raises(InvalidInputs) as bad:
        Roster.from_rows(units, people)
    assert exit_code(bad.value) == 2
    return dict(bad.value.errors)


def with_unit(**row: str | None) -> list[dict[str, Any]]:
    return [*copy.deepcopy(UNITS), dict(row)]


def with_person(**row: str) -> list[dict[str, Any]]:
    return [*copy.deepcopy(PEOPLE), dict(row)]


def test_the_sample_roster_is_valid() -> None:
    roster = Roster.from_csv(
        (SAMPLE / "units.csv").read_text(encoding="utf-8"),
        (SAMPLE / "people.csv").read_text(encoding="utf-8"),
    )
    kinds = {unit.kind for unit in roster.units.values()}
    assert kinds == set(UnitKind) - {UnitKind.SECTOR}  # the sample has no sectors (包片)
    assert roster.person("L-WD-01").role == "leader"
    assert roster.ancestor("WD-V01-G1", UnitKind.DISTRICT).code == "HY"  # type: ignore[union-attr]
    partners = {u.code for u in roster.units.values() if u.kind is UnitKind.PARTNER}
    assert {"SFS", "MZS", "FL", "FT", "ZFW"} <= partners


def test_jurisdiction_look_ups() -> None:
    roster = make_roster()
    assert roster.ancestor("WD-V01", UnitKind.STATION).code == "WD"  # type: ignore[union-attr]
    assert roster.ancestor("ZK-V01", UnitKind.DISTRICT).code == "ZK"  # type: ignore[union-attr]
    assert roster.ancestor("HY", UnitKind.STATION) is None
    with pytest.raises(InvalidInput) as bad:
        roster.unit("WD", UnitKind.VILLAGE, "village")
    assert bad.value.field == "village"


@pytest.mark.parametrize(
    ("row", "kind_of_parent"),
    [
        ({"code": "V9", "name": "村", "kind": "village", "parent": "HY"}, "district"),
        ({"code": "G9", "name": "网格", "kind": "grid", "parent": "WD"}, "station"),
        ({"code": "S9", "name": "所", "kind": "station", "parent": "WD-V01"}, "village"),
        ({"code": "P9", "name": "伙伴", "kind": "partner", "parent": "WD"}, "station"),
    ],
    ids=[
        "village-under-district",
        "grid-under-station",
        "station-under-village",
        "partner-under-station",
    ],
)
def test_a_parent_of_the_wrong_kind_names_the_row(row: dict[str, str], kind_of_parent: str) -> None:
    found = problems(with_unit(**row), PEOPLE)
    key = f"units[{row['code']}].parent"
    assert list(found) == [key]
    assert kind_of_parent in found[key]


def test_a_district_has_no_parent() -> None:
    found = problems(with_unit(code="D9", name="区", kind="district", parent="HY"), PEOPLE)
    assert list(found) == ["units[D9].parent"]


def test_a_missing_parent_names_the_row() -> None:
    found = problems(with_unit(code="V9", name="村", kind="village", parent=None), PEOPLE)
    assert list(found) == ["units[V9].parent"]


def test_an_unknown_parent_names_the_row() -> None:
    found = problems(with_unit(code="V9", name="村", kind="village", parent="NOWHERE"), PEOPLE)
    assert list(found) == ["units[V9].parent"]


def test_a_person_in_an_unknown_unit_names_the_row() -> None:
    found = problems(UNITS, with_person(id="P-X", name="某", role="leader", unit="NOWHERE"))
    assert list(found) == ["people[P-X].unit"]
    assert "NOWHERE" in found["people[P-X].unit"]


def test_a_person_in_a_partner_unit_names_the_row() -> None:
    found = problems(UNITS, with_person(id="P-X", name="某", role="leader", unit="SFS"))
    assert list(found) == ["people[P-X].unit"]


def test_a_duplicate_unit_code_names_the_row() -> None:
    found = problems(with_unit(code="WD-V01", name="重复", kind="village", parent="WD"), PEOPLE)
    assert "units[WD-V01]" in found
    assert "duplicate" in found["units[WD-V01]"]


def test_a_duplicate_person_id_names_the_row() -> None:
    found = problems(UNITS, with_person(id="P-WD-01", name="重名", role="leader", unit="WD"))
    assert list(found) == ["people[P-WD-01]"]
    assert "duplicate" in found["people[P-WD-01]"]


def test_every_problem_is_named_at_once() -> None:
    units = with_unit(code="V9", name="村", kind="village", parent="HY")
    people = [
        *PEOPLE,
        {"id": "P-X", "name": "某", "role": "leader", "unit": "NOWHERE"},
        {"id": "P-WD-01", "name": "重名", "role": "leader", "unit": "WD"},
    ]
    assert set(problems(units, people)) == {
        "units[V9].parent",
        "people[P-X].unit",
        "people[P-WD-01]",
    }


def test_a_bad_value_names_the_file_line_and_column() -> None:
    units_csv = "code,name,kind,parent\nHY,区,district,\nWD,所,county,HY\n"
    people_csv = "id,name,role,unit\nL1,某,chief,WD\n"
    with pytest.raises(InvalidInputs) as bad:
        Roster.from_csv(units_csv, people_csv)
    assert {field for field, _ in bad.value.errors} == {
        "units.csv line 3 kind",
        "people.csv line 2 role",
    }


def test_a_wrong_header_names_the_file() -> None:
    with pytest.raises(InvalidInput) as bad:
        Roster.from_csv("code,name,type,parent\n", "id,name,role,unit\n")
    assert bad.value.field == "units.csv"


def test_a_utf8_bom_is_accepted() -> None:
    roster = Roster.from_csv(
        "\ufeffcode,name,kind,parent\nHY,区,district,\nWD,所,station,HY\n",
        "\ufeffid,name,role,unit\nL1,某,leader,WD\n",
    )
    assert roster.person("L1").unit == "WD"


def test_loading_the_same_roster_again_records_nothing() -> None:
    app = DisputesApp(MEMORY, clock=lambda: NOW)
    assert app.load_roster(make_roster()) is True
    driver = Driver(app, app.execute)
    with driver.nothing_stored():
        assert app.load_roster(make_roster()) is False
    app.close()


def test_a_changed_roster_is_recorded_and_in_force() -> None:
    app = DisputesApp(MEMORY, clock=lambda: NOW)
    app.load_roster(make_roster())
    newcomer = {"id": "P-WD-09", "name": "新人", "role": "community-police", "unit": "WD"}
    driver = Driver(app, app.execute)
    before = driver.position()
    assert app.load_roster(Roster.from_rows(UNITS, [*PEOPLE, newcomer]), at=T0) is True
    assert driver.position() > before
    case = driver.reported()
    assert driver.act("grade", case, actor="P-WD-09").event == "Graded"
    app.close()


def test_a_later_roster_is_in_force_from_when_it_was_recorded() -> None:
    """Issue 11 §1: the first roster is in force from the beginning, a later one from when it
    was recorded (unless given a time): the newcomer was not on the roster before."""
    app = DisputesApp(MEMORY, clock=lambda: NOW)
    app.load_roster(make_roster())
    newcomer = {"id": "P-WD-09", "name": "新人", "role": "community-police", "unit": "WD"}
    app.load_roster(Roster.from_rows(UNITS, [*PEOPLE, newcomer]))
    driver = Driver(app, app.execute)
    case = driver.reported()
    with pytest.raises(OutOfScope, match="not on the roster at that time"):
        driver.act("grade", case, actor="P-WD-09")
    assert "P-WD-09" in app.roster.people
    assert "P-WD-09" not in app.roster_at(T0).people
    app.close()


def test_the_recorded_roster_is_in_force_after_a_restart(tmp_path: Path) -> None:
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp_path / "r.db")}
    first = DisputesApp(env, clock=lambda: NOW)
    first.load_roster(make_roster())
    first.close()
    second = DisputesApp(env, clock=lambda: NOW)
    assert second.roster.person("L-WD-01").role == "leader"
    assert Driver(second, second.execute).reported() == "HY-2021-0001"
    second.close()
