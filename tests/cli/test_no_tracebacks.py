"""Issue 10 §5: no input ends in a traceback. Times at the ends of the calendar in reads, bytes
that are not UTF-8 on the command line, lone surrogates and over-long integers in a journal:
each is exit 2 naming what is wrong, and a bad journal line never stops the lines after it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from tests.support.driver import GRID, VILLAGE, Disputes, at

if TYPE_CHECKING:
    from pathlib import Path

INVALID = 2
EDGES = ["9999-12-31T23:59", "9999-12-31T23:59-12:00", "0001-01-01", "0001-01-01T00:00+14:00"]


@pytest.mark.parametrize("when", EDGES)
@pytest.mark.parametrize(
    "read",
    [
        ["show", "{case}", "--as-of"],
        ["show", "{case}", "--known-at"],
        ["ledger", "--as-of"],
        ["ledger", "--known-at"],
        ["due", "--on"],
    ],
    ids=" ".join,
)
def test_a_time_at_the_ends_of_the_calendar_is_invalid_input(
    d: Disputes, read: list[str], when: str
) -> None:
    case = d.report()
    args = [a.format(case=case) for a in read]
    error = d.fails(*args, when, code=INVALID)
    assert f"{args[-1]}: '{when}' lies outside the years 1900–2999" in error


@pytest.mark.parametrize("when", EDGES)
def test_a_write_at_the_ends_of_the_calendar_is_invalid_input(d: Disputes, when: str) -> None:
    args = ["report", "--category", "neighbour", "--source", "visit", "--village", VILLAGE]
    error = d.fails(*args, "--summary", "s", "--at", when, actor=GRID, code=INVALID)
    assert "at:" in error


@pytest.mark.parametrize(
    "argv",
    [
        ["show", "HY-2024-\udcff"],
        ["ledger", "--station", "\udcff\udcfe"],
        ["report", "--summary", "\udcc3\udca9t\udce9"],
        ["\udcff"],
    ],
    ids=["case", "option", "summary", "verb"],
)
def test_bytes_that_are_not_utf8_on_the_command_line(
    store_location: str, argv: list[str], tmp_path: Path
) -> None:
    raw = [os.fsencode(a) for a in argv]
    done = subprocess.run(
        [sys.executable, "-c", "from disputes.cli.main import main; main()", *raw],
        capture_output=True,
        timeout=60,
        check=False,
        env={**os.environ, "DISPUTES_DB": store_location, "DISPUTES_ACTOR": GRID},
        cwd=tmp_path,
    )
    stderr = done.stderr.decode("utf-8")
    assert done.returncode == INVALID, stderr
    assert "Traceback" not in stderr
    assert "not valid UTF-8 (byte 0x" in stderr
    assert done.stdout == b""


def test_a_setting_that_is_not_utf8(store_location: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from disputes.cli.main import main; main()", "ledger"],
        capture_output=True,
        timeout=60,
        check=False,
        env={**os.environ, "DISPUTES_DB": store_location, "DISPUTES_ACTOR": "\udcff"},
    )
    assert done.returncode == INVALID
    assert b"DISPUTES_ACTOR: not valid UTF-8" in done.stderr


def report_line(id_: str, alias: str, **args: object) -> str:
    body: dict[str, object] = {"category": "neighbour", "source": "visit", "village": VILLAGE}
    body["summary"] = "两家争执"
    body.update(args)
    line = {"id": id_, "at": at(1), "actor": GRID, "command": "report", "case": alias}
    return json.dumps(line | {"args": body})


def test_bad_journal_lines_are_reported_and_the_run_goes_on(d: Disputes, tmp_path: Path) -> None:
    lines = [
        report_line("j1", "C1", summary="\\ud800"),  # a lone surrogate escape
        report_line("j2", "C2").replace('"C2"', '"\\udfff"'),  # …in the alias
        report_line("j3", "C3", people_involved=0).replace(": 0", ": " + "9" * 5000),
        report_line("j4", "C4", parties=[{"name": "\\ud83d", "role": "applicant"}]),
        report_line("\\ud800", "C5"),  # …in the id: not repeated back
        report_line("j6", "C6"),
    ]
    journal = tmp_path / "bad.jsonl"
    journal.write_text("\n".join(line.replace("\\\\u", "\\u") for line in lines), "utf-8")
    result = d.json("apply", str(journal), "--json", code=1)
    failed = {f["line"]: f for f in result["failed"]}
    assert sorted(failed) == [1, 2, 3, 4, 5]
    assert "args.summary: not valid Unicode text" in failed[1]["error"]
    assert "case: not valid Unicode text" in failed[2]["error"]
    assert "4300 digits" in failed[3]["error"]
    assert "args.parties.0.name" in failed[4]["error"]
    assert failed[5]["id"] is None
    assert (result["applied"], result["cases"]) == (1, {"C6": d.ledger()[0]["case_no"]})
    text = d("apply", str(journal), "--lang", "en", code=1)
    assert "line 1 (j1): args.summary" in text.stderr
    assert "第 1 行（j1）" in d("apply", str(journal), code=1).stderr


def test_a_path_the_system_refuses_is_invalid_input(d: Disputes, tmp_path: Path) -> None:
    """Found by the property test: a file name longer than the system allows (ENAMETOOLONG)
    was an OSError traceback, for an output file and for the store itself."""
    case = d.report()
    long_name = tmp_path / ("9" * 5000)
    error = d("--lang", "en", "export", case, "--dossier", str(long_name), code=INVALID).stderr
    assert "--dossier: cannot create" in error
    assert "File name too long" in error
    result = d.runner.invoke(d.cli, ["--db", f"{long_name}.db", "ledger"])
    assert result.exit_code == INVALID, result.output
    assert "File name too long" in result.stderr


def test_a_journal_line_ends_only_at_a_newline(d: Disputes, tmp_path: Path) -> None:
    """Found by the property test: lines were cut at a lone CR (text mode) and at U+2028 and
    U+2029 (str.splitlines), which JSON allows raw inside a string: one valid line became two
    bad ones. (The other characters splitlines cuts at are controls, refused as text.)"""
    separators = "\u2028\u2029"
    lines = [
        report_line("n1", "C1", summary=f"第一段{separators}第二段"),
        report_line("n2", "C2", parties=["梁某:applicant"]),
    ]
    raw = "\r\n".join(json.dumps(json.loads(line), ensure_ascii=False) for line in lines)
    journal = tmp_path / "separators.jsonl"
    journal.write_bytes(raw.encode("utf-8"))
    result = d.json("apply", str(journal), "--json")
    assert (result["applied"], result["failed"]) == (2, [])
    journal.write_bytes(b'{"id": "x"}\r{"id": "y"}\n')
    failed = d.json("apply", str(journal), "--json", code=1)["failed"]
    assert [f["line"] for f in failed] == [1]  # one line with a CR inside, not two


def test_a_command_id_repeated_within_one_journal_is_applied_once(
    d: Disputes, tmp_path: Path
) -> None:
    """The same line three times in one batch: the first applies, the others are answered as
    already recorded (their first answer is still in the unsaved batch)."""
    case = d.open_case()
    refer = {"id": "twice", "at": at(2), "actor": "P-WD-01", "command": "refer", "case": case}
    line = json.dumps(refer | {"args": {"to": "SFS", "reason": "移交"}})
    journal = tmp_path / "repeated.jsonl"
    journal.write_text("\n".join([line, line, line]), encoding="utf-8")
    result = d.json("apply", str(journal), "--json")
    assert (result["applied"], result["skipped"], result["failed"]) == (1, 2, [])
    assert [e["event"] for e in d.history(case)].count("Referred") == 1


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    "state",
    [b"{}", b"null", b"\x00\xff\x00", b'{"case_no": 1}'],
    ids=["empty", "null", "bytes", "shape"],
)
def test_an_event_edited_by_hand_is_named_as_damage_not_a_traceback(
    d: Disputes, state: bytes
) -> None:
    """A payload of the wrong shape (or not JSON) in the log: every read and rebuild says the
    store is damaged and points to verify (exit 2); verify names the event (exit 1)."""
    import sqlite3
    from contextlib import closing

    case = d.open_case()
    with closing(sqlite3.connect(str(d.db))) as connection, connection:
        connection.execute(
            "UPDATE stored_events SET state = ? WHERE topic = 'disputes:Dispute.Graded'", (state,)
        )
    for args in (("show", case), ("rebuild",), ("due",)):
        result = d(*args, code=2)
        assert "the store's events are damaged" in result.stderr, (args, result.stderr)
        assert "disputes verify" in result.stderr
    assert "modified" in d("verify", code=1).stderr


def test_a_dossier_of_the_wrong_shape_is_invalid_input(d: Disputes, tmp_path: Path) -> None:
    key = tmp_path / "k"
    d("keygen", "--out", str(key))
    for dossier in ({"checkpoint": None}, {"events": [], "checkpoint": [], "proof": 1}, []):
        path = tmp_path / "bad.json"
        path.write_text(json.dumps(dossier), "utf-8")
        result = d("verify-dossier", str(path), "--key", f"{key}.pub", code=2)
        assert "Traceback" not in result.stderr
        path.unlink()


def test_a_roster_field_over_the_csv_limit_is_invalid_input(d: Disputes, tmp_path: Path) -> None:
    from tests.support.driver import PEOPLE

    units = tmp_path / "units.csv"
    units.write_text("code,name,kind,parent\nHY," + "x" * 200_000 + ",district,\n", "utf-8")
    result = d("roster", "load", "--units", str(units), "--people", str(PEOPLE), code=2)
    assert "not a readable CSV row" in result.stderr
