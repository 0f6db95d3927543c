"""Catch-up and rebuild of the projections from the application's notification log.

Each catch-up pulls notifications after the lowest tracked position, decodes the dispute events
and hands each to every projection that has not seen it, writing the rows and the tracking
positions in one transaction per batch. Rebuild drops the tables and catches up from zero; it
gives exactly the rows of the incremental build.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import Notification, Recording, StoredEvent
from eventsourcing.utils import get_topic

from disputes.domain.commands import RecordedCommand
from disputes.domain.model import Dispute
from disputes.projections.access_log import AccessLog
from disputes.projections.base import Cursor, Projection, Views
from disputes.projections.command_log import CommandLog, find_command
from disputes.projections.due_board import DueBoard
from disputes.projections.history import CaseHistory
from disputes.projections.informants import InformantCases
from disputes.projections.ledger import Ledger, case_no_of
from disputes.projections.rewards import Rewards
from disputes.projections.statistics import Statistics

BATCH = 2000
INDEX_DDL = re.compile(
    r"\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+IF\s+NOT\s+EXISTS\s+(\w+)", re.IGNORECASE
)
REBUILD_BATCH = 20_000
"""Notifications a rebuild projects per transaction: a case then has several events in a
batch, so its state (the due board's clocks, the ledger's follow-ups) is read and written once
for them all (10 % less CPU than batches of 2,000 at 10k cases)."""
CASE_NOS = 200_000
"""Case numbers remembered by aggregate id (then forgotten and looked up again)."""

TRACKING_DDL = """CREATE TABLE IF NOT EXISTS tracking (
    projection TEXT PRIMARY KEY,
    notification_id {integer} NOT NULL
)"""


class NotificationLog(Protocol):
    """The application's notification log, read in order (an eventsourcing ApplicationRecorder
    is one)."""

    def max_notification_id(self) -> int | None:
        """The last notification id, or None before the first event."""

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        """Up to ``limit`` notifications from ``start`` through ``stop``, of ``topics``."""


class EventDecoder(Protocol):
    """Turns a stored event back into a domain event (an eventsourcing Mapper is one)."""

    def to_domain_event(self, stored_event: StoredEvent, /) -> object:
        """The domain event a stored event holds."""


class EventSource(Protocol):
    """Where the projections read events from: a log and its decoder (the application
    service of :mod:`disputes.storage` is one)."""

    @property
    def recorder(self) -> NotificationLog:
        """The notification log."""

    @property
    def mapper(self) -> EventDecoder:
        """The decoder of the log's stored events."""


def topics_of(projections: Sequence[Projection]) -> list[str]:
    """Topics of every event class the ``projections`` read (the dispute events' first)."""
    found: list[str] = []
    for projection in projections:
        for cls in projection.events:
            for topic in dispute_topics() if cls is Dispute.Event else [get_topic(cls)]:
                if topic not in found:
                    found.append(topic)
    return found


def dispute_topics() -> list[str]:
    """Topics of every dispute event class (the notifications the projections read)."""
    return [
        get_topic(value)
        for value in vars(Dispute).values()
        if isinstance(value, type)
        and issubclass(value, Dispute.Event)
        and value is not Dispute.Event
    ]


class Projections:
    """The projections of one store. ``catch_up`` after writes; ``rebuild`` from zero."""

    def __init__(
        self,
        app: EventSource,
        db: Views,
        projections: Sequence[Projection] | None = None,
    ) -> None:
        self.app = app
        self.db = db
        self.projections: list[Projection] = list(
            projections
            or (
                Ledger(),
                CaseHistory(),
                CommandLog(),
                DueBoard(),
                AccessLog(),
                Statistics(),
                Rewards(),
                InformantCases(),
            )
        )
        self.topics = topics_of(self.projections)
        self._case_nos: dict[UUID, str] = {}
        self._create_tables()

    def _create_tables(self, *, defer_indexes: bool = False) -> list[str]:
        """Create what is missing. A projection the tracking table does not know — a new one,
        or a new version of one (its ``name`` says the version, e.g. ``ledger@2``) — starts
        from empty tables and is caught up from the first event; the tracking rows of
        versions no longer in use are dropped.

        ``defer_indexes``: leave out the secondary indexes processing does not read (see
        ``Projection.indexes_read``) and return their DDL, for the caller to run after a load.
        """
        names = [p.name for p in self.projections]
        deferred: list[str] = []
        with self.db.transaction() as cursor:
            cursor.execute(TRACKING_DDL)
            tracked = {
                row[0] for row in cursor.execute("SELECT projection FROM tracking").fetchall()
            }
            for projection in self.projections:
                if projection.name not in tracked:
                    for table in projection.table_names:
                        cursor.execute(f"DROP TABLE IF EXISTS {table}")
                for ddl in projection.tables:
                    index = INDEX_DDL.match(ddl)
                    if defer_indexes and index and index[1] not in projection.indexes_read:
                        deferred.append(ddl)
                    else:
                        cursor.execute(ddl)
            for stale in tracked - set(names):
                cursor.execute("DELETE FROM tracking WHERE projection = {?}", [stale])
        return deferred

    def positions(self) -> dict[str, int]:
        """The tracked notification id of each projection (0 when it has seen nothing)."""
        rows = self.db.query("SELECT projection, notification_id FROM tracking")
        known = {r["projection"]: int(r["notification_id"]) for r in rows}
        return {p.name: known.get(p.name, 0) for p in self.projections}

    def catch_up(self, progress: Callable[[int], None] | None = None, *, batch: int = BATCH) -> int:
        """Process every new notification; returns how many dispute events were processed.

        Notifications are read, projected and committed ``batch`` at a time. Positions are
        tracked through the last notification examined (not only the last dispute event), so
        a catch-up with nothing new costs two indexed reads.
        """
        processed = 0
        while True:
            positions = self.positions()
            start = min(positions.values())
            through = self.app.recorder.max_notification_id() or 0
            if through <= start:
                return processed
            notifications = self.app.recorder.select_notifications(
                start=start,
                limit=batch,
                stop=through,
                topics=self.topics,
                inclusive_of_start=False,
            )
            if len(notifications) == batch:
                through = notifications[-1].id
            mapper = self.app.mapper
            events = [(n.id, mapper.to_domain_event(n)) for n in notifications]
            with self.db.transaction() as cursor:
                self._process(cursor, events, through)
            processed += len(notifications)
            if progress is not None and notifications:
                progress(len(notifications))

    def project(self, recordings: Sequence[Recording[UUID]]) -> int:
        """Project events this process has just saved, from memory (no read-back, no decode).

        Falls back to :meth:`catch_up` when notifications before them are not processed yet
        (another writer came in between). Returns how many dispute events were processed.
        """
        if not recordings:
            return self.catch_up()
        ids = [r.notification.id for r in recordings]
        first, through = min(ids), max(ids)
        if through - first + 1 != len(ids):
            return self.catch_up()
        with self.db.transaction() as cursor:
            tracked = self._tracked(cursor)
            if any(tracked.get(p.name, 0) < first - 1 for p in self.projections):
                ready = False
            else:
                ready = True
                kinds = tuple(cls for p in self.projections for cls in p.events)
                events = [
                    (r.notification.id, r.domain_event)
                    for r in recordings
                    if isinstance(r.domain_event, kinds)
                ]
                self._process(cursor, events, through, tracked)
        if not ready:
            return self.catch_up()
        return len(events) + self.catch_up()

    @staticmethod
    def _tracked(cursor: Cursor) -> dict[str, int]:
        return {
            r[0]: int(r[1])
            for r in cursor.execute("SELECT projection, notification_id FROM tracking")
        }

    def _process(
        self,
        cursor: Cursor,
        events: Sequence[tuple[int, object]],
        through: int,
        tracked: dict[str, int] | None = None,
    ) -> None:
        """Hand each (notification id, event) to every projection that has not seen it, and
        track every projection through notification ``through`` (all in the caller's
        transaction)."""
        if tracked is None:
            # Re-read inside the transaction: another process may have caught up meanwhile.
            tracked = self._tracked(cursor)
        positions = [(p, tracked.get(p.name, 0)) for p in self.projections]
        lowest = min(position for _, position in positions)
        items: list[tuple[int, Any, str]] = []
        for notification_id, event in events:
            if notification_id > lowest:
                # Only a dispute event belongs to a case (an access entry names its own).
                case_no = self._case_no(cursor, event) if isinstance(event, Dispute.Event) else ""
                items.append((notification_id, event, case_no))
        # Most projections read the same events from the same position: one list for them.
        todos: dict[tuple[int, tuple[type, ...]], list[tuple[Any, str]]] = {}
        for projection, position in positions:
            key = (position, projection.events)
            todo = todos.get(key)
            if todo is None:
                kinds = projection.events
                todo = todos[key] = [
                    (event, case_no)
                    for n, event, case_no in items
                    if n > position and isinstance(event, kinds)
                ]
            if todo:
                projection.process_many(cursor, todo)
        for projection, position in positions:
            if through > position:
                cursor.execute(
                    "INSERT INTO tracking (projection, notification_id) VALUES ({?}, {?})"
                    " ON CONFLICT (projection) DO UPDATE SET"
                    " notification_id = excluded.notification_id",
                    (projection.name, through),
                )

    def _case_no(self, cursor: Cursor, event: Dispute.Event) -> str:
        """The case number of an event's case (remembered; a case number never changes)."""
        known = self._case_nos
        if isinstance(event, Dispute.Reported):
            case_no = event.case_no
        else:
            found = known.get(event.originator_id)
            if found is not None:
                return found
            looked_up = case_no_of(cursor, str(event.originator_id))
            assert looked_up is not None, "a case event before its report"
            case_no = looked_up
        if len(known) >= CASE_NOS:
            known.clear()
        known[event.originator_id] = case_no
        return case_no

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Drop every projection table and rebuild from the first event; returns events read.

        The log is projected :data:`REBUILD_BATCH` notifications per transaction, in the
        views' bulk mode; the secondary indexes processing does not read are created after
        the load (the same rows as the incremental build: only the order of work differs).
        """
        with self.db.transaction() as cursor:
            for projection in self.projections:
                for table in projection.table_names:
                    cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute("DROP TABLE IF EXISTS tracking")
        deferred = self._create_tables(defer_indexes=True)
        with self.db.bulk():
            read = self.catch_up(progress, batch=REBUILD_BATCH)
            # Built once from the loaded rows: cheaper than keeping them up to date row by row
            # (an interrupted rebuild leaves them to the next opening, which creates them).
            with self.db.transaction() as cursor:
                for ddl in deferred:
                    cursor.execute(ddl)
        return read

    def find_command(self, command_id: str) -> RecordedCommand | None:
        """The case a command id recorded (after catching up), or None. See CommandLookup."""
        self.catch_up()
        return find_command(self.db, command_id)
