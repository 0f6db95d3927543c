"""The physical floor of ``apply``: raw ``sqlite3`` writing the rows ``apply`` wrote, in the same
transactions, into a fresh file with the same schema and pragmas (issue 15).

**"The same rows", as measured here.** A separate, untimed *traced* run applies the journal to a
fresh store (roster loaded first) and records every write transaction it commits, in order:

- the library's events transaction of each batch: the ``stored_events`` rows exactly as the
  recorder was given them (aggregate id hex, version, topic, state bytes), and the
  ``event_chain`` rows the same transaction wrote (read back right after its commit, by
  notification id);
- each snapshot transaction: its ``stored_snapshots`` rows;
- each view transaction: every writing statement (``INSERT``/``UPDATE``/``DELETE``/``REPLACE``)
  the projections ran, with its parameters (materialised), in the order run. Reads inside
  apply's transactions (the chain head, the due board loading a case, the tracking positions)
  are not replayed: they are apply's work, not its write set.

The replay (:func:`physical_floor`, :class:`Replayer`) starts from a copy of the store as it was
just before the journal (schema, roster events, empty views), opens it with the store's pragmas
(WAL; ``synchronous=FULL`` for the events and snapshot transactions, as the library's
connection; ``NORMAL`` for view transactions, as ``ViewDatabase.bulk``; the views' page cache
and memory map), and runs each transaction as ``BEGIN IMMEDIATE``, one ``executemany`` per
statement (consecutive runs of the same statement merged), ``COMMIT``. Only that is timed;
transactions are read from the trace file (pickled, one at a time) outside the timing.

So the floor is what SQLite itself costs for apply's write set in apply's transactions: no
parsing, validation, aggregates, hashing, encoding or Python row building.

Run ``python -m benchmarks.physical --cases 1000 --workdir /tmp/bench`` for apply, the two
bare-library floors (``Application.save`` and ``EventStore.put``, see :mod:`benchmarks.floors`)
and this floor, side by side.
"""

from __future__ import annotations

import argparse
import json
import pickle
import shutil
import sqlite3
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
EVENTS_SQL = "INSERT INTO stored_events VALUES (?,?,?,?)"
SNAPSHOTS_SQL = "INSERT INTO stored_snapshots VALUES (?,?,?,?)"
CHAIN_SQL = "INSERT INTO event_chain VALUES (?,?,?,?,?,?)"

Statement = tuple[str, list[tuple[Any, ...]]]
"""One SQL statement (plain sqlite3 syntax) and its parameter rows."""


@dataclass
class Transaction:
    """One committed write transaction of apply: ``kind`` (``events``, ``snapshots``,
    ``views``), ``synchronous`` (``FULL`` or ``NORMAL``), ``lines`` (journal lines apply had
    finished before it) and its writing statements in order."""

    kind: str
    synchronous: str
    lines: int
    statements: list[Statement] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(len(params) for _, params in self.statements)


@dataclass
class Trace:
    """A recorded apply run: ``base`` (the store before the journal), ``path`` (pickled
    :class:`Transaction` objects, one after another), and counts."""

    base: Path
    path: Path
    transactions: int = 0
    rows: int = 0
    kinds: dict[str, int] = field(default_factory=dict)

    def read(self) -> Iterator[Transaction]:
        """The transactions, in commit order."""
        with self.path.open("rb") as handle:
            for _ in range(self.transactions):
                yield pickle.load(handle)  # noqa: S301 (our own file)


class _Recorder:
    """Writes transactions to the trace file as apply commits them."""

    def __init__(self, trace: Trace, handle: BinaryIO) -> None:
        self.trace = trace
        self.handle = handle
        self.lines = 0

    def add(self, transaction: Transaction) -> None:
        if not transaction.statements:
            return
        pickle.dump(transaction, self.handle, protocol=pickle.HIGHEST_PROTOCOL)
        self.trace.transactions += 1
        self.trace.rows += transaction.rows
        self.trace.kinds[transaction.kind] = self.trace.kinds.get(transaction.kind, 0) + 1


class _TracingCursor:
    """A view cursor that records the writing statements it runs (with their parameters)."""

    def __init__(self, inner: Any, statements: list[Statement]) -> None:
        self.inner = inner
        self.statements = statements

    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        found = self.inner.execute(sql, parameters)
        if _writes(sql):
            self.statements.append((_plain(sql), [tuple(parameters)]))
        return found

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> Any:
        rows = [tuple(p) for p in seq_of_parameters]
        found = self.inner.executemany(sql, rows)
        if _writes(sql) and rows:
            self.statements.append((_plain(sql), rows))
        return found

    def fetchone(self) -> Any:
        return self.inner.fetchone()

    def fetchall(self) -> list[Any]:
        return list(self.inner.fetchall())


def _writes(sql: str) -> bool:
    return sql.lstrip().upper().startswith(WRITES)


def _plain(sql: str) -> str:
    from disputes.storage.dialect import SQLITE

    return SQLITE.sql(sql)


def trace_apply(journal: Path, workdir: Path) -> Trace:
    """Apply ``journal`` to a fresh store in ``workdir`` (roster loaded first), recording every
    write transaction (see the module docstring). Untimed. Returns the trace; raises what
    apply raises."""
    from benchmarks.generate import roster_files
    from benchmarks.measure import fresh
    from disputes.cli.journal import apply_journal
    from disputes.domain.roster import Roster
    from disputes.storage.store import Store

    db = workdir / "trace.db"
    fresh(db)
    store = Store(str(db))
    store.app.load_roster(Roster.from_csv(*roster_files()))
    store.catch_up()
    base = workdir / "trace-base.db"
    fresh(base)
    store.views.connection.execute("VACUUM INTO ?", (str(base),))
    trace = Trace(base=base, path=workdir / "trace.pickle")
    with trace.path.open("wb") as handle:
        recorder = _Recorder(trace, handle)
        with _tracing(store, recorder), journal.open(encoding="utf-8") as lines:
            apply_journal(store, lines, _progress(recorder))
    store.close()
    fresh(db)
    return trace


def _progress(recorder: _Recorder) -> Any:
    def progress(lines: int) -> None:
        recorder.lines += lines

    return progress


@contextmanager
def _tracing(store: Any, recorder: _Recorder) -> Iterator[None]:
    events = store.app.recorder
    snapshots = store.app.snapshots.recorder if store.app.snapshots else None
    views = store.views
    insert_events, insert_snapshots = events.insert_events, snapshots and snapshots.insert_events
    view_transaction = views.transaction
    chain = views.connection

    def traced_events(stored: Sequence[Any], **kwargs: Any) -> Any:
        positions = insert_events(stored, **kwargs)
        if stored and positions:
            rows = [_event_row(s) for s in stored]
            chained = chain.execute(
                "SELECT * FROM event_chain WHERE notification_id BETWEEN ? AND ? "
                "ORDER BY notification_id",
                (min(positions), max(positions)),
            ).fetchall()
            statements = [(EVENTS_SQL, rows), (CHAIN_SQL, [tuple(r) for r in chained])]
            recorder.add(Transaction("events", "FULL", recorder.lines, statements))
        return positions

    def traced_snapshots(stored: Sequence[Any], **kwargs: Any) -> Any:
        assert insert_snapshots is not None
        found = insert_snapshots(stored, **kwargs)
        rows = [_event_row(s) for s in stored]
        recorder.add(Transaction("snapshots", "FULL", recorder.lines, [(SNAPSHOTS_SQL, rows)]))
        return found

    @contextmanager
    def traced_views() -> Iterator[Any]:
        statements: list[Statement] = []
        with view_transaction() as cursor:
            yield _TracingCursor(cursor, statements)
        recorder.add(Transaction("views", "NORMAL", recorder.lines, statements))

    setattr(events, "insert_events", traced_events)  # noqa: B010 (on the instance)
    if snapshots is not None:
        setattr(snapshots, "insert_events", traced_snapshots)  # noqa: B010
    setattr(views, "transaction", traced_views)  # noqa: B010
    try:
        yield
    finally:
        for target in (events, snapshots, views):
            if target is not None:
                vars(target).pop("insert_events", None)
                vars(target).pop("transaction", None)


def _event_row(stored: Any) -> tuple[Any, ...]:
    oid = stored.originator_id
    return (getattr(oid, "hex", oid), stored.originator_version, stored.topic, stored.state)


class Replayer:
    """Raw sqlite3 replaying a trace into ``db`` (a copy of the trace's base); use
    :meth:`replay` for the transactions of a range of journal lines, then :meth:`close`."""

    def __init__(self, trace: Trace, db: Path) -> None:
        from benchmarks.measure import fresh

        fresh(db)
        shutil.copyfile(trace.base, db)
        self.connection = sqlite3.connect(db, isolation_level=None)
        for pragma in ("journal_mode=WAL", "mmap_size=1073741824", "cache_size=-65536"):
            self.connection.execute(f"PRAGMA {pragma}")
        self.synchronous = ""
        self.pending = trace.read()
        self.next: Transaction | None = next(self.pending, None)

    def replay(self, through_lines: int | None = None) -> float:
        """Run the transactions apply committed before it had finished ``through_lines`` lines
        (all the rest when None); returns the seconds spent in sqlite3 only."""
        spent = 0.0
        cursor = self.connection.cursor()
        while self.next is not None and (through_lines is None or self.next.lines < through_lines):
            transaction = self.next
            if transaction.synchronous != self.synchronous:
                cursor.execute(f"PRAGMA synchronous={transaction.synchronous}")
                self.synchronous = transaction.synchronous
            statements = _merged(transaction.statements)
            started = time.perf_counter()
            cursor.execute("BEGIN IMMEDIATE")
            for sql, rows in statements:
                cursor.executemany(sql, rows)
            cursor.execute("COMMIT")
            spent += time.perf_counter() - started
            self.next = next(self.pending, None)
        return spent

    def close(self) -> None:
        self.connection.close()


def _merged(statements: list[Statement]) -> list[Statement]:
    """Consecutive runs of the same statement as one (the order of writes is kept)."""
    merged: list[Statement] = []
    for sql, rows in statements:
        if merged and merged[-1][0] == sql:
            merged[-1][1].extend(rows)
        else:
            merged.append((sql, list(rows)))
    return merged


def physical_floor(trace: Trace, db: Path) -> float:
    """Seconds raw sqlite3 takes to write the whole trace's rows in its transactions into
    ``db`` (replaced; removed afterwards)."""
    from benchmarks.measure import fresh

    replayer = Replayer(trace, db)
    try:
        return replayer.replay()
    finally:
        replayer.close()
        fresh(db)


def put_floor(db: Path, batches: list[tuple[int, int]], floor_db: Path) -> float:
    """The bare library's ``EventStore.put`` of apply's batches (read back from ``db``)."""
    from benchmarks import floors
    from benchmarks.measure import fresh

    fresh(floor_db)
    source, bare = floors.bare_app(db), floors.bare_app(floor_db)
    try:
        return floors.put_batches(source, bare, batches)
    finally:
        source.close()
        bare.close()
        fresh(floor_db)


_TRACE_CHILD = """
import json, resource, sys
from pathlib import Path
from benchmarks.physical import trace_apply
trace = trace_apply(Path(sys.argv[1]), Path(sys.argv[2]))
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"base": str(trace.base), "path": str(trace.path),
    "transactions": trace.transactions, "rows": trace.rows, "kinds": trace.kinds,
    "peak_kib": peak_kib}))
"""
"""The traced run in a child process: prints its trace and its own peak RSS (KiB on Linux)."""


def traced_child(journal: Path, workdir: Path) -> tuple[Trace, float]:
    """:func:`trace_apply` in a fresh child process; returns the trace and the child's peak
    resident memory in MB (10⁶ bytes) — the peak memory of applying ``journal``, imports
    included (the trace itself streams to a file, one transaction at a time). Raises
    RuntimeError when the child fails."""
    import os
    import subprocess

    root = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": root}
    done = subprocess.run(
        [sys.executable, "-c", _TRACE_CHILD, str(journal), str(workdir)],
        capture_output=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"traced apply failed: {done.stderr.decode()[-2000:]}")
    found = json.loads(done.stdout.decode().splitlines()[-1])
    trace = Trace(
        base=Path(found["base"]),
        path=Path(found["path"]),
        transactions=found["transactions"],
        rows=found["rows"],
        kinds=found["kinds"],
    )
    return trace, found["peak_kib"] * 1024 / 1e6


def measure(
    built: Any, journal: Path, workdir: Path, external: Path | None = None
) -> dict[str, Any]:
    """Beside a :func:`benchmarks.measure.build` of ``journal``: the library's
    ``EventStore.put`` floor of the same batches, the traced run in a child (its peak memory)
    and the physical floor replaying it (:func:`write_set`). Returns seconds, MB and counts.

    ``external``: a JSON file that ``python -m benchmarks.physical --trace-only --out FILE``,
    started beside this run, writes (or has written) with :func:`write_set`'s figures: waited
    for and read instead of tracing here (a 100k journal's traced run takes as long as its
    apply: run beside it on the other core, the run ends half an hour sooner)."""
    put_seconds = put_floor(built.db, built.batches, workdir / "put-floor.db")
    if external is None:
        figures = write_set(journal, workdir)
    else:
        while not external.exists():
            time.sleep(10)
        figures = json.loads(external.read_text(encoding="utf-8"))
        figures["measured_beside"] = str(external)
    return {"put_seconds": put_seconds, **figures}


def write_set(journal: Path, workdir: Path) -> dict[str, Any]:
    """The traced run of ``journal`` in a child (its peak memory), then the physical floor
    replaying it: ``{"physical_seconds", "peak_mb", "transactions", "rows"}``."""
    from benchmarks.measure import fresh

    trace, peak_mb = traced_child(journal, workdir)
    try:
        physical = physical_floor(trace, workdir / "physical.db")
    finally:
        fresh(trace.base)
        trace.path.unlink(missing_ok=True)
    return {
        "physical_seconds": physical,
        "peak_mb": peak_mb,
        "transactions": trace.kinds,
        "rows": trace.rows,
    }


def main(argv: Sequence[str] | None = None) -> None:
    """``--cases N --workdir DIR``: apply (timed), the two bare-library floors of the same
    batches, the traced run and the physical floor; prints a JSON object."""
    from benchmarks.generate import journal_path
    from benchmarks.measure import build, fresh, log

    parser = argparse.ArgumentParser(prog="python -m benchmarks.physical")
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, required=True, help="journals and stores")
    parser.add_argument(
        "--trace-only",
        action="store_true",
        help="only the traced run (peak memory) and the physical floor, for a run of "
        "`python -m benchmarks --write-set-from N=FILE` beside this one",
    )
    parser.add_argument("--out", type=Path, help="with --trace-only: write the JSON here")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.trace_only:
        log(f"traced apply run of {args.cases:,} cases (a child), then the physical floor")
        figures = write_set(journal_path(args.workdir, args.cases), args.workdir)
        text = json.dumps(figures, indent=2)
        if args.out:
            partial = args.out.with_suffix(".partial")
            partial.write_text(text, encoding="utf-8")
            partial.replace(args.out)  # whole or absent: the waiting run reads it at once
        print(text)
        return
    log(f"apply {args.cases:,} cases (with the bare Application.save floor)")
    built = build(args.cases, args.workdir)
    put_seconds = put_floor(built.db, built.batches, args.workdir / "put-floor.db")
    log("traced apply run (untimed)")
    trace = trace_apply(journal_path(args.workdir, args.cases), args.workdir)
    log(f"  {trace.transactions:,} transactions, {trace.rows:,} rows; replaying")
    physical = physical_floor(trace, args.workdir / "physical.db")
    fresh(trace.base)
    trace.path.unlink()
    lines = built.lines
    shape = {
        "cases": args.cases,
        "commands": lines,
        "transactions": trace.kinds,
        "rows": trace.rows,
        "apply_commands_per_s": round(lines / built.apply_seconds),
        "save_floor_commands_per_s": round(lines / built.floor_seconds),
        "put_floor_commands_per_s": round(lines / put_seconds),
        "physical_floor_commands_per_s": round(lines / physical),
        "apply_over_save_floor": round(built.floor_seconds / built.apply_seconds, 3),
        "apply_over_put_floor": round(put_seconds / built.apply_seconds, 3),
        "apply_slower_than_physical": round(built.apply_seconds / physical, 2),
    }
    print(json.dumps(shape, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
