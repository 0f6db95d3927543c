"""The eventsourcing library's SQLite persistence, with the durability settings of this product.

The library's connections already run in WAL mode and wait up to ``SQLITE_LOCK_TIMEOUT`` seconds
for a lock (sqlite3's ``timeout``, i.e. ``PRAGMA busy_timeout``); they leave ``synchronous`` at
the build's default. Ours set ``synchronous=FULL`` on every connection, so a command that
answered success is on disk even when the machine loses power right after (in WAL mode the
default, NORMAL, may lose the last transactions on a power cut, never on a process crash).

``store_env`` selects this module's factory with ``PERSISTENCE_MODULE``; the view tables' own
connection (:class:`disputes.storage.views.ViewDatabase`) uses the same settings.

What a file is (:func:`inspect`): a disputes store is recognised by ``PRAGMA application_id``
(:data:`APPLICATION_ID`, set when the store is created) or, for a store written before the id
existed, by its tables (:data:`STORE_TABLES`). Anything else — not SQLite, or another program's
SQLite database — is refused without being written to (see ``disputes.storage.store``).

A read-only store (the file, its folder or its mount cannot be written: an auditor's copy) is
opened through :func:`read_only_uri`: ``mode=ro``, which reads the write-ahead log through the
``-shm`` index beside the file (SQLite creates an empty ``-wal``/``-shm`` pair when the folder
allows it and they are missing); when the folder cannot be written and there is no ``-shm``,
``immutable=1``: nobody can be writing such a store (a writer needs the ``-shm``), and SQLite
then reads the file without locks or index.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from eventsourcing.sqlite import SQLiteConnection, SQLiteConnectionPool, SQLiteFactory
from eventsourcing.utils import Environment, EnvType

PRAGMAS = ("PRAGMA synchronous=FULL",)
"""Run on every new connection (after the library has switched the file to WAL)."""


READ_ONLY_ENV = "DISPUTES_SQLITE_READ_ONLY"
"""Environment key: "1" when ``SQLITE_DBNAME`` is a :func:`read_only_uri` (the library must then
neither switch the journal mode nor create tables)."""


class DurableSQLiteConnectionPool(SQLiteConnectionPool):
    """The library's pool; each new connection also runs :data:`PRAGMAS` (not when read-only:
    the library's switch to WAL is skipped too, it would write the file)."""

    read_only = False

    def _create_connection(self) -> SQLiteConnection:
        if self.read_only:
            self.is_journal_mode_wal = True  # never switch a read-only file's journal mode
            return super()._create_connection()
        connection = super()._create_connection()
        if not self.is_sqlite_memory_mode:
            with connection.cursor() as cursor:
                for pragma in PRAGMAS:
                    cursor.execute(pragma)
        return connection


class DurableSQLiteFactory(SQLiteFactory):
    """The library's SQLite factory (same environment keys) with our connection pool."""

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        library = self.datastore.pool  # holds no connection yet: they are made on first use
        self.datastore.pool = DurableSQLiteConnectionPool(
            db_name=library.db_name,
            lock_timeout=library.lock_timeout,
            pool_size=library.pool_size,
            max_overflow=library.max_overflow,
            pool_timeout=library.pool_timeout,
            max_age=library.max_age,
            pre_ping=library.pre_ping,
        )
        self.datastore.pool.read_only = self.env.get(READ_ONLY_ENV) == "1"
        library.close()


APPLICATION_ID = int.from_bytes(b"DSPT", "big")
"""``PRAGMA application_id`` of a disputes store (set when it is created)."""
DEMO_APPLICATION_ID = int.from_bytes(b"DEMO", "big")
"""``PRAGMA application_id`` of a store made by ``disputes demo`` (a disputes store too: the
mark lets ``demo --into`` replace it and nothing else)."""

STORE_TABLES = ("stored_events", "event_chain")
"""The tables that make an SQLite file a disputes store (one written before APPLICATION_ID)."""

SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True)
class Found:
    """What is at a store path: ``kind`` is ``missing``; ``empty`` (a file of 0 bytes, or an
    SQLite database without tables or application id); ``store`` (a disputes store);
    ``not-sqlite``; or ``foreign`` (another program's SQLite database; ``tables`` names its
    tables)."""

    kind: str
    tables: tuple[str, ...] = ()
    application_id: int = 0

    def describe(self) -> str:
        """What the file is, in words (for ``not-sqlite`` and ``foreign``)."""
        if self.kind == "not-sqlite":
            return "not an SQLite database"
        if self.kind == "empty":
            return "an empty database"
        if self.kind != "foreign":
            return "a disputes store" if self.kind == "store" else "missing"
        owner = f" (application_id {self.application_id:#x})" if self.application_id else ""
        if not self.tables:
            return f"an SQLite database of another program{owner}"
        listed = ", ".join(self.tables[:8]) + (", …" if len(self.tables) > 8 else "")
        return f"an SQLite database of another program{owner}: tables {listed}"


def inspect(path: Path) -> Found:
    """What the file at ``path`` is, read without writing to it (see the module docstring).
    Raises OSError when it cannot be read."""
    if not path.exists():
        return Found("missing")
    with path.open("rb") as file:
        header = file.read(100)
    if not header:
        return Found("empty")
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        return Found("not-sqlite")
    try:
        with closing(sqlite3.connect(read_only_uri(path), uri=True)) as connection:
            (application_id,) = connection.execute("PRAGMA application_id").fetchone()
            tables = tuple(
                name
                for (name,) in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
                )
            )
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorname", "") == "SQLITE_NOTADB":
            return Found("not-sqlite")
        raise
    ours = application_id in (APPLICATION_ID, DEMO_APPLICATION_ID)
    if ours or (application_id == 0 and all(t in tables for t in STORE_TABLES)):
        return Found("store", tables, application_id)
    if application_id == 0 and not tables:
        # Nothing in it to lose: an empty database, or a store another process is creating
        # this instant (its tables are not committed yet).
        return Found("empty")
    return Found("foreign", tables, application_id)


def writable(path: Path) -> bool:
    """True when a writer can use the store at ``path``: the file can be written, and so can
    its folder (WAL creates ``-wal``/``-shm`` beside it) unless both already exist writable."""
    if path.exists() and not os.access(path, os.W_OK):
        return False
    folder = path.parent
    if os.access(folder, os.W_OK):
        return True
    beside = [Path(f"{path}{suffix}") for suffix in ("-wal", "-shm")]
    return all(p.exists() and os.access(p, os.W_OK) for p in beside)


def read_only_uri(path: Path) -> str:
    """The SQLite URI that opens ``path`` read-only (see the module docstring)."""
    shm = Path(f"{path}-shm")
    mode = "mode=ro"
    if not shm.exists() and not os.access(path.parent, os.W_OK):
        mode = "immutable=1"
    return f"file:{quote(str(path.absolute()))}?{mode}"


def unread_log(path: Path) -> bool:
    """True when ``path`` opens ``immutable`` with a non-empty ``-wal`` beside it: the last
    transactions in that log are not seen (they need the ``-shm`` index, which cannot be made)."""
    wal = Path(f"{path}-wal")
    return "immutable=1" in read_only_uri(path) and wal.exists() and wal.stat().st_size > 0
