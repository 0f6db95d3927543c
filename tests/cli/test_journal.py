"""``disputes apply FILE``: command journals (product.md §5) through the same validation as the
CLI — the ``--json`` shape, idempotent re-runs, and bad lines reported by line number while the
run goes on."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.driver import GRID, LEADER, OFFICER, SAMPLES, Disputes

if TYPE_CHECKING:
    from pathlib import Path

SCENARIOS = SAMPLES / "scenarios.jsonl"
YEAR = SAMPLES / "year-2021.jsonl"


def lines_of(path: Path) -> int:
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def apply(d: Disputes, path: Path, code: int = 0) -> dict[str, Any]:
    result: dict[str, Any] = d.json("apply", str(path), "--json", code=code)
    assert set(result) == {"applied", "skipped", "failed", "cases"}
    return result


def test_apply_the_sample_scenarios(d: Disputes) -> None:
    result = apply(d, SCENARIOS)
    assert result["applied"] == lines_of(SCENARIOS)
    assert (result["skipped"], result["failed"]) == (0, [])
    # samples/huaiyang/README.md: the case numbers the scenarios get after the roster
    assert result["cases"] == {"C01": "HY-2021-0001", "C04": "HY-2021-0002", "C02": "HY-2022-0001"}
    states = {r["case_no"]: (r["status"], r["grade"], r["relapses"]) for r in d.ledger()}
    assert states == {
        "HY-2021-0001": ("closed", "blue", 0),
        "HY-2021-0002": ("observing", "blue", 1),
        "HY-2022-0001": ("closed", "blue", 0),
    }


def test_re_applying_records_nothing_new(d: Disputes) -> None:
    first = apply(d, SCENARIOS)
    stored = d.stored_events()
    ledger = d.ledger()
    again = apply(d, SCENARIOS)
    assert (again["applied"], again["skipped"], again["failed"]) == (0, first["applied"], [])
    assert again["cases"] == first["cases"]
    assert d.stored_events() == stored
    assert d.ledger() == ledger


def test_apply_text_summary(d: Disputes) -> None:
    text = d("apply", str(SCENARIOS), "--lang", "en").stdout
    assert f"{lines_of(SCENARIOS)} applied" in text
    assert "0 failed" in text
    again = d("apply", str(SCENARIOS)).stdout
    assert f"新记录 0 条，已记录过 {lines_of(SCENARIOS)} 条，失败 0 条" in again


def test_apply_accepts_case_numbers_as_well_as_aliases(d: Disputes, tmp_path: Path) -> None:
    case = d.report()
    journal = write_journal(
        tmp_path,
        line("J1", "grade", case=case, grade="red", reason="持械", signals=["weapons"]),
    )
    result = apply(d, journal)
    assert (result["applied"], result["failed"], result["cases"]) == (1, [], {})
    assert d.show(case)["grade"] == "red"


def line(
    id_: str,
    command: str,
    *,
    case: str | None = "A1",
    at: str = "2024-03-01T10:00+08:00",
    actor: str = OFFICER,
    **args: Any,
) -> str:
    data: dict[str, Any] = {"id": id_, "at": at, "actor": actor, "command": command}
    if case is not None:
        data["case"] = case
    data["args"] = args
    return json.dumps(data, ensure_ascii=False)


def line_with_args(id_: str, command: str, **args: Any) -> str:
    """A line whose args also say what only the line may say (actor, case, at …)."""
    data = {"id": id_, "at": "2024-03-01T10:00+08:00", "actor": OFFICER, "command": command}
    return json.dumps({**data, "case": "A1", "args": args}, ensure_ascii=False)


REPORT = line(
    "J-report",
    "report",
    at="2024-03-01T09:00+08:00",
    actor=GRID,
    category="neighbour",
    source="informant",
    village="WD-V01",
    summary="排水纠纷",
)


def write_journal(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "journal.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


BAD_LINES: list[tuple[str, str | None, str]] = [
    # (line, id the failure names, words the error must contain)
    ("not json at all", None, "line: not valid JSON"),
    ('["a", "list"]', None, "JSON object"),
    (line("J-b1", "grade", grade="purple", reason="r"), "J-b1", "grade:"),
    (line("J-b2", "explode"), "J-b2", "unknown verb 'explode'"),
    (line("J-b3", "grade", case="NOALIAS", grade="red", reason="r"), "J-b3", "NOALIAS"),
    (line("J-b4", "grade", grade="red", reason="r", colour="x"), "J-b4", "colour: unknown field"),
    (line("J-b5", "visit", actor="NOBODY"), "J-b5", "actor: NOBODY is not on the roster"),
    (line("J-b6", "visit", actor=GRID), "J-b6", "role rule"),
    (line("J-b7", "grade", case="HY-2024-0999", grade="red", reason="r"), "J-b7", "not found"),
    (line("J-b8", "grade", at="2024-03-01T08:00+08:00", grade="red", reason="r"), "J-b8", "time"),
    (line("J-b9", "grade", at="soon", grade="red", reason="r"), "J-b9", "at:"),
    (
        line_with_args("J-b10", "grade", grade="red", reason="r", actor=LEADER),
        "J-b10",
        "args.actor",
    ),
    (line_with_args("J-b10a", "visit", case="HY-2024-0999"), "J-b10a", "args.case"),
    (line("J-b11", "visit", case=None), "J-b11", "case: missing"),
    (line("J-b12", "resolve", agreement="a", form="oral", observe_days=29), "J-b12", "minimum"),
    ('{"id": "J-b13", "at": "2024-03-01T10:00+08:00"}', "J-b13", "missing"),
    (
        '{"id": "J-b14", "at": "2024-03-01T10:00+08:00", "actor": "P-WD-01", '
        '"command": "visit", "case": "A1", "args": {}, "extra": 1}',
        "J-b14",
        "extra: unknown key",
    ),
    ("[" * 100_000, None, "not valid JSON"),
]


def test_bad_lines_are_reported_by_number_and_the_run_goes_on(d: Disputes, tmp_path: Path) -> None:
    good_after = line("J-good", "grade", at="2024-03-01T10:00+08:00", grade="red", reason="持械")
    lines = [REPORT, ""] + [text for text, _id, _words in BAD_LINES] + [good_after]
    journal = write_journal(tmp_path, *lines)
    result = apply(d, journal, code=1)
    assert result["applied"] == 2
    assert result["skipped"] == 0
    assert result["cases"] == {"A1": "HY-2024-0001"}
    failed = result["failed"]
    assert [f["line"] for f in failed] == list(range(3, 3 + len(BAD_LINES)))
    for failure, (_text, id_, words) in zip(failed, BAD_LINES, strict=True):
        assert set(failure) == {"line", "id", "error"}
        assert failure["id"] == id_
        assert words in failure["error"], failure
    assert [e["event"] for e in d.history("HY-2024-0001")] == ["Reported", "Graded"]
    assert d.history("HY-2024-0001")[1]["command_id"] == "J-good"


def test_re_running_a_journal_with_bad_lines(d: Disputes, tmp_path: Path) -> None:
    bad = line("J-bad", "grade", grade="purple", reason="r")
    good = line("J-good", "grade", grade="red", reason="r")
    journal = write_journal(tmp_path, REPORT, bad, good)
    apply(d, journal, code=1)
    stored = d.stored_events()
    again = apply(d, journal, code=1)
    assert (again["applied"], again["skipped"]) == (0, 2)
    assert [f["line"] for f in again["failed"]] == [2]
    assert again["cases"] == {"A1": "HY-2024-0001"}
    assert d.stored_events() == stored


def test_apply_text_mode_lists_failures_on_stderr(d: Disputes, tmp_path: Path) -> None:
    journal = write_journal(tmp_path, REPORT, "{", line("J-x", "explode"))
    result = d("apply", str(journal), "--lang", "en", code=1)
    assert "1 applied" in result.stdout
    assert "2 failed" in result.stdout
    assert "line 2: line: not valid JSON" in result.stderr
    assert "line 3 (J-x): command: unknown verb" in result.stderr
    assert "None" not in result.stderr
    zh = d("apply", str(journal), code=1)
    assert "新记录 0 条，已记录过 1 条，失败 2 条" in zh.stdout
    assert "第 2 行：输入有误：指令行：不是有效的 JSON" in zh.stderr


def test_apply_a_missing_file(d: Disputes, tmp_path: Path) -> None:
    error = d.fails("apply", str(tmp_path / "nope.jsonl"), code=2)
    assert "nope.jsonl" in error


def test_a_line_that_is_not_utf8_is_reported_and_the_run_goes_on(
    d: Disputes, tmp_path: Path
) -> None:
    """A byte that is not UTF-8 fails its own line (named, with the byte), not the file."""
    path = tmp_path / "latin1.jsonl"
    good = json.dumps(
        {"id": "u2", "at": "2024-03-01T09:00", "actor": GRID, "command": "report", "case": "C2",
         "args": {"category": "neighbour", "source": "visit", "village": "WD-V01",
                  "summary": "两家争执"}},
        ensure_ascii=False,
    )  # fmt: skip
    path.write_bytes(b'{"id": "u1", "summary": "\xff\xfe"}\n' + good.encode() + b"\n")
    result = d.json("apply", str(path), "--json", code=1)
    assert result["applied"] == 1
    assert [f["line"] for f in result["failed"]] == [1]
    assert "not valid UTF-8 (byte 0xFF" in result["failed"][0]["error"]


@pytest.mark.slow
def test_apply_the_sample_year_twice(d: Disputes) -> None:
    """samples/huaiyang/README.md: 510 cases, 10,441 commands, none refused, 290 closed."""
    result = apply(d, YEAR)
    assert (result["applied"], result["skipped"], result["failed"]) == (lines_of(YEAR), 0, [])
    assert len(result["cases"]) == len(set(result["cases"].values())) == 510
    assert len(d.ledger("--status", "closed")) == 290
    stored = d.stored_events()
    again = apply(d, YEAR)
    assert (again["applied"], again["skipped"], again["failed"]) == (0, lines_of(YEAR), [])
    assert again["cases"] == result["cases"]
    assert d.stored_events() == stored


def test_a_journal_from_a_pipe_is_applied_when_a_terminal_shows_the_progress(
    d: Disputes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`cat j | disputes apply /dev/stdin` in a terminal: the progress bar's line count must
    not read the pipe before the journal is applied (a trial found 0 recorded, exit 0)."""
    import os
    import sys
    import threading

    from disputes.cli.bulk import _run
    from disputes.storage.store import Store

    d("ledger")  # the store and its roster, as the fixture made them
    fifo = tmp_path / "journal.fifo"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(SCENARIOS.read_bytes()))
    writer.start()
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    applied: list[int] = []

    def run() -> None:  # in a thread: reading the FIFO twice would block its second open
        with Store(str(d.db)) as store:
            applied.append(_run(store, fifo, quiet=False).applied)

    runner = threading.Thread(target=run, daemon=True)
    runner.start()
    runner.join(timeout=60)
    writer.join(timeout=5)
    assert applied == [lines_of(SCENARIOS)]
