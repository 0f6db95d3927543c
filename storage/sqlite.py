"""The eventsourcing library's SQLite persistence, with the durability settings of this product.

The library's connections already run in WAL mode and wait up to ``SQLITE_LOCK_TIMEOUT`` seconds
for a lock (sqlite3's ``timeout``, i.e. ``PRAGMA busy_timeout``); they leave ``synchronous`` at
the build's default. Ours set ``synchronous=FULL`` on every connection, so a command that
answered success is on disk even when the machine loses power right after (in WAL mode the
default, NORMAL, may lose the last transactions on a power cut, never on a process crash).

``store_env`` selects this module's factory with ``PERSISTENCE_MODULE``; the view tables' own
connection (:class:`disputes.projections.base.ViewDatabase`) uses the same settings.
"""

from __future__ import annotations

from eventsourcing.sqlite import SQLiteConnection, SQLiteConnectionPool, SQLiteFactory
from eventsourcing.utils import Environment, EnvType

PRAGMAS = ("PRAGMA synchronous=FULL",)
"""Run on every new connection (after the library has switched the file to WAL)."""


class DurableSQLiteConnectionPool(SQLiteConnectionPool):
    """The library's pool; each new connection also runs :data:`PRAGMAS`."""

    def _create_connection(self) -> SQLiteConnection:
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
        library.close()
