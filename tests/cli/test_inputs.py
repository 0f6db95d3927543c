"""Invalid input (exit 2) and not found (exit 3): each refusal names the field and the reason,
and stores nothing (counted in the event store itself)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from disputes.domain.policy import load_policy
from tests.support.driver import (
    CASE_VERBS,
    GRID,
    LEADER,
    OFFICER,
    Disputes,
    at,
    report_args,
)

INVALID = 2
NOT_FOUND = 3
LIMITS = load_policy().limits
OBSERVATION = load_policy().observation


def in_future() -> str:
    return (datetime.now(UTC) + timedelta(days=1)).isoformat(timespec="minutes")


@pytest.mark.parametrize(
    ("override", "field", "reason"),
    [
        ({"village": "NO-SUCH-VILLAGE"}, "village", "NO-SUCH-VILLAGE is not a village unit"),
        ({"village": "WD"}, "village", "WD is not a village unit"),  # a station
        ({"village": "SFS"}, "village", "SFS is not a village unit"),  # a partner unit
        ({"category": "gossip"}, "category", "'gossip' is not in the policy"),
        ({"source": "rumour"}, "source", "'rumour' is not in the policy"),
        ({"summary": "   "}, "summary", ""),
        ({"summary": "x" * (LIMITS.summary_chars + 1)}, "summary", str(LIMITS.summary_chars)),
        ({"at": "yesterday"}, "at", "not an ISO 8601 time"),
        ({"at": "2024-13-01"}, "at", "not an ISO 8601 time"),  # no offset, and no 13th month
        ({"at": "2024-03-01 25:00"}, "at", "not an ISO 8601 time"),
        ({"at": "2024-03-01T09:00+25:00"}, "at", "not an ISO 8601 time"),
        ({"at": ""}, "at", "not an ISO 8601 time"),
        ({"parties": "梁某:boss"}, "parties", "applicant"),
        ({"parties": ":applicant"}, "parties", ""),
        ({"people-involved": "0"}, "people_involved", "greater than or equal to 1"),
    ],
)
def test_report_refuses_bad_input(
    d: Disputes, override: dict[str, str], field: str, reason: str
) -> None:
    error = d.fails(*report_args(**override), actor=GRID, code=INVALID)
    assert f"{field}" in error.split(":", 2)[1]
    assert reason in error
    assert d.ledger() == []


def test_report_refuses_a_time_in_the_future(d: Disputes) -> None:
    error = d.fails(*report_args(at=in_future()), actor=GRID, code=INVALID)
    assert "at:" in error
    assert "future" in error


def test_a_few_minutes_of_clock_skew_are_accepted(d: Disputes) -> None:
    skew = load_policy().time.clock_skew_minutes
    soon = (datetime.now(UTC) + timedelta(minutes=skew / 2)).isoformat(timespec="seconds")
    d(*report_args(at=soon), actor=GRID)
    assert len(d.ledger()) == 1


def test_a_time_with_an_offset_is_kept_and_one_without_is_shanghai(d: Disputes) -> None:
    d(*report_args(at="2024-03-01T01:00Z"), actor=GRID)
    d(*report_args(at="2024-03-01 09:30"), actor=GRID)
    times = [row["reported_at"] for row in d.ledger()]
    assert times == ["2024-03-01T09:00:00+08:00", "2024-03-01T09:30:00+08:00"]


def test_unknown_actor(d: Disputes) -> None:
    error = d.fails(*report_args(), actor="NOBODY", code=INVALID)
    assert "actor: NOBODY is not on the roster" in error


def test_missing_actor(d: Disputes) -> None:
    error = d.fails(*report_args(), code=INVALID)
    assert "--as" in error


def test_missing_required_option_is_a_usage_error(d: Disputes) -> None:
    error = d.fails("report", "--category", "neighbour", "--source", "visit", actor=GRID, code=2)
    assert "--village" in error


def test_unknown_verb(d: Disputes) -> None:
    error = d.fails("settle", "HY-2024-0001", actor=OFFICER, code=INVALID)
    assert "No such command 'settle'" in error


def test_no_roster_loaded(bare: Disputes) -> None:
    error = bare.fails(*report_args(), actor=GRID, code=INVALID)
    assert "roster" in error


@pytest.mark.parametrize(
    ("args", "field", "reason"),
    [
        (["grade", "--grade", "red", "--reason", ""], "reason", ""),
        (["grade", "--grade", "red", "--reason", "   "], "reason", ""),
        (["grade", "--grade", "red", "--reason", "x", "--signals", "ghosts"], "signals", "ghosts"),
        (["grade", "--grade", "blue", "--reason", "x"], "--grade", "'blue' is not one of"),
        (["assign", "--leader", OFFICER, "--officer", OFFICER], "leader", "not a leader"),
        (["assign", "--leader", LEADER, "--officer", GRID], "officer", "grid worker"),
        (["assign", "--leader", LEADER, "--officer", "NOBODY"], "officer", "not on the roster"),
        (
            ["assign", "--leader", LEADER, "--officer", OFFICER, "--auxiliary", GRID],
            "auxiliary",
            "grid worker",
        ),
        (["deliberate", "--plan", "p", "--attendees", "NOBODY"], "attendees", "not on the roster"),
        (["refer", "--to", "NOPE", "--reason", "r"], "to", "not a partner unit"),
        (["refer", "--to", "WD-V01", "--reason", "r"], "to", "not a partner unit"),
        (["refer", "--to", "SFS", "--reason", ""], "reason", ""),
        (["mediate", "--result", "progress", "--with-units", "NOPE"], "with_units", "partner"),
        (["mediate", "--result", "maybe"], "--result", "'maybe' is not one of"),
        (["visit", "--mode", "fax"], "--mode", "'fax' is not one of"),
        (["visit", "--note", "x" * (LIMITS.text_chars + 1)], "note", str(LIMITS.text_chars)),
        (["escalate", "--reason", ""], "reason", ""),
        (
            ["resolve", "--agreement", "a", "--form", "written", "--observe-days", "0"],
            "observe_days",
            "",
        ),
        (
            [
                "resolve",
                "--agreement",
                "a",
                "--form",
                "written",
                "--observe-days",
                str(OBSERVATION.minimum_days - 1),
            ],
            "observe_days",
            f"minimum of {OBSERVATION.minimum_days} days",
        ),
        (["resolve", "--agreement", "", "--form", "written"], "agreement", ""),
        (["resolve", "--agreement", "a", "--form", "email"], "--form", "'email' is not one of"),
        (["receipt", "--referral", "0", "--outcome", "accepted"], "referral", ""),
        (["receipt", "--referral", "1", "--outcome", "lost"], "--outcome", "'lost' is not one of"),
        (["visit", "--at", "2024-03-0X"], "at", "not an ISO 8601 time"),
    ],
)
def test_case_verbs_refuse_bad_input(d: Disputes, args: list[str], field: str, reason: str) -> None:
    case = d.open_case("yellow")
    verb, *options = args
    actor = LEADER if verb in ("assign", "deliberate") else OFFICER
    if "--at" not in options:
        options += ["--at", at(5)]
    error = d.fails(verb, case, *options, actor=actor, code=INVALID)
    assert field in error
    assert reason in error
    assert len(d.history(case)) == 3


def test_case_verb_refuses_a_time_in_the_future(d: Disputes) -> None:
    case = d.open_case()
    error = d.fails("visit", case, "--at", in_future(), actor=OFFICER, code=INVALID)
    assert "at:" in error
    assert "future" in error


def test_a_malformed_case_number_is_invalid(d: Disputes) -> None:
    error = d.fails("visit", "case-one", "--at", at(2), actor=OFFICER, code=INVALID)
    assert "case" in error


@pytest.mark.parametrize("verb", CASE_VERBS)
def test_every_case_verb_on_an_unknown_case_is_not_found(d: Disputes, verb: str) -> None:
    d.report()
    error = d.fails(
        verb, "HY-2024-0999", *CASE_VERBS[verb], "--at", at(2), actor=LEADER, code=NOT_FOUND
    )
    assert "HY-2024-0999 not found" in error


def test_receipt_for_an_unknown_referral_is_not_found(d: Disputes) -> None:
    case = d.open_case()
    d.write("refer", case, "--to", "SFS", "--reason", "r", actor=OFFICER, when=at(2))
    error = d.fails(
        "receipt",
        case,
        "--referral",
        "2",
        "--outcome",
        "accepted",
        "--at",
        at(3),
        actor=OFFICER,
        code=NOT_FOUND,
    )
    assert "no referral 2" in error


@pytest.mark.parametrize("read", ["show", "history"])
def test_reading_an_unknown_case_is_not_found(d: Disputes, read: str) -> None:
    error = d.fails(read, "HY-2024-0001", "--json", code=NOT_FOUND)
    assert "HY-2024-0001 not found" in error


@pytest.mark.sqlite_only
def test_a_directory_is_not_a_store(bare: Disputes) -> None:
    assert isinstance(bare.db, Path)
    bare.db = bare.db.parent
    result = bare("ledger", code=INVALID)
    assert "directory" in result.stderr


def test_an_unsupported_store_url(bare: Disputes) -> None:
    result = bare.runner.invoke(
        bare.cli, ["--db", "mysql://host/db", "ledger"], catch_exceptions=False
    )
    assert result.exit_code == INVALID
    assert "mysql://" in result.stderr


def test_a_time_at_the_start_of_the_calendar_is_refused(d: Disputes) -> None:
    error = d.fails(*report_args(at="0001-01-01T00:00+08:00"), actor=GRID, code=INVALID)
    assert "at:" in error


def test_assign_refuses_a_grid_worker_who_is_not_one(d: Disputes) -> None:
    case = d.report()
    args = ["--leader", LEADER, "--officer", OFFICER, "--grid-worker", "L-WD-02", "--at", at(2)]
    error = d.fails("assign", case, *args, actor=LEADER, code=INVALID)
    assert "grid_worker" in error
