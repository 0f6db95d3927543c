"""The view database and the projection interface.

Views live in the same database as the events (SQLite file, or PostgreSQL), in tables of their
own, written through their own connection. SQL here uses ``?`` placeholders and portable
``INSERT … ON CONFLICT`` upserts.
"""

from __future__ import annotations

import json
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, ClassVar

from disputes.domain.errors import StoreError
from disputes.domain.model import Dispute

Row = dict[str, Any]


class ViewDatabase:
    """A connection to the view tables (SQLite). ``path`` ``:memory:`` keeps them in memory."""

    def __init__(self, path: str, busy_timeout_ms: int = 10_000) -> None:
        try:
            self.connection = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=busy_timeout_ms / 1000
            )
            self.connection.row_factory = sqlite3.Row
            if path != ":memory:":
                self.connection.execute("PRAGMA journal_mode=WAL")
            self.connection.execute("PRAGMA synchronous=FULL")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the view tables in {path}: {exc}") from None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Cursor]:
        """One write transaction (BEGIN IMMEDIATE … COMMIT, rolled back on error)."""
        cursor = self.connection.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        try:
            yield cursor
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        cursor.execute("COMMIT")

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Run a read query; returns rows as dicts."""
        return [dict(row) for row in self.connection.execute(sql, params).fetchall()]

    def close(self) -> None:
        self.connection.close()


class Projection(ABC):
    """A read model. ``process`` handles one event inside the caller's transaction."""

    name: ClassVar[str]
    tables: ClassVar[Sequence[str]]
    """DDL statements (CREATE TABLE/INDEX IF NOT EXISTS)."""
    table_names: ClassVar[Sequence[str]]

    @abstractmethod
    def process(self, cursor: sqlite3.Cursor, event: Dispute.Event, case_no: str) -> None:
        """Apply one dispute event of case ``case_no`` to the tables."""


def iso(moment: datetime | None) -> str | None:
    """Store times as UTC ISO 8601 text (sortable; rendered to +08:00 on the way out)."""
    return None if moment is None else moment.astimezone(UTC).isoformat(timespec="microseconds")


def details(event: Dispute.Event) -> dict[str, Any]:
    """The event's own fields (not the envelope or the common who/when fields), JSON-ready."""
    skip = {
        "originator_id",
        "originator_version",
        "timestamp",
        "originator_topic",
        "actor",
        "occurred_at",
        "policy_version",
        "command_id",
    }
    out: dict[str, Any] = {}
    for key, value in event.__dict__.items():
        if key in skip:
            continue
        out[key] = iso(value) if isinstance(value, datetime) else value
    return out


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
