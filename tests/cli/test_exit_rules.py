"""Issue 10 §6: exit codes follow the README table everywhere. A time in the future is invalid
input naming ``at`` (2), a time before the case's previous event is the time rule's refusal (1),
on the command line and in a journal alike; ``policy show --version`` of a version no event used
is not found (3), saying only that; Ctrl-C during ``apply`` stops cleanly and exits 130.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from tests.support.driver import AUX, GRID, OFFICER, VILLAGE, Disputes, at
from tests.support.stores import stored_events

if TYPE_CHECKING:
    from pathlib import Path

REFUSED, INVALID, NOT_FOUND, INTERRUPTED = 1, 2, 3, 130


def tomorrow() -> str:
    return (datetime.now(UTC) + timedelta(days=1)).isoformat(timespec="minutes")


def test_a_future_time_and_the_time_rule_say_what_they_are(d: Disputes, tmp_path: Path) -> None:
    case = d.open_case()  # assigned (a decision) on day 1 at 11:00
    future = d.fails("visit", case, "--at", tomorrow(), actor=AUX, code=INVALID)
    assert future.startswith("error: at: ")
    assert "lies in the future" in future
    refer = ["--to", "SFS", "--reason", "r"]
    before = "2024-03-01T10:30"  # before the assignment
    earlier = d.fails("refer", case, *refer, "--at", before, actor=OFFICER, code=REFUSED)
    assert earlier.startswith("error: time rule: ")

    journal = tmp_path / "times.jsonl"
    lines = [
        {"id": "f1", "at": tomorrow(), "actor": AUX, "command": "visit", "case": case},
        {"id": "f2", "at": before, "actor": OFFICER, "command": "refer", "case": case}
        | {"args": {"to": "SFS", "reason": "r"}},
    ]
    journal.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    failed = d.json("apply", str(journal), "--json", code=1)["failed"]
    assert failed[0]["error"].startswith("at: ")
    assert "lies in the future" in failed[0]["error"]
    assert failed[1]["error"].startswith("time rule: ")


@pytest.mark.parametrize(
    ("version", "code", "says"),
    [
        ("UNKNOWN", NOT_FOUND, "policy version UNKNOWN was never used"),
        ("", NOT_FOUND, "policy version  was never used"),
        ("0123456789ab", NOT_FOUND, "policy version 0123456789ab was never used"),
        ("版本\u200b", NOT_FOUND, "policy version 版本\u200b was never used"),
        ("a\x1b[2Jb", INVALID, "the value of --version: contains an escape sequence"),
    ],
)
def test_policy_show_of_a_version_that_is_not_one(
    d: Disputes, version: str, code: int, says: str
) -> None:
    d.report()
    result = d("policy", "show", "--version", version, code=code)
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert says in result.stderr


def test_policy_show_of_the_version_in_force(d: Disputes) -> None:
    d.report()
    version = d.history(d.ledger()[0]["case_no"])[0]["policy_version"]
    assert "[limits]" in d("policy", "show", "--version", version).stdout


def journal_of_reports(path: Path, count: int) -> Path:
    args = {"category": "neighbour", "source": "visit", "village": VILLAGE, "summary": "s"}
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            line = {"id": f"r{n}", "at": at(1), "actor": GRID, "command": "report"}
            out.write(json.dumps(line | {"case": f"C{n}", "args": args}) + "\n")
    return path


def disputes(*args: str, db: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", "from disputes.cli.main import main; main()", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "DISPUTES_DB": db},
    )


def test_ctrl_c_during_apply_stops_cleanly(d: Disputes, tmp_path: Path) -> None:
    """A real process, a real SIGINT once it has stored something: it exits 130 saying how many
    lines were applied, exactly those are stored, and running the file again finishes it."""
    lines = 8_000
    journal = journal_of_reports(tmp_path / "long.jsonl", lines)
    db = str(d.db)
    before = stored_events(db)
    run = disputes("apply", str(journal), "--quiet", "--json", "--lang", "en", db=db)
    try:
        deadline = time.monotonic() + 60
        while stored_events(db) == before and run.poll() is None:
            assert time.monotonic() < deadline, "apply stored nothing in 60 s"
            time.sleep(0.05)
        run.send_signal(signal.SIGINT)
        stdout, stderr = run.communicate(timeout=60)
    finally:
        run.kill()
    assert run.returncode == INTERRUPTED, stderr
    assert "Traceback" not in stderr
    result = json.loads(stdout)
    assert result["interrupted"] is True
    assert 0 < result["applied"] < lines, "the run ended before the signal: make it longer"
    assert f"interrupted: stopped after {result['applied']} lines applied" in stderr
    assert len(d.ledger()) == result["applied"]  # nothing lost, nothing half-written

    again = d.json("apply", str(journal), "--json")
    assert (again["applied"], again["skipped"]) == (lines - result["applied"], result["applied"])
