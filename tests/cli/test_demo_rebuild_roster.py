"""``demo``, ``rebuild`` and ``roster load|list``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from tests.support.driver import AUX, PEOPLE, UNITS, Disputes, at

if TYPE_CHECKING:
    from pathlib import Path

import pytest

SAMPLE_CASES = {"C01": "HY-2021-0001", "C04": "HY-2021-0002", "C02": "HY-2022-0001"}


def demo_store(bare: Disputes, into: Path) -> Disputes:
    return Disputes(bare.cli, bare.runner, into)


def test_demo_loads_the_sample_and_shows_the_ledger_and_a_history(
    bare: Disputes, tmp_path: Path
) -> None:
    into = tmp_path / "demo.db"
    text = bare("demo", "--into", str(into)).stdout
    assert "记录指令 49 条，失败 0 条" in text
    assert "台账（3 件）" in text
    assert "HY-2021-0001 办理记录" in text
    assert "销号" in text  # C01 ends closed
    demo = demo_store(bare, into)
    assert sorted(r["case_no"] for r in demo.ledger()) == sorted(SAMPLE_CASES.values())
    assert demo.history("HY-2021-0001")[-1]["event"] == "Closed"
    assert bare.stored_events() == 0  # the working store is not touched


def test_demo_starts_from_scratch_every_time(bare: Disputes, tmp_path: Path) -> None:
    into = tmp_path / "demo.db"
    bare("demo", "--into", str(into))
    demo = demo_store(bare, into)
    demo.write("relapse", "HY-2021-0001", "--grade", "red", "--reason", "r", actor=AUX, when=at(1))
    bare("demo", "--into", str(into))
    assert demo.show("HY-2021-0001")["status"] == "closed"
    assert len(demo.ledger()) == 3


def test_demo_shows_the_case_asked_for(bare: Disputes, tmp_path: Path) -> None:
    text = bare("demo", "--into", str(tmp_path / "demo.db"), "--case", "C02").stdout
    assert "HY-2022-0001 办理记录" in text


def test_demo_of_an_unknown_sample_case(bare: Disputes, tmp_path: Path) -> None:
    result = bare("demo", "--into", str(tmp_path / "demo.db"), "--case", "C99", code=2)
    assert "--case" in result.stderr
    assert "C01" in result.stderr


@pytest.mark.sqlite_only
def test_demo_refuses_to_overwrite_the_working_store(d: Disputes) -> None:
    case = d.report()
    stored = d.stored_events()
    result = d("demo", "--into", str(d.db), code=2)
    assert "--into" in result.stderr
    assert d.stored_events() == stored
    assert d.show(case)["case_no"] == case


def test_rebuild_gives_the_same_read_models(d: Disputes) -> None:
    d("apply", str(UNITS.parent / "scenarios.jsonl"))
    ledger = d.ledger()
    trails = {r["case_no"]: d.history(r["case_no"]) for r in ledger}
    rebuilt = d.json("rebuild", "--json")
    assert rebuilt["events"] >= sum(len(trail) for trail in trails.values())
    assert d.ledger() == ledger
    assert {case: d.history(case) for case in trails} == trails
    assert "rebuilt projections" in d("rebuild", "--lang", "en").stdout
    assert "已根据" in d("rebuild").stdout


def test_roster_load_records_once(bare: Disputes) -> None:
    args = ("roster", "load", "--units", str(UNITS), "--people", str(PEOPLE), "--json")
    units = len(UNITS.read_text(encoding="utf-8").splitlines()) - 1
    people = len(PEOPLE.read_text(encoding="utf-8").splitlines()) - 1
    assert bare.json(*args) == {"units": units, "people": people, "recorded": True}
    stored = bare.stored_events()
    assert bare.json(*args)["recorded"] is False
    assert bare.stored_events() == stored


def test_roster_list(d: Disputes) -> None:
    people = d.json("roster", "list", "--json")
    assert {"id": AUX, "name": "傅桂芝", "role": "auxiliary-police", "unit": "WD-V01"} in people
    units = d.json("roster", "list", "--kind", "units", "--json")
    assert {u["kind"] for u in units} == {"district", "station", "village", "grid", "partner"}
    assert AUX in d("roster", "list").stdout


def test_roster_list_without_a_roster(bare: Disputes) -> None:
    result = bare("roster", "list", code=2)
    assert "roster" in result.stderr


def test_roster_with_a_wrong_header(bare: Disputes, tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    units.write_text("code,name,kind\nHY,淮阳,district\n", encoding="utf-8")
    error = bare.fails("roster", "load", "--units", str(units), "--people", str(PEOPLE), code=2)
    assert "units.csv: header must be code,name,kind,parent" in error


def test_roster_with_bad_rows_names_each(bare: Disputes, tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    units.write_text(
        "code,name,kind,parent\nHY,淮阳,district,\nWD,王店,station,HY\nX,某,planet,HY\n",
        encoding="utf-8",
    )
    people = tmp_path / "people.csv"
    people.write_text("id,name,role,unit\nP1,甲,boss,WD\n", encoding="utf-8")
    error = bare.fails("roster", "load", "--units", str(units), "--people", str(people), code=2)
    assert "units.csv line 4 kind" in error
    assert "people.csv line 2 role" in error


def test_roster_with_an_unknown_parent(bare: Disputes, tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    units.write_text("code,name,kind,parent\nHY,淮阳,district,\nWD,王店,station,XX\n", "utf-8")
    people = tmp_path / "people.csv"
    people.write_text("id,name,role,unit\nP1,甲,leader,WD\n", encoding="utf-8")
    error = bare.fails("roster", "load", "--units", str(units), "--people", str(people), code=2)
    assert "units[WD].parent" in error


def test_roster_missing_file(bare: Disputes, tmp_path: Path) -> None:
    error = bare.fails(
        "roster", "load", "--units", str(tmp_path / "no.csv"), "--people", str(PEOPLE), code=2
    )
    assert "no.csv" in error


def test_roster_with_a_bom_is_read(bare: Disputes, tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    units.write_bytes(b"\xef\xbb\xbf" + UNITS.read_bytes())
    result = bare.json("roster", "load", "--units", str(units), "--people", str(PEOPLE), "--json")
    assert result["recorded"] is True
    assert json.dumps(result)
