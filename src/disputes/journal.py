"""Command journals (JSON Lines, product.md §5): one command per line, applied through the
same validation as the CLI.

A line: ``{"id": "…", "at": "2021-10-06T21:40+08:00", "actor": "P-WD-01", "command": "grade",
"case": "C01", "args": {…}}``. ``case`` is a file-local alias bound by that alias's ``report``
line, or a case number. A bad line is reported with its line number and reason, records
nothing, and the run goes on. Re-running a file records nothing new.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from disputes.domain.commands import build_command
from disputes.domain.errors import DisputesError, InvalidInput
from disputes.store import Store

CASE_NO = re.compile(r"^[A-Za-z0-9]+-\d{4}-\d{4,}$")
LINE_KEYS = {"id", "at", "actor", "command", "case", "args"}
CATCH_UP_EVERY = 500
"""Lines between projection catch-ups during a run (and always at the end)."""


@dataclass
class Failure:
    line: int
    id: str | None
    error: str
    exit_code: int

    def as_json(self) -> dict[str, Any]:
        return {"line": self.line, "id": self.id, "error": self.error}


@dataclass
class ApplyResult:
    """What a run did: ``applied`` new commands, ``skipped`` already recorded ones, ``failed``
    lines, and ``cases`` (alias → case number)."""

    applied: int = 0
    skipped: int = 0
    failed: list[Failure] = field(default_factory=list)
    cases: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "applied": self.applied,
            "skipped": self.skipped,
            "failed": [f.as_json() for f in self.failed],
            "cases": self.cases,
        }


def parse_line(text: str) -> dict[str, Any]:
    """Parse one journal line. Raises :class:`InvalidInput` naming the bad key."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput("line", f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise InvalidInput("line", "a journal line is a JSON object")
    unknown = sorted(set(data) - LINE_KEYS)
    if unknown:
        raise InvalidInput(unknown[0], "unknown key in a journal line")
    for key in ("id", "at", "actor", "command"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise InvalidInput(key, "missing or not a non-empty string")
    if not isinstance(data.get("args", {}), dict):
        raise InvalidInput("args", "must be an object")
    if data["command"] != "report" and not isinstance(data.get("case"), str):
        raise InvalidInput("case", "missing: every command but report names a case")
    return data


def apply_journal(
    store: Store,
    lines: Iterable[str],
    progress: Callable[[int], None] | None = None,
) -> ApplyResult:
    """Apply journal lines in order; see the module docstring. Never raises for a bad line."""
    result = ApplyResult()
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        raw: dict[str, Any] = {}
        try:
            raw = parse_line(text)
            outcome = store.app.execute(_command(store, raw, result.cases))
        except DisputesError as exc:
            identifier = raw.get("id") if isinstance(raw.get("id"), str) else None
            result.failed.append(Failure(number, identifier, exc.message, exc.exit_code))
        else:
            if raw["command"] == "report" and isinstance(raw.get("case"), str):
                result.cases[raw["case"]] = outcome.case_no
            if outcome.duplicate:
                result.skipped += 1
            else:
                result.applied += 1
        if number % CATCH_UP_EVERY == 0:
            store.catch_up()
        if progress is not None:
            progress(1)
    store.catch_up()
    return result


def _command(store: Store, raw: dict[str, Any], cases: dict[str, str]) -> Any:
    data: dict[str, Any] = dict(raw.get("args") or {})
    data.update(actor=raw["actor"], at=raw["at"], command_id=raw["id"])
    verb = raw["command"]
    if verb != "report":
        data["case"] = _case_no(raw["case"], cases)
    return build_command(verb, data, store.policy.limits)


def _case_no(case: str, cases: dict[str, str]) -> str:
    if case in cases:
        return cases[case]
    if CASE_NO.match(case):
        return case
    raise InvalidInput(
        "case", f"alias '{case}' is not bound: its report line failed or comes later in the file"
    )
