"""One command journal line (product.md §5), parsed and turned into its command model.

Shared by ``disputes apply`` (:mod:`disputes.cli.journal`) and ``POST /api/commands``
(:mod:`disputes.server`): a line sent over HTTP is read by the same rules as a line of a file.

A line: ``{"id": "…", "at": "2021-10-06T21:40+08:00", "actor": "P-WD-01", "command": "grade",
"case": "C01", "args": {…}}``. ``case`` is a file-local alias bound by that alias's ``report``
line, or a case number.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from disputes.domain.commands import Command, build_command, text_errors
from disputes.domain.errors import InvalidInput, InvalidInputs
from disputes.domain.policy import Limits

CASE_NO = re.compile(r"^[A-Za-z0-9]+-\d{4}-\d{4,}$")
LINE_KEYS = {"id", "at", "actor", "command", "case", "reward", "args"}
LINE_ONLY_ARGS = ("actor", "at", "case", "reward", "command_id")
"""Fields a line sets itself; in ``args`` they would be silently overridden, so they are refused."""
ON_A_REWARD = ("approve-reward", "reject-reward", "pay-reward", "cancel-reward")
"""Verbs whose line names a reward number (``"reward": "HY-2021-R0001"``) instead of a case
(issue 13)."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys are unique: a repeated key (which JSON parsers resolve
    differently) is refused, not silently taken as its last value."""
    data = dict(pairs)
    if len(data) != len(pairs):
        repeated = sorted({key for key, _ in pairs if sum(k == key for k, _ in pairs) > 1})
        raise InvalidInput(repeated[0], "given twice in one object")
    return data


def load_object(text: str, what: str = "line") -> dict[str, Any]:
    """A JSON object from ``text`` (repeated keys refused, every string held to the input
    rules). Raises :class:`InvalidInput` naming ``what`` or the bad key."""
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise InvalidInput(what, f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise InvalidInput(what, "not valid JSON (nested too deeply)") from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        reason = str(exc).split(";", maxsplit=1)[0]
        raise InvalidInput(what, f"not a usable JSON value ({reason})") from None
    if not isinstance(data, dict):
        raise InvalidInput(what, f"a journal {what} is a JSON object")
    unreadable = list(text_errors(data))
    if unreadable:  # a "\ud800" escape, an escape sequence, a direction override …
        raise InvalidInputs(unreadable)
    return data


def parse_line(text: str) -> dict[str, Any]:
    """Parse one journal line. Raises :class:`InvalidInput` naming the bad key."""
    return check_line(load_object(text))


def check_line(
    data: dict[str, Any], *, required: tuple[str, ...] = ("id", "at", "actor")
) -> dict[str, Any]:
    """Check the keys of a parsed line; ``required`` names the keys that must be there (the
    server lets ``at`` and ``actor`` be left out: now, and the signed-in person)."""
    unknown = sorted(set(data) - LINE_KEYS)
    if unknown:
        raise InvalidInput(unknown[0], "unknown key in a journal line")
    for key in ("id", "at", "actor", "command"):
        if key not in required and key != "command" and key not in data:
            continue
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise InvalidInput(key, "missing or not a non-empty string")
    if not isinstance(data.get("args", {}), dict):
        raise InvalidInput("args", "must be an object")
    for key in LINE_ONLY_ARGS:
        if key in data.get("args", {}):
            raise InvalidInput(f"args.{key}", "not an arg; it belongs on the line itself")
    if data["command"] in ON_A_REWARD:
        if not isinstance(data.get("reward"), str):
            raise InvalidInput("reward", f"missing: {data['command']} names a reward number")
    elif data["command"] != "report" and not isinstance(data.get("case"), str):
        raise InvalidInput("case", "missing: every command but report names a case")
    return data


def line_command(raw: dict[str, Any], cases: Mapping[str, str], limits: Limits | None) -> Command:
    """The command model of a checked line; ``cases`` maps the aliases bound so far."""
    data: dict[str, Any] = dict(raw.get("args") or {})
    data.update(actor=raw["actor"])
    if "at" in raw:
        data["at"] = raw["at"]
    if "id" in raw:
        data["command_id"] = raw["id"]
    verb = raw["command"]
    if verb in ON_A_REWARD:
        data["reward"] = raw["reward"]
    elif verb != "report":
        data["case"] = case_no(raw["case"], cases)
    return build_command(verb, data, limits)


def case_no(case: str, cases: Mapping[str, str]) -> str:
    """The case number an alias or case number names."""
    if case in cases:
        return cases[case]
    if CASE_NO.match(case):
        return case
    raise InvalidInput(
        "case", f"alias '{case}' is not bound: its report line failed or comes later in the file"
    )
