"""The statistics projection (``Statistics``): two append-only tables of the facts the figures
are counted from.

- ``stat_cases`` — one row per case, written by its report: where (station, village), what
  (category), how it was found (source), when it was reported and when that was recorded;
- ``stat_events`` — one row per later event: the case, its version, the event's stable name,
  its occurred and recorded times (UTC ISO text) and the one value a figure needs of it (the
  grade of a grading or relapse, the number of a referral or of the referral a receipt answers,
  the level of a supervision order, the kind of an outcome).

Rows are only ever inserted, so the incremental build and a rebuild give the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from disputes.domain.model import Dispute
from disputes.projections.base import Cursor, Projection, iso

_INSERT_CASE = (
    "INSERT INTO stat_cases (case_no, station, village, category, source, reported_at,"
    " recorded_at) VALUES ({?}, {?}, {?}, {?}, {?}, {?}, {?})"
)
_INSERT_EVENT = (
    "INSERT INTO stat_events (case_no, version, event, occurred_at, recorded_at, value)"
    " VALUES ({?}, {?}, {?}, {?}, {?}, {?})"
)


def value_of(event: Dispute.Event) -> str | None:
    """The one value of an event a figure needs (see the module docstring), else None."""
    match event:
        case Dispute.Graded() | Dispute.Relapsed():
            return event.grade
        case Dispute.Referred() | Dispute.ReceiptRecorded():
            return str(event.referral)
        case Dispute.Supervised():
            return event.level
        case Dispute.OutcomeRecorded():
            return event.kind
        case _:
            return None


class Statistics(Projection):
    """统计: the facts of every case and event that ``stats``, ``report-month`` and ``rating``
    count (see the module docstring)."""

    name = "statistics@1"
    table_names = ("stat_cases", "stat_events")
    tables = (
        """CREATE TABLE IF NOT EXISTS stat_cases (
            case_no TEXT PRIMARY KEY,
            station TEXT NOT NULL,
            village TEXT NOT NULL,
            category TEXT NOT NULL,
            source TEXT NOT NULL,
            reported_at TEXT NOT NULL,
            recorded_at TEXT NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS stat_events (
            case_no TEXT NOT NULL,
            version {integer} NOT NULL,
            event TEXT NOT NULL,
            occurred_at TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            value TEXT,
            PRIMARY KEY (case_no, version)
        )""",
        "CREATE INDEX IF NOT EXISTS stat_cases_reported ON stat_cases (reported_at)",
    )

    def process(self, cursor: Cursor, event: Dispute.Event, case_no: str) -> None:
        self.process_many(cursor, [(event, case_no)])

    def process_many(self, cursor: Cursor, items: Sequence[tuple[Dispute.Event, str]]) -> None:
        cases: list[tuple[Any, ...]] = []
        events: list[tuple[Any, ...]] = []
        for event, case_no in items:
            if isinstance(event, Dispute.Reported):
                cases.append(
                    (
                        case_no,
                        event.station,
                        event.village,
                        event.category,
                        event.source,
                        iso(event.occurred_at),
                        iso(event.timestamp),
                    )
                )
            else:
                events.append(
                    (
                        case_no,
                        event.originator_version,
                        event.name,
                        iso(event.occurred_at),
                        iso(event.timestamp),
                        value_of(event),
                    )
                )
        if cases:
            cursor.executemany(_INSERT_CASE, cases)
        if events:
            cursor.executemany(_INSERT_EVENT, events)
