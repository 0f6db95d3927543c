"""Command journals (JSON Lines, product.md §5): one command per line, applied through the
same validation as the CLI.

A line: ``{"id": "…", "at": "2021-10-06T21:40+08:00", "actor": "P-WD-01", "command": "grade",
"case": "C01", "args": {…}}``. ``case`` is a file-local alias bound by that alias's ``report``
line, or a case number. A bad line is reported with its line number and reason, records
nothing, and the run goes on. Re-running a file records nothing new.
"""

from __future__ import annotations

import gc
import json
from collections import ChainMap
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from eventsourcing.persistence import IntegrityError

from disputes.cli.common import os_user
from disputes.cli.exits import exit_code
from disputes.cli.guards import printable
from disputes.domain.commands import RecordedCommand
from disputes.domain.errors import DisputesError
from disputes.domain.text import text_problem
from disputes.gate.journal import line_command, parse_line
from disputes.storage.batching import BatchingApp, UnitOfWork
from disputes.storage.store import Store

BATCH_LINES = 500
"""Lines whose events are saved in one transaction (and projected in one more)."""


@dataclass
class Failure:
    line: int
    id: str | None
    error: str
    exit_code: int
    zh: str = ""
    """The error as an officer reads it (the JSON keeps ``error``, in English)."""

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
    interrupted: bool = False
    """The run was stopped (Ctrl-C) before the end of the journal."""

    def as_json(self) -> dict[str, Any]:
        shape: dict[str, Any] = {
            "applied": self.applied,
            "skipped": self.skipped,
            "failed": [f.as_json() for f in self.failed],
            "cases": self.cases,
        }
        if self.interrupted:
            shape["interrupted"] = True
        return shape


BOM = b"\xef\xbb\xbf"


def read_lines(path: Path) -> Iterator[str]:
    """The lines of a journal file, read as they are applied (the file is never held whole:
    a 100k-case journal is 470 MB). Opens the file at once (raises OSError); the lines come
    as the iterator is read, and the file is closed at its end.

    JSON Lines end at "\n" only (a CR before it is JSON whitespace): text mode would also end
    one at a lone "\r", and str.splitlines at U+2028, U+0085, \x1c …, which JSON allows raw
    inside a string. A byte that is not UTF-8 is kept as a lone surrogate (surrogateescape):
    its line is then refused by the input rules with its line number. (UTF-8 never has the
    byte 0x0A inside a character, so splitting the bytes first is the same as decoding the
    whole file and splitting it.) A leading byte-order mark is dropped.
    """
    handle = path.open("rb")
    return _decoded(handle)


def _decoded(handle: BinaryIO) -> Iterator[str]:
    with handle:
        first = True
        for raw in handle:
            if first:
                raw = raw.removeprefix(BOM)  # noqa: PLW2901
                first = False
            yield raw.removesuffix(b"\n").decode("utf-8", errors="surrogateescape")


def count_lines(path: Path) -> int:
    """How many lines :func:`read_lines` gives for ``path``, counted without keeping it
    (one more than its newlines, as ``str.split("\n")``). Raises OSError."""
    count = 1
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            count += chunk.count(b"\n")
    return count


def apply_journal(
    store: Store,
    lines: Iterable[str],
    progress: Callable[[int], None] | None = None,
    *,
    batch: int = BATCH_LINES,
    stop: Callable[[], bool] | None = None,
    result: ApplyResult | None = None,
) -> ApplyResult:
    """Apply journal lines in order; see the module docstring. Never raises for a bad line.

    Lines are taken ``batch`` at a time: each command is validated and decided as on its own
    (the aggregates read by a batch see the batch's earlier commands), and the events of the
    whole batch are saved in one transaction, then projected. When that save meets a concurrent
    change, nothing of the batch was stored: its lines are applied again one by one, each
    reloading its case (the events of a failed save are never re-saved).

    ``stop`` is asked before each line is taken: when it answers True (Ctrl-C), the lines taken
    but not yet decided are dropped, nothing of them is stored, and the run ends with
    ``interrupted`` set; every line counted in the result is stored. ``result`` is filled in as
    batches are stored (pass one to read the counts after an exception).
    """
    result = ApplyResult() if result is None else result
    pending: list[tuple[int, str]] = []
    with _few_collections(), store.views.bulk():
        for number, text in enumerate(lines, start=1):
            if stop is not None and stop():
                result.interrupted = True
                pending = []
                break
            if not text.strip():
                continue
            pending.append((number, text))
            if len(pending) >= batch:
                _apply_batch(store, pending, result)
                if progress is not None:
                    progress(len(pending))
                pending = []
        if pending:
            _apply_batch(store, pending, result)
            if progress is not None:
                progress(len(pending))
        store.catch_up()
    return result


@contextmanager
def _few_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often during a run.

    A run allocates millions of short-lived objects while keeping thousands of aggregates in
    memory (see store.RECENT_AGGREGATES); with the default thresholds the collector rescans
    those aggregates over and over (≈ 10 % of a 10k-case run). Nothing here makes cycles that
    must be freed early. The thresholds are put back afterwards.
    """
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], 50_000), max(old[1], 20), max(old[2], 100))
    try:
        yield
    finally:
        gc.set_threshold(*old)


class _UnitLookup:
    """Command ids recorded: by this unit of work, else in the command log (caught up, and
    read once for all the ids of the batch)."""

    def __init__(self, store: Store, command_ids: list[str]) -> None:
        self.recorded = store.find_commands(command_ids)

    def find_command(self, command_id: str) -> RecordedCommand | None:
        return self.recorded.get(command_id)


def _apply_batch(store: Store, lines: list[tuple[int, str]], result: ApplyResult) -> None:
    app = store.app
    if len(lines) == 1 or not isinstance(app, BatchingApp):
        for number, text in lines:
            _apply_line(store, number, text, result)
        return
    parsed: list[tuple[int, str, dict[str, Any] | DisputesError]] = []
    for number, text in lines:
        try:
            parsed.append((number, text, parse_line(text)))
        except DisputesError as exc:
            parsed.append((number, text, exc))
    store.catch_up()  # the command log is current, so ids recorded earlier are known
    lookup = _UnitLookup(store, [raw["id"] for _, _, raw in parsed if isinstance(raw, dict)])
    outcome = ApplyResult()  # its cases: the aliases this batch binds (over result.cases)
    previous_lookup = app.command_lookup
    unit = app.begin_unit()
    recordings = None
    try:
        app.command_lookup = lookup
        if _decide_batch(store, parsed, lookup, outcome, unit, result.cases):
            app.command_lookup = previous_lookup
            recordings = app.commit_unit()
    except IntegrityError:
        pass  # another writer changed a case of this batch: nothing of it was stored
    finally:
        app.command_lookup = previous_lookup
        if recordings is None:
            app.abandon_unit()
    if recordings is None:
        for number, text in lines:
            _apply_line(store, number, text, result)
        return
    store.projections.project(recordings)
    result.applied += outcome.applied
    result.skipped += outcome.skipped
    result.failed.extend(outcome.failed)
    result.cases.update(outcome.cases)


def _decide_batch(
    store: Store,
    parsed: list[tuple[int, str, dict[str, Any] | DisputesError]],
    lookup: _UnitLookup,
    outcome: ApplyResult,
    unit: UnitOfWork,
    known: dict[str, str],
) -> bool:
    """Validate and decide each line into the open unit; False when the unit must be given
    up (a refused command left a change behind). ``known``: the aliases bound before the
    batch; those the batch binds go to ``outcome.cases`` (not copied per batch: at 100k cases
    that copy alone grew quadratically)."""
    for number, text, line in parsed:
        raw: dict[str, Any] = {}
        try:
            if isinstance(line, DisputesError):
                raise line
            raw = line
            command = _command(store, raw, ChainMap(outcome.cases, known))
            done = store.app.execute(command, os_user=os_user())
        except DisputesError as exc:
            if not unit.untouched():  # a rule changed state before refusing: play safe
                return False
            identifier = _line_id(raw or text)
            outcome.failed.append(
                Failure(
                    number,
                    identifier,
                    printable(exc.message),
                    exit_code(exc),
                    printable(exc.text("zh")),
                )
            )
            continue
        if done.duplicate:
            outcome.skipped += 1
        else:
            outcome.applied += 1
            lookup.recorded[command.command_id] = RecordedCommand(done.case_no, done.verb)
        if raw["command"] == "report" and isinstance(raw.get("case"), str):
            outcome.cases[raw["case"]] = done.case_no
    return True


def _apply_line(store: Store, number: int, text: str, result: ApplyResult) -> None:
    """One line on its own (its own transaction, with the application's retries)."""
    raw: dict[str, Any] = {}
    try:
        raw = parse_line(text)
        outcome = store.app.execute(_command(store, raw, result.cases), os_user=os_user())
    except DisputesError as exc:
        identifier = _line_id(raw or text)
        result.failed.append(
            Failure(
                number,
                identifier,
                printable(exc.message),
                exit_code(exc),
                printable(exc.text("zh")),
            )
        )
        return
    if raw["command"] == "report" and isinstance(raw.get("case"), str):
        result.cases[raw["case"]] = outcome.case_no
    if outcome.duplicate:
        result.skipped += 1
    else:
        result.applied += 1


def _line_id(line: dict[str, Any] | str) -> str | None:
    """The ``id`` of a line, when it has a string one (also for a line that failed to parse)."""
    if isinstance(line, str):
        try:
            line = json.loads(line)
        except (ValueError, RecursionError):
            return None
    identifier = line.get("id") if isinstance(line, dict) else None
    if not isinstance(identifier, str) or text_problem(identifier):
        return None  # an id that is not text is not repeated back
    return identifier


def _command(store: Store, raw: dict[str, Any], cases: Mapping[str, str]) -> Any:
    return line_command(raw, cases, store.policy.limits)
