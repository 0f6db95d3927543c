"""台账 — the ledger: one row per case, filterable by status, grade, station and category."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar

from disputes.domain.closure import observation_window
from disputes.domain.model import Dispute
from disputes.projections.base import Cursor, P, Projection, Row, Views, iso

COLUMNS = (
    "case_no",
    "status",
    "grade",
    "category",
    "source",
    "district",
    "station",
    "village",
    "leader",
    "officer",
    "reported_by",
    "reported_at",
    "graded_at",
    "resolved_at",
    "observe_until",
    "closed_at",
    "relapses",
    "open_referrals",
    "referrals",
    "last_event_at",
    "events",
)


class Ledger(Projection):
    """台账: the ``ledger`` table, one row per case (columns :data:`COLUMNS`, times UTC ISO)."""

    name = "ledger@3"
    """Version 3: ``reported_by`` (the actor of the report) and the owning station after a
    ``transfer`` (issue 11). Version 2: the observation window restarts after a broken
    follow-up chain (issue 10). A store whose ledger is older rebuilds it on opening."""
    _updates: ClassVar[dict[type, str]] = {}
    """The UPDATE statement of each event class (the changed columns depend on the class only)."""
    table_names = ("ledger",)
    tables = (
        """CREATE TABLE IF NOT EXISTS ledger (
            dispute_id TEXT NOT NULL UNIQUE,
            case_no TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            grade TEXT,
            category TEXT NOT NULL,
            source TEXT NOT NULL,
            district TEXT NOT NULL,
            station TEXT NOT NULL,
            village TEXT NOT NULL,
            leader TEXT,
            officer TEXT,
            reported_by TEXT NOT NULL,
            reported_at TEXT NOT NULL,
            graded_at TEXT,
            resolved_at TEXT,
            observe_until TEXT,
            closed_at TEXT,
            relapses {integer} NOT NULL DEFAULT 0,
            open_referrals {integer} NOT NULL DEFAULT 0,
            referrals {integer} NOT NULL DEFAULT 0,
            last_event_at TEXT NOT NULL,
            events {integer} NOT NULL DEFAULT 1,
            observe_days {integer},
            follow_up_max_gap_days {integer},
            follow_ups TEXT NOT NULL DEFAULT '[]'
        )""",
        "CREATE INDEX IF NOT EXISTS ledger_status ON ledger (status, grade)",
        "CREATE INDEX IF NOT EXISTS ledger_station ON ledger (station, status)",
        "CREATE INDEX IF NOT EXISTS ledger_category ON ledger (category)",
        # `ledger --grade red` alone (the province's red list) cannot use (status, grade).
        "CREATE INDEX IF NOT EXISTS ledger_grade ON ledger (grade, status)",
    )

    def process(self, cursor: Cursor, event: Dispute.Event, case_no: str) -> None:
        self.process_many(cursor, [(event, case_no)])

    def process_many(self, cursor: Cursor, items: Sequence[tuple[Dispute.Event, str]]) -> None:
        # Statements on different cases commute; those on one case keep their order. So the
        # batch is cut into rounds (round k: the k-th event of each case in the batch) and each
        # round runs one executemany per statement.
        rounds: list[dict[str, list[Sequence[Any]]]] = []
        seen: dict[str, int] = {}
        for event, case_no in items:
            k = seen.get(case_no, 0)
            seen[case_no] = k + 1
            if k == len(rounds):
                rounds.append({})
            sql, params = self._statement(event, case_no)
            rounds[k].setdefault(sql, []).append(params)
        for statements in rounds:
            for sql, rows in statements.items():
                cursor.executemany(sql, rows)
        self._observe(cursor, items)

    @staticmethod
    def _observe(cursor: Cursor, items: Sequence[tuple[Dispute.Event, str]]) -> None:
        """Bring ``observe_until`` to the end of the current observation window of every case
        resolved or followed up in the batch (product.md §3: it restarts after a gap), from
        the follow-ups kept in occurred order, whatever order they were recorded in."""
        follow_ups: dict[str, list[str]] = {}
        for event, case_no in items:
            if isinstance(event, Dispute.FollowedUp):
                follow_ups.setdefault(case_no, []).append(iso(event.occurred_at) or "")
            elif isinstance(event, Dispute.Resolved):
                follow_ups.setdefault(case_no, [])
        for case_no, new in follow_ups.items():
            row = cursor.execute(
                "SELECT resolved_at, observe_days, follow_up_max_gap_days, follow_ups"
                " FROM ledger WHERE case_no = {?}",
                [case_no],
            ).fetchone()
            resolved_at, days, gap, kept = tuple(row)
            times = sorted({*json.loads(kept), *new})
            until = None
            if resolved_at is not None and days is not None:
                window = observation_window(
                    datetime.fromisoformat(resolved_at),
                    int(days),
                    int(gap),
                    [datetime.fromisoformat(t) for t in times],
                )
                until = iso(window.until)
            cursor.execute(
                "UPDATE ledger SET follow_ups = {?}, observe_until = {?} WHERE case_no = {?}",
                [json.dumps(times), until, case_no],
            )

    def _statement(self, event: Dispute.Event, case_no: str) -> tuple[str, Sequence[Any]]:
        at = iso(event.occurred_at)
        if isinstance(event, Dispute.Reported):
            return (
                "INSERT INTO ledger (dispute_id, case_no, status, category, source, district,"
                " station, village, reported_by, reported_at, last_event_at)"
                " VALUES ({?},{?},{?},{?},{?},{?},{?},{?},{?},{?},{?})",
                (
                    str(event.originator_id),
                    case_no,
                    "reported",
                    event.category,
                    event.source,
                    event.district,
                    event.station,
                    event.village,
                    event.actor,
                    at,
                    at,
                ),
            )
        kind = type(event)
        sql = self._updates.get(kind)
        if sql is None:
            changes = self._changes(event)
            sets = ", ".join(f"{column} = {expr}" for column, expr in changes.items())
            sql = (
                f"UPDATE ledger SET {sets}{', ' if sets else ''}last_event_at ="
                f" CASE WHEN last_event_at < {P} THEN {P} ELSE last_event_at END,"
                " events = events + 1 WHERE case_no = {?}"
            )
            self._updates[kind] = sql
        return sql, [*self._params(event, at), at, at, case_no]

    @staticmethod
    def _changes(event: Dispute.Event) -> dict[str, str]:
        match event:
            case Dispute.Graded():
                return {"grade": P, "status": "'open'", "graded_at": P}
            case Dispute.Assigned():
                return {"leader": P, "officer": P}
            case Dispute.Transferred():
                return {"station": P, "leader": P, "officer": P}
            case Dispute.Referred():
                return {"open_referrals": "open_referrals + 1", "referrals": "referrals + 1"}
            case Dispute.ReceiptRecorded():
                return {"open_referrals": "open_referrals - 1"}
            case Dispute.Escalated():
                return {"grade": "'red'"}
            case Dispute.Downgraded():
                return {"grade": "'yellow'"}
            case Dispute.Resolved():
                return {
                    "grade": "'blue'",
                    "status": "'observing'",
                    "resolved_at": P,
                    "observe_until": P,
                    "observe_days": P,
                    "follow_up_max_gap_days": P,
                }
            case Dispute.Relapsed():
                return {
                    "grade": P,
                    "status": "'open'",
                    "relapses": "relapses + 1",
                    "graded_at": P,
                    "closed_at": "NULL",
                }
            case Dispute.Closed():
                return {"status": "'closed'", "closed_at": P}
            case _:
                return {}

    @staticmethod
    def _params(event: Dispute.Event, at: str | None) -> list[Any]:
        match event:
            case Dispute.Graded():
                return [event.grade, at]
            case Dispute.Assigned():
                return [event.leader, event.officer]
            case Dispute.Transferred():
                return [event.station, event.leader, event.officer]
            case Dispute.Resolved():
                return [
                    at,
                    iso(event.observe_until),
                    event.observe_days,
                    event.follow_up_max_gap_days,
                ]
            case Dispute.Relapsed():
                return [event.grade, at]
            case Dispute.Closed():
                return [at]
            case _:
                return []


FILTERS = ("status", "grade", "station", "category")


def list_cases(db: Views, **filters: str | None) -> list[Row]:
    """Ledger rows ordered by case number; ``filters`` from FILTERS (None = any).

    Times are UTC ISO text; render them with :func:`disputes.domain.clock.local_iso`.
    """
    where = [(f"{key} = {P}", value) for key, value in filters.items() if value is not None]
    for key in filters:
        if key not in FILTERS:
            msg = f"unknown ledger filter {key}"
            raise ValueError(msg)
    sql = f"SELECT {', '.join(COLUMNS)} FROM ledger"
    if where:
        sql += " WHERE " + " AND ".join(clause for clause, _ in where)
    sql += " ORDER BY case_no"
    return db.query(sql, [value for _, value in where])


def get_case_row(db: Views, case_no: str) -> Row | None:
    """The ledger row of one case, or None."""
    rows = db.query(f"SELECT {', '.join(COLUMNS)} FROM ledger WHERE case_no = {P}", [case_no])
    return rows[0] if rows else None


def list_scopes(db: Views, case_no: str | None = None) -> dict[str, tuple[str, str, str]]:
    """Case number → (owning station, village, reporter) of every case (or of ``case_no``):
    what jurisdiction needs of a case, from the ledger."""
    sql = "SELECT case_no, station, village, reported_by FROM ledger"
    params: list[str] = []
    if case_no is not None:
        sql += f" WHERE case_no = {P}"
        params.append(case_no)
    return {str(r[0]): (str(r[1]), str(r[2]), str(r[3])) for r in db.rows(sql, params)}


def list_case_numbers(db: Views) -> dict[str, str]:
    """Every case in the ledger: aggregate id (text, as stored) → case number."""
    return {row[0]: row[1] for row in db.rows("SELECT dispute_id, case_no FROM ledger")}


def case_no_of(cursor: Cursor, dispute_id: str) -> str | None:
    """The case number of an aggregate id (inside a projection transaction)."""
    row = cursor.execute(
        "SELECT case_no FROM ledger WHERE dispute_id = {?}", [dispute_id]
    ).fetchone()
    return None if row is None else str(row[0])


def counts(db: Views) -> dict[str, Any]:
    """Number of cases by status."""
    return {
        r["status"]: r["n"]
        for r in db.query(
            "SELECT status, COUNT(*) AS n FROM ledger GROUP BY status ORDER BY status"
        )
    }
