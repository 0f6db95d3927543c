"""The view database: the read side's tables, in the same database as the events (SQLite file,
or PostgreSQL through :mod:`.views_postgres`), written through a connection of its own.

SQL run here is a template asking for its dialect's fragments (``{?}`` for a parameter, …; see
:mod:`.dialect`), with portable ``INSERT … ON CONFLICT`` upserts.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from disputes.domain.application import DisputesApp
from disputes.domain.errors import StoreError
from disputes.projections.base import P, Row
from disputes.storage.dialect import SQLITE, Dialect
from disputes.storage.failures import describe
from disputes.storage.location import redact
from disputes.storage.sqlite import read_only_uri

MMAP_BYTES = 1 << 30
CACHE_KIB = 64 * 1024


class ViewDatabase:
    """A connection to the view tables (SQLite). ``path`` ``:memory:`` keeps them in memory.

    ``events_table``, ``chain_table``, ``snapshots_table`` and ``position_column`` name the
    library's tables as this store lays them out (read raw by the audit checks).
    """

    dialect: Dialect = SQLITE
    events_table = "stored_events"
    chain_table = "event_chain"
    snapshots_table = "stored_snapshots"
    position_column = "rowid"

    read_only = False
    """True when opened read-only (:func:`.sqlite.read_only_uri`): a table the store lacks is
    created as an empty TEMP table of this connection (so a projection or the checkpoints of a
    store written before them read as empty), and any other write fails (SQLITE_READONLY)."""

    def __init__(
        self, path: str, busy_timeout_ms: int = 10_000, *, read_only: bool = False
    ) -> None:
        self.read_only = read_only
        try:
            target = read_only_uri(Path(path)) if read_only else path
            self.connection = sqlite3.connect(
                target,
                uri=read_only,
                isolation_level=None,
                check_same_thread=False,
                timeout=busy_timeout_ms / 1000,
            )
            self.connection.row_factory = sqlite3.Row
            if path != ":memory:":
                if not read_only:
                    _switch_to_wal(self.connection, busy_timeout_ms / 1000)
                # Reads of a large store (a 100k-case ledger, the due board) go through the OS
                # page cache without a read() per page; a larger page cache for the writes.
                self.connection.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
                self.connection.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
            self.connection.execute("PRAGMA synchronous=FULL")
        except sqlite3.Error as exc:
            cause = describe(exc, path)
            raise StoreError(
                f"cannot open store {path}: {cause}", zh=f"数据库无法打开：{path}：{cause}"
            ) from None

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """Many write transactions in a row (a rebuild, a journal run): their commits do not
        wait for the disk one by one (``synchronous=NORMAL``); at the end the log is flushed by
        a checkpoint and ``FULL`` is back.

        Only derived rows are at stake, never an event: view rows commit together with their
        tracking position, the events are written through the application's own ``FULL``
        connection (whose every commit also flushes the view commits before it), so a power
        cut can lose only the last view transactions, which the next catch-up projects again.
        (At 100k cases, waiting for the disk at every commit cost a rebuild a third of its
        time.)
        """
        if not isinstance(self.connection, sqlite3.Connection):
            yield
            return
        self.connection.execute("PRAGMA synchronous=NORMAL")
        try:
            yield
        finally:
            self.connection.execute("PRAGMA synchronous=FULL")
            self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)")

    @contextmanager
    def transaction(self) -> Iterator[SQLiteCursor]:
        """One write transaction (BEGIN IMMEDIATE … COMMIT, rolled back on error); its cursor
        takes SQL templates."""
        cursor = self.connection.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        try:
            yield ReadOnlyCursor(cursor) if self.read_only else SQLiteCursor(cursor)
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        cursor.execute("COMMIT")

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Row]:
        """Run a read query (an SQL template); returns rows as dicts."""
        cursor = self.connection.cursor()
        cursor.row_factory = None  # plain tuples, zipped with the names: far cheaper than Row
        try:
            cursor.execute(SQLITE.sql(sql), params)
            if cursor.description is None:
                return []
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        finally:
            cursor.close()

    def rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[tuple[Any, ...]]:
        """Run a read query (an SQL template); returns rows as plain tuples (cheaper than dicts
        for long results)."""
        cursor = self.connection.cursor()
        cursor.row_factory = None
        try:
            return cursor.execute(SQLITE.sql(sql), params).fetchall()
        finally:
            cursor.close()

    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        """Run a read query (an SQL template); yields rows as plain tuples, one at a time (for
        reads of the whole log)."""
        cursor = self.connection.cursor()
        cursor.row_factory = None
        try:
            yield from cursor.execute(SQLITE.sql(sql), params)
        finally:
            cursor.close()

    def table_exists(self, name: str) -> bool:
        """True when the database has a table ``name``."""
        rows = self.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = {?}", [name])
        return bool(rows)

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()


class SQLiteCursor:
    """A ``sqlite3.Cursor`` that takes SQL templates (see :mod:`.dialect`)."""

    __slots__ = ("raw",)

    def __init__(self, raw: sqlite3.Cursor) -> None:
        self.raw = raw

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        return self.raw.execute(SQLITE.sql(sql), parameters)

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> sqlite3.Cursor:
        return self.raw.executemany(SQLITE.sql(sql), seq_of_parameters)

    def fetchone(self) -> Any:
        return self.raw.fetchone()

    def fetchall(self) -> list[Any]:
        return self.raw.fetchall()


DDL = re.compile(
    r"\s*CREATE\s+(?:UNIQUE\s+)?(TABLE|INDEX)\s+IF\s+NOT\s+EXISTS\s+(\w+)(?:\s+ON\s+(\w+))?",
    re.IGNORECASE,
)


class ReadOnlyCursor(SQLiteCursor):
    """The cursor of a read-only view database: ``CREATE TABLE IF NOT EXISTS`` of a table the
    store has is skipped, of one it lacks creates an empty TEMP table; ``CREATE INDEX`` is run
    only on such a TEMP table. Anything else runs as given (a write fails: read-only)."""

    __slots__ = ()

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        ddl = DDL.match(sql)
        if ddl is None:
            return super().execute(sql, parameters)
        kind, name, table = ddl.groups()
        if kind.upper() == "TABLE":
            if self._in("main", name):
                return self.raw
            temp = re.sub(r"(?i)CREATE\s+TABLE", "CREATE TEMP TABLE", sql, count=1)
            return super().execute(temp, parameters)
        if table and self._in("temp", table):
            return super().execute(sql, parameters)
        return self.raw

    def _in(self, schema: str, name: str) -> bool:
        found = self.raw.execute(
            f"SELECT 1 FROM {schema}.sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
        return found is not None


def _switch_to_wal(connection: sqlite3.Connection, timeout: float) -> None:
    """``PRAGMA journal_mode=WAL``, waiting up to ``timeout`` seconds for other processes.

    Switching a new file to WAL needs it to itself, and SQLite answers "database is locked" at
    once, without its busy timeout, when another process has it open — as when several officers
    open a new store at the same moment (tests/scale/test_concurrency.py). The mode is stored in
    the file, so once one of them has switched it, the others' pragma is a no-op.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            busy = getattr(exc, "sqlite_errorname", "").startswith("SQLITE_BUSY")
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


__all__ = ["P", "SQLiteCursor", "ViewDatabase", "open_views"]  # P: the parameter of a template


def open_views(location: str, *, read_only: bool = False) -> ViewDatabase:
    """The view tables' database for a store location (same database as the events);
    ``read_only``: an SQLite store opened read-only (see :class:`ViewDatabase`)."""
    if "://" in location:
        # Imported here: psycopg takes longer to import than the rest of a CLI command.
        from disputes.storage.views_postgres import PostgresViewDatabase

        try:
            return PostgresViewDatabase(location, events_table=f"{DisputesApp.name.lower()}_events")
        except StoreError as exc:
            raise StoreError(
                f"cannot open store {redact(location)}: {exc.message}",
                zh=f"数据库无法打开：{redact(location)}：{exc.zh or exc.message}",
            ) from None
    return ViewDatabase(location, read_only=read_only)
