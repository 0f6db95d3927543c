"""Local mode (docs/trust.md §3): the OS user is recorded beside the actor of every command the
CLI records — a single verb and each line of an applied journal — and kept out of history's
JSON (the trusted desk reads what it always read)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from disputes.storage.store import Store
from tests.gate.conftest import roster
from tests.support.driver import GRID, OFFICER, at, report_args

if TYPE_CHECKING:
    from pathlib import Path

    import click


@pytest.fixture
def desk(store_location: str, monkeypatch: pytest.MonkeyPatch) -> str:
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(name, "desk-7")
    with Store(store_location) as store:
        store.app.load_roster(roster())
    return store_location


def events_of(location: str, case: str) -> list[tuple[str, str | None]]:
    with Store(location) as store:
        found = store.app.events.get(store.case(case).id)
        return [(e.actor, e.os_user) for e in found]


def test_a_verb_and_a_journal_record_the_os_user(
    cli: click.Group, desk: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    argv = ["--db", desk, "--as", GRID, *report_args(), "--json"]
    case = json.loads(runner.invoke(cli, argv, catch_exceptions=False).stdout)["case_no"]
    line = {
        "id": "J-1",
        "at": at(2),
        "actor": OFFICER,
        "command": "grade",
        "case": case,
        "args": {"grade": "red", "reason": "r"},
    }
    journal = tmp_path / "j.jsonl"
    journal.write_text(json.dumps(line) + "\n", encoding="utf-8")
    applied = runner.invoke(cli, ["--db", desk, "apply", "--quiet", str(journal)])
    assert applied.exit_code == 0, applied.output
    assert events_of(desk, case) == [(GRID, "desk-7"), (OFFICER, "desk-7")]
    trail = json.loads(runner.invoke(cli, ["--db", desk, "history", case, "--json"]).stdout)
    assert all("os_user" not in entry for entry in trail)


def test_the_desk_prints_exactly_what_the_gate_answers(cli: click.Group, desk: str) -> None:
    """Each read verb is "gate call + render": its --json is the gate's answer, byte for byte."""
    from disputes.domain.clock import parse_time
    from disputes.gate.gate import Gate

    runner = CliRunner()

    def printed(*args: str) -> str:
        result = runner.invoke(cli, ["--db", desk, *args], catch_exceptions=False)
        return result.stdout

    argv = ["--db", desk, "--as", GRID, *report_args(), "--json"]
    case = json.loads(runner.invoke(cli, argv, catch_exceptions=False).stdout)["case_no"]
    with Store(desk) as store:
        gate = Gate(store)
        answers = {
            ("show", case, "--json"): gate.show(case),
            ("history", case, "--json"): gate.history(case),
            ("ledger", "--json"): gate.ledger(),
            ("due", "--on", at(5), "--json"): gate.due(parse_time(at(5))),
            ("verify", "--json"): gate.verify(),
        }
    for args, answer in answers.items():
        assert printed(*args) == json.dumps(answer, ensure_ascii=False, indent=2) + "\n", args
