"""(One file for both properties, over 400 lines: the strategies are shared.)

Issue 10 §5, as properties: random journal lines and random command lines never end in a
traceback, always exit with a documented code (0–4), and write nothing when they fail.

Random, but not blind: values are drawn from what breaks parsers and terminals (lone
surrogates, control and direction characters, zero-width text, times at the calendar's ends,
integers of thousands of digits, deep nesting) mixed with valid verbs, actors, options and case
numbers, so that examples reach the models, the rules and the store, not only the JSON parser.

Deterministic and bounded: ``derandomize=True`` and no example database, so CI draws the same
examples every run; ``max_examples`` keeps the file to about ten seconds on two cores. One store
serves every example of a test (each check compares the store before and after the example).
``--hypothesis-show-statistics`` shows how the examples ended (exit codes).
"""

from __future__ import annotations

import json
import shutil
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.support.driver import AUX, GRID, LEADER, OFFICER, PEOPLE, UNITS, VILLAGE
from tests.support.stores import BACKEND, stored_events

if TYPE_CHECKING:
    import click
    from click.testing import CliRunner, Result

DOCUMENTED = {0, 1, 2, 3, 4}
EXAMPLES = settings(
    max_examples=250,
    deadline=None,
    derandomize=True,
    database=None,
    # The store is shared by the examples on purpose (each compares before and after).
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)

pytestmark = pytest.mark.skipif(
    BACKEND != "sqlite", reason="one SQLite store per test; the properties are the CLI's"
)

# -- values that break things -----------------------------------------------------------------

NASTY_CHARS = st.sampled_from(
    [
        "\ud800",
        "\udfff",
        "\udcff",
        "\x1b[31m",
        "\x1b]0;title\x07",
        "\x9b2J",
        "\x00",
        "\r\n",
        "\r",
        "\t",
        "\n",
        "\u202e",
        "\u2066",
        "\u200b",
        "\ufeff",
        "\u3164",
        "[/bold]",
        "[red]",
        "%s",
        "{0}",
        "梁某",
        "'",
        '"',
        "\\",
        ":",
        "HY-2024-0001",
    ]
)
TEXT = st.one_of(
    st.text(max_size=12),
    st.lists(st.one_of(NASTY_CHARS, st.text(max_size=3)), max_size=5).map("".join),
)
TIMES = st.sampled_from(
    [
        "2024-03-01T09:00",
        "2024-03-05",
        "9999-12-31T23:59",
        "9999-12-31T23:59-12:00",
        "0001-01-01",
        "0001-01-01T00:00+14:00",
        "1900-01-01",
        "2999-12-31T23:59",
        "2099-01-01",
        "1999-12-31T23:59",
        "tomorrow",
        "",
        "2024-02-30",
    ]
)
BIG_INT = st.sampled_from(["9" * 5000, "-" + "1" * 4301, "1e999", "NaN", "Infinity", "-0"])
ACTORS = st.sampled_from([GRID, AUX, OFFICER, LEADER, "NOBODY"])

CASES = st.sampled_from(["C1", "C2", "HY-2024-0001", "HY-2024-0002", "HY-9999-9999", "X"])
ARG_NAMES = st.sampled_from(
    [
        *("category", "source", "village", "summary", "parties", "people_involved", "grade"),
        *("reason", "signals", "leader", "officer", "plan", "note", "mode", "result", "to"),
        *("referral", "outcome", "agreement", "form", "observe_days", "kind", "ref", "level"),
    ]
)
SCALARS = st.one_of(
    TEXT,
    TIMES,
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True),
    st.booleans(),
    st.none(),
    st.sampled_from(
        ["neighbour", "visit", VILLAGE, "red", "yellow", "oral", "SFS", "梁某:applicant"]
    ),
)
JSONISH = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)),
    max_leaves=8,
)
GRADE_ARGS = ("--grade", "red", "--reason", "r", "--at", "2024-03-02")
REPORT_ARGS = {"category": "neighbour", "source": "visit", "village": VILLAGE, "summary": "争执"}


VALID_LINES: list[tuple[str, str, str | None, dict[str, Any]]] = [
    (
        "report",
        GRID,
        None,
        REPORT_ARGS | {"parties": ["梁某:applicant", {"name": "田某", "role": "respondent"}]},
    ),
    ("visit", AUX, "HY-2024-0001", {"mode": "phone", "note": "稳控"}),
    ("refer", OFFICER, "HY-2024-0001", {"to": "SFS", "reason": "移交"}),
    (
        "mediate",
        OFFICER,
        "HY-2024-0001",
        {"result": "progress", "with_units": ["SFS"], "note": "调解"},
    ),
]


def _mutate(draw: st.DrawFn, value: Any) -> Any:
    """One value of a valid line, replaced or with a nasty character spliced into it."""
    if isinstance(value, str) and draw(st.booleans()):
        cut = draw(st.integers(min_value=0, max_value=len(value)))
        return value[:cut] + draw(NASTY_CHARS) + value[cut:]
    if isinstance(value, list) and value and draw(st.booleans()):
        index = draw(st.integers(min_value=0, max_value=len(value) - 1))
        return [*value[:index], _mutate(draw, value[index]), *value[index + 1 :]]
    if isinstance(value, dict) and value and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(value)))
        return value | {key: _mutate(draw, value[key])}
    return draw(st.one_of(JSONISH, TIMES))


@st.composite
def journal_lines(draw: st.DrawFn) -> str:
    """One line: mostly a valid command with a value or two spoiled (so lines reach the models,
    the rules and the store); else raw text, deep nesting, or an over-long integer."""
    kind = draw(st.sampled_from(["command", "command", "command", "raw", "bigint", "deep"]))
    if kind == "raw":
        return draw(TEXT)
    if kind == "deep":
        depth = draw(st.integers(min_value=1, max_value=3000))
        return "[" * depth + "]" * draw(st.integers(min_value=0, max_value=depth))
    verb, actor, case, args = draw(st.sampled_from(VALID_LINES))
    line: dict[str, Any] = {
        # a small pool: ids repeat within a file and across examples (retries, reuse)
        "id": draw(st.sampled_from([f"p{n}" for n in range(8)])),
        "at": "2024-03-05T09:00",
        "actor": actor,
        "command": verb,
        "case": case or draw(st.sampled_from(["C1", "C2"])),
        "args": dict(args),
    }
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        where = draw(st.sampled_from([*line, "args.", "args.", "args+"]))
        if where.startswith("args") and not (isinstance(line["args"], dict) and line["args"]):
            where = "args"
        if where == "args.":
            name = draw(st.sampled_from(sorted(line["args"])))
            line["args"][name] = _mutate(draw, line["args"][name])
        elif where == "args+":
            line["args"][draw(ARG_NAMES)] = draw(JSONISH)
        else:
            line[where] = _mutate(draw, line[where])
    text = json.dumps(line, ensure_ascii=draw(st.booleans()))
    if kind == "bigint":
        text = text.replace("}", f', "n": {draw(BIG_INT)}}}', 1)
    return text


# -- the harness ---------------------------------------------------------------------------------


def invoke(cli: click.Group, runner: CliRunner, db: Path, args: list[str]) -> Result:
    return runner.invoke(cli, ["--db", str(db), *args], catch_exceptions=True)


def no_traceback(result: Result, args: list[str]) -> None:
    """Exit through SystemExit with a documented code; anything else is a crash."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        crash = "".join(traceback.format_exception(result.exception))
        pytest.fail(f"disputes {args!r} crashed:\n{crash}")
    assert result.exit_code in DOCUMENTED, (args, result.exit_code, result.stderr)


def files_in(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.fixture
def store(
    cli: click.Group, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A store with the sample roster and two cases (HY-2024-0001 open, -0002 reported), the
    current directory an empty folder beside it."""
    db = tmp_path / "store" / "disputes.db"
    db.parent.mkdir()
    setup = [
        ["roster", "load", "--units", str(UNITS), "--people", str(PEOPLE)],
        ["--as", GRID, "report", *_options(REPORT_ARGS), "--at", "2024-03-01T09:00"],
        ["--as", GRID, "report", *_options(REPORT_ARGS), "--at", "2024-03-01T09:30"],
        ["--as", OFFICER, "grade", "HY-2024-0001", *GRADE_ARGS],
    ]
    for args in setup:
        result = invoke(cli, runner, db, args)
        assert result.exit_code == 0, result.output
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    return db


def _options(args: dict[str, str]) -> list[str]:
    return [item for key, value in args.items() for item in (f"--{key}", value)]


@settings(EXAMPLES, max_examples=120)  # an apply opens the store and catches up: ~50 ms each
@given(lines=st.lists(journal_lines(), min_size=1, max_size=6), valid_utf8=st.booleans())
def test_any_journal_applies_without_a_traceback(
    cli: click.Group, runner: CliRunner, store: Path, lines: list[str], valid_utf8: bool
) -> None:
    journal = Path("journal.jsonl").resolve()
    errors = "strict" if valid_utf8 else "surrogatepass"
    try:
        journal.write_bytes("\n".join(lines).encode("utf-8", errors=errors))
    except UnicodeEncodeError:
        journal.write_bytes("\n".join(lines).encode("utf-8", errors="surrogatepass"))
    before = stored_events(store)
    args = ["apply", str(journal), "--json"]
    result = invoke(cli, runner, store, args)
    no_traceback(result, args)
    event(f"exit {result.exit_code}")
    after = stored_events(store)
    if result.exit_code in (0, 1):
        report = json.loads(result.stdout)
        new = after - before
        # an applied line records its event (a report also its case number): none without one
        assert report["applied"] <= new <= 2 * report["applied"], (report, new)
        counted = len(report["failed"]) + report["applied"] + report["skipped"]
        assert counted == sum(1 for line in "\n".join(lines).split("\n") if line.strip()), report
    else:
        assert after == before, "a refused journal wrote events"
    journal.unlink()


VERB_OPTIONS: dict[str, list[str]] = {
    "report": [
        "--category",
        "--source",
        "--village",
        "--summary",
        "--parties",
        "--people-involved",
    ],
    "grade": ["--grade", "--reason", "--signals"],
    "assign": ["--leader", "--officer", "--auxiliary"],
    "visit": ["--mode", "--note"],
    "deliberate": ["--plan", "--attendees"],
    "close": ["--note"],
    "refer": ["--to", "--reason"],
    "receipt": ["--referral", "--outcome", "--note"],
    "resolve": ["--agreement", "--form", "--observe-days"],
    "outcome": ["--kind", "--ref", "--note"],
    "show": ["--as-of", "--known-at", "--json"],
    "history": ["--json"],
    "ledger": ["--as-of", "--known-at", "--status", "--station", "--format", "--json"],
    "due": ["--on", "--station", "--officer", "--leader", "--overdue", "--json"],
    "export": ["--dossier"],
    "keygen": ["--out"],
    "roster list": ["--kind", "--json"],
    "roster load": ["--units", "--people"],
    "policy show": ["--version"],
    "verify-dossier": ["--key"],
}
ARG_VALUES = st.one_of(
    TEXT,
    TIMES,
    BIG_INT,
    CASES,
    ACTORS,
    NASTY_CHARS,
    st.sampled_from(["red", "in-person", "oral", "json", "WD", "SFS", "out/x.json", "x.key"]),
    st.sampled_from(["no/such/folder/f.json", "../store/disputes.db", ".", "", "-", "--json"]),
)


GOOD_VALUES: dict[str, st.SearchStrategy[str]] = {
    "--as-of": TIMES,
    "--known-at": TIMES,
    "--on": TIMES,
    "--at": TIMES,
    "--category": st.sampled_from(["neighbour", "land-homestead", "gossip"]),
    "--source": st.sampled_from(["visit", "informant", "rumour"]),
    "--village": st.sampled_from([VILLAGE, "WD", "SFS"]),
    "--grade": st.sampled_from(["red", "yellow", "blue"]),
    "--mode": st.sampled_from(["in-person", "phone"]),
    "--form": st.sampled_from(["written", "oral"]),
    "--outcome": st.sampled_from(["accepted", "handled"]),
    "--kind": st.sampled_from(["petition", "homicide", "units", "people"]),
    "--format": st.sampled_from(["table", "json", "csv"]),
    "--status": st.sampled_from(["open", "reported", "observing"]),
    "--station": st.sampled_from(["WD", "XG", "NOPE"]),
    "--leader": st.sampled_from([LEADER, OFFICER]),
    "--officer": st.sampled_from([OFFICER, AUX, GRID]),
    "--referral": st.sampled_from(["1", "0", "9" * 5000]),
    "--people-involved": st.sampled_from(["3", "0", "9" * 5000]),
    "--observe-days": st.sampled_from(["30", "180", "99999"]),
    "--version": st.sampled_from(["UNKNOWN", "0123456789ab"]),
    "--dossier": st.sampled_from(["case.json", "no/such/case.json", "../store/disputes.db"]),
    "--out": st.sampled_from(["k.key", "no/such/k.key", "../store/disputes.db"]),
}
CASE_NUMBERS = st.sampled_from(["HY-2024-0001", "HY-2024-0002", "HY-2024-0404"])
WRITES = {"report", "grade", "assign", "visit", "deliberate", "refer", "receipt", "resolve"} | {
    "outcome",
    "close",
}
CASE_VERBS = (WRITES - {"report"}) | {"show", "history", "export"}
REQUIRED: dict[str, dict[str, str]] = {
    "report": {f"--{k}": v for k, v in REPORT_ARGS.items()},
    "grade": {"--grade": "red", "--reason": "r"},
    "assign": {"--leader": LEADER, "--officer": OFFICER},
    "deliberate": {"--plan": "p"},
    "refer": {"--to": "SFS", "--reason": "r"},
    "receipt": {"--referral": "1", "--outcome": "accepted"},
    "resolve": {"--agreement": "a", "--form": "oral"},
    "outcome": {"--kind": "petition"},
    "export": {"--dossier": "case.json"},
    "verify-dossier": {"--key": "k.pub"},
}
FLAGS = {"--json", "--overdue"}


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    """A verb, maybe a case, then options: mostly with a value that fits (so the rules and the
    store are reached), sometimes with a nasty one, sometimes a stray token."""
    verb = draw(st.sampled_from(sorted(VERB_OPTIONS)))
    args = verb.split()
    if verb in CASE_VERBS or draw(st.integers(min_value=0, max_value=5)) == 0:
        args.append(draw(st.one_of(CASE_NUMBERS, CASE_NUMBERS, ARG_VALUES)))
    for option, value in REQUIRED.get(verb, {}).items():
        args += [option, value]
    options = [*VERB_OPTIONS[verb], *(["--at"] if verb in WRITES else [])]
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        option = draw(st.sampled_from(options))
        if option in FLAGS:
            args.append(option)
            continue
        fits = GOOD_VALUES.get(option, TEXT)
        value = draw(st.one_of(fits, ARG_VALUES))
        args += [option, value]
        if draw(st.integers(min_value=0, max_value=9)) == 0:
            args.append(draw(ARG_VALUES))
    if verb in WRITES or draw(st.booleans()):
        args = ["--as", draw(ACTORS), *args]
    return args


@EXAMPLES
@given(args=command_lines())
def test_any_command_line_ends_with_a_documented_code(
    cli: click.Group, runner: CliRunner, store: Path, args: list[str]
) -> None:
    before_events, before_files = stored_events(store), files_in(Path.cwd())
    result = invoke(cli, runner, store, args)
    no_traceback(result, args)
    event(f"exit {result.exit_code}")
    if result.exit_code != 0:
        assert stored_events(store) == before_events, f"{args!r} failed but wrote events"
        assert files_in(Path.cwd()) == before_files, f"{args!r} failed but wrote a file"
    for path in Path.cwd().iterdir():  # the next example starts from an empty folder
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
