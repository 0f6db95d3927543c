"""Catch-up and rebuild of the projections from the application's notification log.

Each catch-up pulls notifications after the lowest tracked position, decodes the dispute events
and hands each to every projection that has not seen it, writing the rows and the tracking
positions in one transaction per batch. Rebuild drops the tables and catches up from zero; it
gives exactly the rows of the incremental build.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from eventsourcing.utils import get_topic

from disputes.domain.application import DisputesApp, RecordedCommand
from disputes.domain.model import Dispute
from disputes.projections.base import Projection, ViewDatabase
from disputes.projections.command_log import CommandLog, find_command
from disputes.projections.history import CaseHistory
from disputes.projections.ledger import Ledger, case_no_of

BATCH = 2000

TRACKING_DDL = """CREATE TABLE IF NOT EXISTS tracking (
    projection TEXT PRIMARY KEY,
    notification_id INTEGER NOT NULL
)"""


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
        app: DisputesApp,
        db: ViewDatabase,
        projections: Sequence[Projection] | None = None,
    ) -> None:
        self.app = app
        self.db = db
        self.projections: list[Projection] = list(
            projections or (Ledger(), CaseHistory(), CommandLog())
        )
        self.topics = dispute_topics()
        self._create_tables()

    def _create_tables(self) -> None:
        with self.db.transaction() as cursor:
            cursor.execute(TRACKING_DDL)
            for projection in self.projections:
                for ddl in projection.tables:
                    cursor.execute(ddl)

    def positions(self) -> dict[str, int]:
        """The tracked notification id of each projection (0 when it has seen nothing)."""
        rows = self.db.query("SELECT projection, notification_id FROM tracking")
        known = {r["projection"]: int(r["notification_id"]) for r in rows}
        return {p.name: known.get(p.name, 0) for p in self.projections}

    def catch_up(self, progress: Callable[[int], None] | None = None) -> int:
        """Process every new notification; returns how many dispute events were processed."""
        processed = 0
        while True:
            positions = self.positions()
            start = min(positions.values())
            notifications = self.app.recorder.select_notifications(
                start=start, limit=BATCH, topics=self.topics, inclusive_of_start=False
            )
            if not notifications:
                return processed
            with self.db.transaction() as cursor:
                # Re-read inside the transaction: another process may have caught up meanwhile.
                row_positions = {
                    r[0]: int(r[1])
                    for r in cursor.execute("SELECT projection, notification_id FROM tracking")
                }
                last = notifications[-1].id
                for notification in notifications:
                    event = self.app.mapper.to_domain_event(notification)
                    assert isinstance(event, Dispute.Event)
                    case_no = event.case_no if isinstance(event, Dispute.Reported) else None
                    for projection in self.projections:
                        if notification.id <= row_positions.get(projection.name, 0):
                            continue
                        if case_no is None:
                            case_no = case_no_of(cursor, str(event.originator_id))
                            assert case_no is not None, "a case event before its report"
                        projection.process(cursor, event, case_no)
                for projection in self.projections:
                    if last > row_positions.get(projection.name, 0):
                        cursor.execute(
                            "INSERT INTO tracking (projection, notification_id) VALUES (?, ?)"
                            " ON CONFLICT (projection) DO UPDATE SET"
                            " notification_id = excluded.notification_id",
                            (projection.name, last),
                        )
            processed += len(notifications)
            if progress is not None:
                progress(len(notifications))

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Drop every projection table and rebuild from the first event; returns events read."""
        with self.db.transaction() as cursor:
            for projection in self.projections:
                for table in projection.table_names:
                    cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute("DROP TABLE IF EXISTS tracking")
        self._create_tables()
        return self.catch_up(progress)

    def find_command(self, command_id: str) -> RecordedCommand | None:
        """The case a command id recorded (after catching up), or None. See CommandLookup."""
        self.catch_up()
        return find_command(self.db, command_id)
