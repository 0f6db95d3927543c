"""The projection interface, and what a projection needs of the database its tables live in.

A projection names no database: it writes its SQL (templates asking for what differs between
databases, see :class:`Views`; portable ``INSERT … ON CONFLICT`` upserts) through a
:class:`Cursor` inside a transaction, and answers its queries through :class:`Views`.
:mod:`disputes.storage` supplies both, for SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any, ClassVar, Protocol

from disputes.domain.model import Dispute

Row = dict[str, Any]

P = "{?}"
"""A positional parameter in an SQL template, for f-strings (see :class:`Views`)."""


class Cursor(Protocol):
    """The part of a DB-API cursor a projection uses (``sqlite3.Cursor`` is one)."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Any:
        """Run one statement; returns the cursor (for ``fetchone``/``fetchall``)."""

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> Any:
        """Run one statement for each parameter sequence."""

    def fetchone(self) -> Any:
        """The next row (by position, or by column name), or None."""

    def fetchall(self) -> list[Any]:
        """The remaining rows."""


class Views(Protocol):
    """The database of the view tables, as the projections and their queries see it.

    Every statement given to it or to its cursors is an SQL template (``str.format`` syntax)
    naming what differs between databases, which the database fills in: ``{?}`` a positional
    parameter (:data:`P`), ``{name}`` a named one, ``{integer}`` the integer column type,
    ``{without_rowid}`` after a table definition, ``{cross_join}`` SQLite's join-order hint,
    ``{json_each}`` (``{json_each:name}``) the table of a JSON array parameter's ``value`` rows.
    A literal brace is doubled. See :mod:`disputes.storage.dialect`.
    """

    def transaction(self) -> AbstractContextManager[Any]:
        """One write transaction; yields a :class:`Cursor` (rolled back on error)."""

    def query(self, sql: str, params: Any = ()) -> list[Row]:
        """Run a read query (``params`` a sequence, or a mapping for ``:name``); rows as dicts."""

    def rows(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        """Run a read query; rows as plain tuples (cheaper than dicts for long results)."""

    def bulk(self) -> AbstractContextManager[None]:
        """Many write transactions in a row (a rebuild): the database may defer their flushes."""


class Projection(ABC):
    """A read model. ``process`` handles one event inside the caller's transaction."""

    name: ClassVar[str]
    events: ClassVar[tuple[type, ...]] = (Dispute.Event,)
    """The event classes it reads (the dispute events, unless it says otherwise)."""
    tables: ClassVar[Sequence[str]]
    """DDL statements (CREATE TABLE/INDEX IF NOT EXISTS)."""
    table_names: ClassVar[Sequence[str]]
    indexes_read: ClassVar[frozenset[str]] = frozenset()
    """Names of the secondary indexes (``CREATE INDEX`` in :attr:`tables`) that processing
    itself reads: a rebuild builds every other index only after the load."""

    @abstractmethod
    def process(self, cursor: Cursor, event: Dispute.Event, case_no: str) -> None:
        """Apply one dispute event of case ``case_no`` to the tables."""

    def process_many(self, cursor: Cursor, items: Sequence[tuple[Dispute.Event, str]]) -> None:
        """Apply several (event, case number) pairs, in log order. The default calls
        ``process`` for each; a projection may write them set-wise, giving the same rows."""
        for event, case_no in items:
            self.process(cursor, event, case_no)


class EventRows(Projection):
    """A projection that writes one row per event and never updates it (an append-only table):
    ``INSERT`` is its statement, ``row`` the values of one event."""

    INSERT: ClassVar[str]

    @abstractmethod
    def row(self, event: Dispute.Event, case_no: str) -> tuple[Any, ...]:
        """The INSERT's values for one event."""

    def process(self, cursor: Cursor, event: Dispute.Event, case_no: str) -> None:
        cursor.execute(self.INSERT, self.row(event, case_no))

    def process_many(self, cursor: Cursor, items: Sequence[tuple[Dispute.Event, str]]) -> None:
        # executemany keeps the log order (the first event of a command id still wins).
        cursor.executemany(self.INSERT, [self.row(event, case_no) for event, case_no in items])


def iso(moment: datetime | None) -> str | None:
    """Store times as UTC ISO 8601 text (sortable; rendered to +08:00 on the way out).

    Remembered for at least the last :data:`ISO_REMEMBERED` moments: every projection writes
    the times of the events of a batch (equal moments give equal text, whatever their offset),
    and a datetime keeps its hash, so a repeat costs a dict lookup instead of a conversion and
    a format.
    """
    if moment is None:
        return None
    text = _ISO_NEW.get(moment)
    if text is None:
        text = _ISO_OLD.get(moment)
        if text is None:
            text = moment.astimezone(UTC).isoformat(timespec="microseconds")
        if len(_ISO_NEW) >= ISO_REMEMBERED:
            _ISO_OLD.clear()
            _ISO_OLD.update(_ISO_NEW)
            _ISO_NEW.clear()
        _ISO_NEW[moment] = text
    return text


ISO_REMEMBERED = 50_000
"""How many moments :func:`iso` remembers at least (two generations of this many: a batch of
a rebuild has two moments per event, its occurred and its recorded time)."""
_ISO_NEW: dict[datetime, str] = {}
_ISO_OLD: dict[datetime, str] = {}


def details(event: Dispute.Event) -> dict[str, Any]:
    """The event's own fields (not the envelope or the common who/when fields), JSON-ready."""
    return {
        key: iso(value) if isinstance(value, datetime) else value
        for key, value in event.__dict__.items()
        if key not in _ENVELOPE
    }


_ENVELOPE = frozenset(
    {
        "originator_id",
        "originator_version",
        "timestamp",
        "originator_topic",
        "actor",
        "occurred_at",
        "policy_version",
        "command_id",
        "os_user",
    }
)
_ENCODER = json.JSONEncoder(ensure_ascii=False)


def dumps(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False)``, with one encoder for all calls."""
    return _ENCODER.encode(value)
