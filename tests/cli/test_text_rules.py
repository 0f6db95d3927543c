"""Issue 10 §11: text that attacks the terminal. Control characters (newline and tab aside, in
free text), ANSI escape sequences and direction overrides/isolates are refused in every text
field, on the command line and in journals (exit 2, naming the field); CRLF is read as LF; text
made only of invisible characters is empty. Stored text is shown as written, never as markup.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from disputes.domain.commands import build_command
from disputes.domain.errors import InvalidInputs
from disputes.domain.roster import Roster
from tests.support.driver import GRID, LEADER, OFFICER, PEOPLE, UNITS, VILLAGE, Disputes, at

if TYPE_CHECKING:
    from pathlib import Path

INVALID = 2

ATTACKS = {
    "ANSI colour": "红\x1b[31m色",
    "ANSI clear screen": "\x1b[2J\x1b[H伪造",
    "C1 CSI": "a\x9b31mb",
    "bell": "a\x07b",
    "NUL": "a\x00b",
    "carriage return alone": None,  # CR is read as LF, see below
    "right-to-left override": "付款\u202e001\u202c",
    "left-to-right isolate": "a\u2066b\u2069",
    "right-to-left mark": "a\u200fb",
    "Arabic letter mark": "a\u061cb",
    "interlinear annotation": "a\ufff9b",
}
REFUSED = {name: text for name, text in ATTACKS.items() if text is not None}


def report(d: Disputes, *extra: str, code: int = 0, summary: str = "两家争执") -> str:
    args = ["report", "--category", "neighbour", "--source", "visit", "--village", VILLAGE]
    args += ["--summary", summary, "--at", at(1), *extra]
    if code:
        return d.fails(*args, actor=GRID, code=code)
    return str(d.json(*args, "--json", actor=GRID)["case_no"])


@pytest.mark.parametrize("text", REFUSED.values(), ids=REFUSED.keys())
def test_a_summary_that_attacks_the_terminal_is_refused_naming_it(d: Disputes, text: str) -> None:
    error = report(d, summary=text, code=INVALID)
    assert "summary" in error
    assert "\x1b" not in error
    assert "\u202e" not in error


@pytest.mark.parametrize("text", REFUSED.values(), ids=REFUSED.keys())
def test_every_text_field_of_every_verb_gets_the_rule(text: str) -> None:
    """The rule sits in the command models' text types: free text, names, ids and codes."""
    cases = [
        ("report", {"summary": text}),
        ("report", {"parties": [f"梁{text}某:applicant"]}),
        ("report", {"parties": [{"name": text, "role": "related"}]}),
        ("report", {"village": text}),
        ("grade", {"reason": text}),
        ("grade", {"signals": ["weapons", text]}),
        ("deliberate", {"plan": text}),
        ("deliberate", {"attendees": [text]}),
        ("visit", {"note": text}),
        ("resolve", {"agreement": text}),
        ("close", {"note": text}),
        ("outcome", {"ref": text}),
        ("report", {"actor": text}),
        ("report", {"command_id": text}),
    ]
    base = {
        "report": {"category": "neighbour", "source": "visit", "village": VILLAGE, "summary": "s"},
        "grade": {"grade": "red", "reason": "r"},
        "deliberate": {"plan": "p"},
        "visit": {},
        "resolve": {"agreement": "a", "form": "oral"},
        "close": {},
        "outcome": {"kind": "petition"},
    }
    for verb, args in cases:
        data = {**base[verb], "actor": GRID, "at": at(1), **args}
        if verb != "report":
            data["case"] = "HY-2024-0001"
        with pytest.raises(InvalidInputs) as refused:
            build_command(verb, data)
        field = next(iter(args))
        assert field in str(refused.value), (verb, args, refused.value)


def test_newlines_and_tabs_are_free_text_and_crlf_becomes_lf(d: Disputes) -> None:
    case = report(d, summary="第一行\r\n第二行\r第三行\t完")
    assert d.show(case)["summary"] == "第一行\n第二行\n第三行\t完"


def test_a_newline_in_a_name_or_an_id_is_refused(d: Disputes) -> None:
    error = report(d, "--parties", "梁\n某:applicant", code=INVALID)
    assert "parties" in error


@pytest.mark.parametrize(
    "text",
    ["\u200b", "\u200b\u200c\u200d", " \ufeff ", "\u2060\u3164", "\u00a0\u200b"],
    ids=["zero-width space", "zero-width joiners", "BOM", "word joiner, filler", "nbsp"],
)
def test_text_made_only_of_invisible_characters_is_empty(d: Disputes, text: str) -> None:
    error = report(d, summary=text, code=INVALID)
    assert "summary: must not be empty" in error
    case = report(d)
    d.write("grade", case, "--grade", "red", "--reason", "r", actor=OFFICER, when=at(1, 10))
    error = d.fails("downgrade", case, "--reason", text, "--at", at(2), actor=LEADER, code=INVALID)
    assert "reason: must not be empty" in error


def test_a_journal_line_gets_the_same_rule_nested_in_args(d: Disputes, tmp_path: Path) -> None:
    def line(n: int, summary: str, parties: list[object]) -> str:
        args = {"category": "neighbour", "source": "visit", "village": VILLAGE}
        args.update(summary=summary, parties=parties)
        return json.dumps(
            {"id": f"t{n}", "at": at(1), "actor": GRID, "command": "report", "case": f"C{n}"}
            | {"args": args}
        )

    journal = tmp_path / "attacks.jsonl"
    journal.write_text(
        "\n".join(
            [
                line(1, "\x1b[2J清屏", []),
                line(2, "正常", [{"name": "梁\u202e某", "role": "applicant"}]),
                line(3, "正常", ["梁某:applicant"]),
            ]
        ),
        encoding="utf-8",
    )
    result = d.json("apply", str(journal), "--json", code=1)
    assert [f["line"] for f in result["failed"]] == [1, 2]
    assert "args.summary" in result["failed"][0]["error"]
    assert "args.parties" in result["failed"][1]["error"]
    assert result["applied"] == 1


def test_a_roster_name_gets_the_same_rule(tmp_path: Path) -> None:
    people = PEOPLE.read_text(encoding="utf-8").splitlines()
    person = people[1].split(",")
    person[1] = "王\x1b[8m警官"
    bad = tmp_path / "people.csv"
    bad.write_text("\n".join([people[0], ",".join(person), *people[2:]]), encoding="utf-8")
    with pytest.raises(InvalidInputs) as refused:
        Roster.from_csv(UNITS.read_text(encoding="utf-8"), bad.read_text(encoding="utf-8"))
    assert "people.csv line 2 name" in str(refused.value)


def test_stored_text_is_shown_as_written_not_as_markup(d: Disputes) -> None:
    """A table cell is plain text: a summary with rich's markup neither fails nor restyles."""
    case = report(d, summary="[/bold] [red]x[/red]")
    assert "[/bold] [red]x[/red]" in d("show", case).stdout
    assert "[/bold]" in d("history", case).stdout


def test_more_invisible_text_and_line_separators_in_names() -> None:
    """A soft hyphen with a combining grapheme joiner shows nothing (empty); a line separator
    (U+2028) makes a name two lines (refused), while free text may hold it."""
    from disputes.domain.text import invisible_only, text_problem

    assert invisible_only("\u00ad\u034f\ufe0f")
    assert "line break U+2028" in (text_problem("梁\u2028某") or "")
    assert text_problem("第一行\u2028第二行", lines=True) is None
