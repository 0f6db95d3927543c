"""The view tables on PostgreSQL: the same interface as :class:`~.base.ViewDatabase`, so every
projection, query and audit check runs unchanged on both stores.

The projections write SQL templates that ask for their dialect's fragments; this module fills
them in for PostgreSQL (:data:`~.dialect.POSTGRESQL`: psycopg's ``%s`` and ``%(name)s``,
``BIGINT`` columns, …). A write transaction takes an advisory lock, so two processes catching
up at once are serialised exactly as SQLite's ``BEGIN IMMEDIATE`` serialises them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg

from disputes.domain.errors import StoreError
from disputes.storage.dialect import POSTGRESQL, Dialect
from disputes.storage.views import ViewDatabase

VIEW_LOCK = 0x44495350  # "DISP": the advisory lock key of view writers


class Row(tuple[Any, ...]):
    """A row readable by position and by column name, like ``sqlite3.Row``."""

    names: tuple[str, ...] = ()

    def keys(self) -> tuple[str, ...]:
        return self.names

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self.names.index(key))
        return tuple.__getitem__(self, key)


def _row_factory(cursor: psycopg.Cursor[Any]) -> Any:
    names = tuple(column.name for column in cursor.description or ())
    kind = type("Row", (Row,), {"names": names})

    def make(values: Sequence[Any]) -> Row:
        row: Row = kind(values)
        return row

    return make


class Cursor:
    """A psycopg cursor that takes SQL templates (see :mod:`.dialect`)."""

    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self._cursor = cursor
        self.row_factory: Any = None  # accepted for sqlite3 compatibility; rows are always Row

    def execute(self, sql: str, params: Any = ()) -> Cursor:
        self._cursor.execute(POSTGRESQL.sql(sql), params or None)
        return self

    def executemany(self, sql: str, rows: Any) -> Cursor:
        self._cursor.executemany(POSTGRESQL.sql(sql), list(rows))
        return self

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    def fetchall(self) -> list[Any]:
        return list(self._cursor.fetchall())

    def __iter__(self) -> Iterator[Any]:
        return iter(self._cursor)

    def close(self) -> None:
        self._cursor.close()

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount


class Connection:
    """A psycopg connection (autocommit) whose cursors take SQL templates."""

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self.raw = connection

    def cursor(self) -> Cursor:
        return Cursor(self.raw.cursor(row_factory=_row_factory))

    def execute(self, sql: str, params: Any = ()) -> Cursor:
        return self.cursor().execute(sql, params)

    def close(self) -> None:
        self.raw.close()


class PostgresViewDatabase(ViewDatabase):
    """The view tables in a PostgreSQL database (``conninfo``: a libpq connection string/URL).

    It stands in for the SQLite :class:`ViewDatabase` wherever one is expected: its connection
    and cursors speak the subset of the sqlite3 DB-API the projections use (``execute``,
    ``executemany``, ``fetchone``, ``fetchall``, rows by position or name).

    Raises :class:`StoreError` naming the cause when the server cannot be reached, the password
    is wrong or the database does not exist.
    """

    dialect: Dialect = POSTGRESQL
    position_column = "notification_id"

    def __init__(self, conninfo: str, *, events_table: str = "disputes_events") -> None:
        try:
            raw = psycopg.connect(conninfo, autocommit=True, connect_timeout=10)
        except psycopg.OperationalError as exc:
            raise StoreError(
                f"cannot connect to PostgreSQL: {_first_line(exc)}",
                zh=f"无法连接 PostgreSQL：{_first_line(exc)}",
            ) from None
        self.pg = Connection(raw)
        self.connection = self.pg  # type: ignore[assignment]  # duck-typed, see the docstring
        self.events_table = events_table
        self.chain_table = f"{events_table}_chain"
        self.snapshots_table = events_table.replace("_events", "_snapshots")

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:  # type: ignore[override]  # duck-typed cursor
        """One write transaction, serialised with other view writers by an advisory lock."""
        with self.pg.raw.transaction():
            cursor = self.pg.cursor()
            cursor.execute("SELECT pg_advisory_xact_lock({?})", (VIEW_LOCK,))
            yield cursor

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        """Run a read query (an SQL template); returns rows as dicts."""
        return [
            dict(zip(row.keys(), row, strict=True))
            for row in self.pg.execute(sql, params).fetchall()
        ]

    def rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[tuple[Any, ...]]:
        """Run a read query (an SQL template); returns rows as tuples."""
        return self.pg.execute(sql, params).fetchall()

    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        """Run a read query (an SQL template); yields rows one at a time."""
        cursor = self.pg.execute(sql, params)
        try:
            yield from cursor
        finally:
            cursor.close()

    def table_exists(self, name: str) -> bool:
        rows = self.query("SELECT to_regclass({?}) IS NOT NULL AS present", [name])
        return bool(rows[0]["present"])

    def close(self) -> None:
        self.pg.close()


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
