"""The floors: what the machine and the eventsourcing library do at best, measured in the same run
as the engine, on the same data.

- P1: a bare ``eventsourcing.application.Application`` (SQLite, no snapshots, no cache, no hash
  chain, no projections) saving the very events ``apply`` recorded, decoded from its log, in the
  same batches (one ``save`` per transaction ``apply`` wrote), into a fresh file. Only the
  ``save`` calls are timed.
- P3: the library's decoded read of the whole log: ``select_notifications`` in pages of 2000 and
  ``mapper.to_domain_event`` for each notification, on the benchmark store itself.
- P4: ``python -c "import eventsourcing, pydantic, click"``, start to exit.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import Application

READ_PAGE = 2000
IMPORT_FLOOR = [sys.executable, "-c", "import eventsourcing, pydantic, click"]


def sqlite_env(db: Path) -> dict[str, str]:
    """The library's own SQLite settings (same lock timeout as the engine's store)."""
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(db),
        "SQLITE_LOCK_TIMEOUT": "10",
    }


class BareApplication(Application[UUID]):
    """The library, nothing added."""

    name = "BareApplication"


def bare_app(db: Path) -> BareApplication:
    return BareApplication(sqlite_env(db))


def save_batches(source: Any, bare: BareApplication, batches: Sequence[tuple[int, int]]) -> float:
    """Save the events of notifications ``first..last`` of ``source`` (an Application), one
    ``bare.save`` per batch; returns the seconds spent in ``save`` only."""
    return _timed_batches(source, batches, lambda events: bare.save(*events))


def put_batches(source: Any, bare: BareApplication, batches: Sequence[tuple[int, int]]) -> float:
    """As :func:`save_batches`, through the library's public ``EventStore.put`` (``bare.events``)
    instead of ``Application.save``: the same transaction per batch, without ``save``'s runtime
    ``Protocol`` checks of every object (nor its snapshot and notification hooks, which a bare
    application does not use). Returns the seconds spent in ``put`` only."""
    return _timed_batches(source, batches, bare.events.put)


def _timed_batches(
    source: Any, batches: Sequence[tuple[int, int]], write: Callable[[list[Any]], Any]
) -> float:
    """Read back and decode each batch of ``source``'s log (untimed), then ``write`` its
    events (timed); returns the seconds spent in ``write``."""
    spent = 0.0
    for first, last in batches:
        notifications = source.recorder.select_notifications(
            start=first, limit=last - first + 1, stop=last
        )
        events = [source.mapper.to_domain_event(n) for n in notifications]
        started = time.perf_counter()
        write(events)
        spent += time.perf_counter() - started
    return spent


def decoded_read(app: Application[UUID]) -> tuple[int, float]:
    """Read and decode the whole log; returns (events, seconds)."""
    started = time.perf_counter()
    count = 0
    start = 0
    recorder, mapper = app.recorder, app.mapper
    while True:
        page = recorder.select_notifications(start=start, limit=READ_PAGE, inclusive_of_start=False)
        if not page:
            break
        for notification in page:
            mapper.to_domain_event(notification)
        count += len(page)
        start = page[-1].id
    return count, time.perf_counter() - started


def run_seconds(argv: Sequence[str], env: dict[str, str] | None = None) -> float:
    """Start-to-exit wall time of a process (raises when it fails)."""
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, env=env, check=False)
    spent = time.perf_counter() - started
    if done.returncode != 0:
        msg = f"{' '.join(argv)} exited {done.returncode}: {done.stderr.decode()[-2000:]}"
        raise RuntimeError(msg)
    return spent
