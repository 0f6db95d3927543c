"""Driving ``disputes`` as a user does: the Huaiyang sample roster and journals, the people the
tests act as, the ``at`` time helper, and :class:`Disputes`, which runs the root group through
click's CliRunner (``catch_exceptions=False``) and checks the exit code.

Times are fixed dates in 2024, written without an offset (so Asia/Shanghai, product.md §5),
well in the past of the real clock the CLI uses.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from disputes.domain.roster import Roster
from tests.support.model import CASE_VERB_NAMES
from tests.support.stores import stored_events

if TYPE_CHECKING:
    import click
    import pytest
    from click.testing import CliRunner, Result

SAMPLES = Path(str(resources.files("disputes") / "samples" / "huaiyang"))
UNITS = SAMPLES / "units.csv"
PEOPLE = SAMPLES / "people.csv"
SCENARIOS = SAMPLES / "scenarios.jsonl"
YEAR = SAMPLES / "year-2021.jsonl"

# People of the sample roster (people.csv): station WD (王店), village WD-V01.
GRID = "G-WD-V01-G1"  # grid worker of WD-V01
AUX = "A-WD-V01"  # auxiliary police of WD-V01
OFFICER = "P-WD-01"  # community police, WD
LEADER = "L-WD-01"  # leader, WD
OTHER_LEADER = "L-WD-02"  # leader, WD, not responsible for the test cases
VILLAGE = "WD-V01"

# Valid options of each verb on a case (product.md §2 and issue 3's supervision verbs), for
# refusals that do not depend on them; CASE_VERBS has every case verb of the model.
_CASE_OPTIONS = {
    "grade": ["--grade", "red", "--reason", "r"],
    "assign": ["--leader", LEADER, "--officer", OFFICER],
    "deliberate": ["--plan", "p"],
    "visit": [],
    "mediate": ["--result", "progress"],
    "refer": ["--to", "SFS", "--reason", "r"],
    "receipt": ["--referral", "1", "--outcome", "accepted"],
    "escalate": ["--reason", "r"],
    "downgrade": ["--reason", "r"],
    "resolve": ["--agreement", "a", "--form", "oral"],
    "follow-up": [],
    "relapse": ["--grade", "red", "--reason", "r"],
    "close": [],
    "supervise": ["--level", "red-card", "--note", "n"],
    "answer-supervision": ["--note", "n"],
    "outcome": ["--kind", "homicide", "--ref", "A4113"],
    "transfer": ["--station", "DM", "--leader", "L-DM-01", "--officer", "P-DM-01", "--reason", "r"],
}
missing = sorted(set(CASE_VERB_NAMES) - _CASE_OPTIONS.keys())
assert not missing, f"give tests/support/driver.py valid options for the new verbs {missing}"
CASE_VERBS = {verb: _CASE_OPTIONS[verb] for verb in CASE_VERB_NAMES}
"""Every verb on a case (from the model's commands) → valid options for it."""

ENV_VARS = (
    "DISPUTES_DB",
    "DISPUTES_ACTOR",
    "DISPUTES_LANG",
    "DISPUTES_POLICY",
    "DISPUTES_SIGNING_KEY",
    "DISPUTES_KEY_FILE",
)
"""The variables the CLI reads; a test sets the ones it needs itself."""


def report_args(**override: str | None) -> list[str]:
    """``report`` and its options for a valid report in WD-V01 on day 1; ``override`` changes
    an option (``None`` leaves it out)."""
    options: dict[str, str | None] = {
        "category": "neighbour",
        "source": "visit",
        "village": VILLAGE,
        "summary": "两家因排水争执",
        "at": at(1),
    }
    options.update(override)
    flat = (item for k, v in options.items() if v is not None for item in (f"--{k}", v))
    return ["report", *flat]


def clean_environment(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """No store, actor, language, policy or key leaks in from the environment; the default
    store location (XDG_DATA_HOME) and the config dir (XDG_CONFIG_HOME: the server's key
    file) are inside ``folder``."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(folder / "xdg"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder / "xdg-config"))


def follow_up_after_the_scenarios(d: Disputes, case: str) -> dict[str, Any]:
    """One more event on a case of the scenarios store (HY-2021-0002 or HY-2022-0001, in
    XG-V01): a follow-up after the last event of the scenarios."""
    return d.write(
        "follow-up",
        case,
        *("--mode", "in-person", "--note", "回访"),
        actor="A-XG-V01",
        when="2022-05-16T09:30",
    )


def sample_roster() -> Roster:
    """The sample roster (units.csv, people.csv), for a test that loads it without the CLI."""
    return Roster.from_csv(
        UNITS.read_text(encoding="utf-8-sig"), PEOPLE.read_text(encoding="utf-8-sig")
    )


def at(day: int, hour: int = 9, month: int = 3) -> str:
    """An occurred time in 2024 without offset (Asia/Shanghai): ``at(5)`` is 2024-03-05 09:00."""
    return f"2024-{month:02d}-{day:02d}T{hour:02d}:00"


@dataclass
class Disputes:
    """Runs ``disputes --db DB [--as ACTOR] ARGS…`` and checks the exit code."""

    cli: click.Group
    runner: CliRunner
    db: Path | str
    """The store: an SQLite file path, or a PostgreSQL URL (see tests/support/stores.py)."""

    def __call__(self, *args: str, actor: str | None = None, code: int = 0) -> Result:
        argv = ["--db", str(self.db)]
        if actor is not None:
            argv += ["--as", actor]
        argv += list(args)
        result = self.runner.invoke(self.cli, argv, catch_exceptions=False)
        assert result.exit_code == code, (
            f"disputes {' '.join(argv)}\nexit {result.exit_code}, expected {code}\n"
            f"stdout: {result.stdout}\nstderr: {result.stderr}"
        )
        return result

    def json(self, *args: str, actor: str | None = None, code: int = 0) -> Any:
        return json.loads(self(*args, actor=actor, code=code).stdout)

    def fails(
        self, *args: str, actor: str | None = None, code: int, lang: str | None = "en"
    ) -> str:
        """Run a command that must be refused with ``code`` and store nothing; returns stderr.

        The refusal is read in English (``lang``, given before the verb) unless the command
        names its ``--lang`` itself or ``lang`` is None (the default, Chinese)."""
        if lang is not None and "--lang" not in args:
            args = ("--lang", lang, *args)
        before = self.stored_events()
        result = self(*args, actor=actor, code=code)
        assert self.stored_events() == before, "a refused command stored an event"
        assert result.stdout == ""
        return result.stderr

    def stored_events(self) -> int:
        """Events in the event store itself (not a read model)."""
        return stored_events(self.db)

    def history(self, case: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.json("history", case, "--json")
        return rows

    def show(self, case: str) -> dict[str, Any]:
        data: dict[str, Any] = self.json("show", case, "--json")
        return data

    def ledger(self, *filters: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.json("ledger", "--format", "json", *filters)
        return rows

    # -- building cases through the CLI --------------------------------------------------------

    def load_roster(self) -> None:
        """``roster load`` the sample roster."""
        self("roster", "load", "--units", str(UNITS), "--people", str(PEOPLE))

    def load_sample(self, journal: Path) -> None:
        """The sample roster, then ``apply`` a sample journal."""
        self.load_roster()
        self("apply", "--quiet", str(journal))

    def write(self, verb: str, *args: str, actor: str, when: str) -> dict[str, Any]:
        """Run a write verb with ``--json``; returns the outcome."""
        outcome: dict[str, Any] = self.json(verb, *args, "--at", when, "--json", actor=actor)
        return outcome

    def report(
        self, *, when: str = at(1), village: str = VILLAGE, actor: str = GRID, **options: str
    ) -> str:
        args = {"category": "neighbour", "source": "informant", "summary": "两家因排水争执"}
        args.update(options)
        flat = [item for key, value in args.items() for item in (f"--{key}", value)]
        outcome = self.write("report", "--village", village, *flat, actor=actor, when=when)
        case_no: str = outcome["case_no"]
        return case_no

    def open_case(self, grade: str = "red", *, village: str = VILLAGE) -> str:
        """Reported on day 1, graded on day 1 10:00, assigned to LEADER/OFFICER on day 1 11:00."""
        case = self.report(village=village)
        self.write(
            "grade", case, "--grade", grade, "--reason", "对峙", actor=OFFICER, when=at(1, 10)
        )
        self.write(
            "assign", case, "--leader", LEADER, "--officer", OFFICER, actor=LEADER, when=at(1, 11)
        )
        return case

    def observing_case(self, observe_days: int = 30) -> str:
        """An open red case resolved on day 2 with ``observe_days`` of observation."""
        case = self.open_case()
        self.write(
            "resolve",
            case,
            "--agreement",
            "书面调解协议",
            "--form",
            "written",
            "--observe-days",
            str(observe_days),
            actor=OFFICER,
            when=at(2),
        )
        return case
