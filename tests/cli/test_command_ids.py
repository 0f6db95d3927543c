"""``--command-id``: a retry with the same id records nothing new and answers as the first time."""

from __future__ import annotations

import pytest

from tests.support.driver import AUX, GRID, LEADER, OFFICER, VILLAGE, Disputes, at, report_args


def report(d: Disputes, command_id: str, summary: str = "两家因排水争执") -> dict[str, object]:
    outcome: dict[str, object] = d.json(
        "report",
        "--category",
        "neighbour",
        "--source",
        "walk-in",
        "--village",
        VILLAGE,
        "--summary",
        summary,
        "--at",
        at(1),
        "--command-id",
        command_id,
        "--json",
        actor=GRID,
    )
    return outcome


def test_a_retried_report_answers_the_same_case_and_records_nothing(d: Disputes) -> None:
    first = report(d, "phone-42")
    stored = d.stored_events()
    again = report(d, "phone-42")
    assert (first["duplicate"], again["duplicate"]) == (False, True)
    assert {**again, "duplicate": False} == first
    assert d.stored_events() == stored
    assert len(d.ledger()) == 1


def test_a_retried_case_command_records_nothing(d: Disputes) -> None:
    case = d.open_case()
    args = ("visit", case, "--note", "入户", "--command-id", "v-1", "--json")
    first = d.json(*args, "--at", at(2), actor=AUX)
    stored = d.stored_events()
    again = d.json(*args, "--at", at(2), actor=AUX)
    assert (first["event"], first["duplicate"]) == ("Visited", False)
    assert (again["case_no"], again["verb"], again["duplicate"]) == (case, "visit", True)
    assert (again["status"], again["grade"], again["version"]) == ("open", "red", first["version"])
    assert d.stored_events() == stored
    assert [e["event"] for e in d.history(case)].count("Visited") == 1


def test_a_retry_after_the_case_moved_on_still_records_nothing(d: Disputes) -> None:
    case = d.open_case()
    first = d.json("visit", case, "--at", at(2), "--command-id", "v-1", "--json", actor=AUX)
    d.write("downgrade", case, "--reason", "稳定", actor=LEADER, when=at(3))
    events = len(d.history(case))
    again = d.json("visit", case, "--at", at(2), "--command-id", "v-1", "--json", actor=AUX)
    assert {**again, "duplicate": False} == first  # as the first time: version 4, still red
    text = d("visit", case, "--at", at(2), "--command-id", "v-1", actor=AUX).stdout
    assert "该指令编号已记录过，本次未新增记录" in text
    assert len(d.history(case)) == events


def test_a_retry_without_at_is_the_same_command_whenever_it_is_sent(d: Disputes) -> None:
    """A defaulted "now" never makes a retry differ: exit 4 stays safe to retry."""
    case = d.open_case()
    first = d.json("visit", case, "--note", "稳控", "--command-id", "v-now", "--json", actor=AUX)
    again = d.json("visit", case, "--note", "稳控", "--command-id", "v-now", "--json", actor=AUX)
    assert again == {**first, "duplicate": True}


@pytest.mark.parametrize(
    ("change", "differs"),
    [
        (["--note", "别的情况"], "note"),
        (["--mode", "phone"], "mode"),
        (["--at", at(3)], "at"),
        (["--as", LEADER], "actor"),
    ],
)
def test_a_command_id_reused_with_other_args_is_invalid_and_names_what_differs(
    d: Disputes, change: list[str], differs: str
) -> None:
    case = d.open_case()
    d("visit", case, "--note", "稳控", "--at", at(2), "--command-id", "v-2", actor=AUX)
    events = len(d.history(case))
    argv = ["visit", case, "--note", "稳控", "--at", at(2), "--command-id", "v-2", *change]
    error = d.fails(*argv, actor=AUX, code=2)
    assert "v-2" in error
    assert f"{differs} (" in error
    assert len(d.history(case)) == events


def test_a_command_id_reused_for_another_verb_is_invalid(d: Disputes) -> None:
    case = d.open_case()
    d("visit", case, "--at", at(2), "--command-id", "c-1", actor=AUX)
    error = d.fails(
        "mediate",
        case,
        "--result",
        "progress",
        "--at",
        at(3),
        "--command-id",
        "c-1",
        actor=OFFICER,
        code=2,
    )
    assert "command-id" in error
    assert "c-1" in error


def test_a_command_id_of_a_case_command_reused_for_a_report_is_invalid(d: Disputes) -> None:
    case = d.open_case()
    d("visit", case, "--at", at(2), "--command-id", "c-2", actor=AUX)
    before = d.stored_events()
    args = [*report_args(summary="s", at=at(3)), "--command-id", "c-2"]
    result = d(*args, "--lang", "en", actor=GRID, code=2)
    assert "command-id" in result.stderr
    assert "指令编号规则：c-2 已用于" in d(*args, actor=GRID, code=2).stderr
    assert d.stored_events() == before
