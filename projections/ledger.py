"""台账 — the ledger: one row per case, filterable by status, grade, station and category."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from disputes.domain.closure import observation_window
from disputes.domain.model import Dispute
from disputes.projections.base import Cursor, P, Projection, Row, Views, iso
from disputes.projections.ledger_query import COLUMNS


class Ledger(Projection):
    """台账: the ``ledger`` table, one row per case (columns :data:`COLUMNS`, times UTC ISO)."""

    name = "ledger@3"
    """Version 3: ``reported_by`` (the actor of the report) and the owning station after a
    ``transfer`` (issue 11). Version 2: the observation window restarts after a broken
    follow-up chain (issue 10). A store whose ledger is older rebuilds it on opening."""
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
        """Fold each case's events of the batch (in log order) into its row in memory — read
        once, or made by its report — and write the net row once: one INSERT per new case,
        one UPDATE per other case (the rows one statement per event gave)."""
        rows: dict[str, list[Any]] = {}
        stored: set[str] = set()
        wanted = {c for e, c in items if not isinstance(e, Dispute.Reported)}
        if wanted:
            for row in cursor.execute(_SELECT, [json.dumps(sorted(wanted))]).fetchall():
                rows[row[0]] = list(row)[1:]
                stored.add(row[0])
        follow_ups: dict[str, list[str]] = {}
        for event, case_no in items:
            at = iso(event.occurred_at)
            assert at is not None
            if isinstance(event, Dispute.Reported):
                rows[case_no] = _reported(event, at)
                continue
            row = rows.get(case_no)
            if row is None:
                continue  # no report yet: an UPDATE would change nothing
            _fold(row, event, at)
            if isinstance(event, Dispute.FollowedUp):
                follow_ups.setdefault(case_no, []).append(at)
            elif isinstance(event, Dispute.Resolved):
                follow_ups.setdefault(case_no, [])
        for case_no, new in follow_ups.items():
            _observe(rows[case_no], new)
        inserted = [[c, *r] for c, r in rows.items() if c not in stored]
        updated = [[*r[_MUTABLE], c] for c, r in rows.items() if c in stored]
        if inserted:
            cursor.executemany(_INSERT, inserted)
        if updated:
            cursor.executemany(_UPDATE, updated)


_ROW = ("dispute_id", *COLUMNS[1:], "observe_days", "follow_up_max_gap_days", "follow_ups")
"""Every column of a ledger row but ``case_no``, in the order the fold keeps them: the listed
columns (:data:`COLUMNS` after ``case_no``), then what only the projection reads."""
(_ID, _STATUS, _GRADE, _CATEGORY, _SOURCE, _DISTRICT, _STATION, _VILLAGE, _LEADER, _OFFICER,
 _REPORTED_BY, _REPORTED_AT, _GRADED_AT, _RESOLVED_AT, _OBSERVE_UNTIL, _CLOSED_AT, _RELAPSES,
 _OPEN_REFERRALS, _REFERRALS, _LAST_EVENT_AT, _EVENTS, _OBSERVE_DAYS, _GAP_DAYS,
 _FOLLOW_UPS) = range(len(_ROW))  # fmt: skip
_MUTABLE = slice(_STATUS, None)
"""The columns an event after the report may change (with a few that never do)."""
_SELECT = (
    f"SELECT case_no, {', '.join(_ROW)} FROM ledger"
    " WHERE case_no IN (SELECT value FROM {json_each})"
)
_INSERT = (
    f"INSERT INTO ledger (case_no, {', '.join(_ROW)})"
    f" VALUES ({', '.join(P for _ in range(len(_ROW) + 1))})"
)
_UPDATE = f"UPDATE ledger SET {', '.join(f'{c} = {P}' for c in _ROW[_MUTABLE])} WHERE case_no = {P}"


def _reported(event: Dispute.Reported, at: str) -> list[Any]:
    """The row a report makes (the table's defaults for what it does not say)."""
    return [
        str(event.originator_id),
        "reported",
        None,
        event.category,
        event.source,
        event.district,
        event.station,
        event.village,
        None,
        None,
        event.actor,
        at,
        None,
        None,
        None,
        None,
        0,
        0,
        0,
        at,
        1,
        None,
        None,
        "[]",
    ]


def _fold(row: list[Any], event: Dispute.Event, at: str) -> None:
    """Apply one event after the report to a row (what one UPDATE per event did)."""
    match event:
        case Dispute.Graded():
            row[_GRADE], row[_STATUS], row[_GRADED_AT] = event.grade, "open", at
        case Dispute.Assigned():
            row[_LEADER], row[_OFFICER] = event.leader, event.officer
        case Dispute.Transferred():
            row[_STATION], row[_LEADER], row[_OFFICER] = event.station, event.leader, event.officer
        case Dispute.Referred():
            row[_OPEN_REFERRALS] += 1
            row[_REFERRALS] += 1
        case Dispute.ReceiptRecorded():
            row[_OPEN_REFERRALS] -= 1
        case Dispute.Escalated():
            row[_GRADE] = "red"
        case Dispute.Downgraded():
            row[_GRADE] = "yellow"
        case Dispute.Resolved():
            row[_GRADE], row[_STATUS], row[_RESOLVED_AT] = "blue", "observing", at
            row[_OBSERVE_UNTIL] = iso(event.observe_until)
            row[_OBSERVE_DAYS] = event.observe_days
            row[_GAP_DAYS] = event.follow_up_max_gap_days
        case Dispute.Relapsed():
            row[_GRADE], row[_STATUS], row[_GRADED_AT] = event.grade, "open", at
            row[_RELAPSES] += 1
            row[_CLOSED_AT] = None
        case Dispute.Closed():
            row[_STATUS], row[_CLOSED_AT] = "closed", at
        case _:
            pass
    row[_LAST_EVENT_AT] = max(row[_LAST_EVENT_AT], at)
    row[_EVENTS] += 1


def _observe(row: list[Any], new: list[str]) -> None:
    """Bring ``observe_until`` to the end of the current observation window of a case
    resolved or followed up in the batch (product.md §3: it restarts after a gap), from the
    follow-ups kept in occurred order, whatever order they were recorded in."""
    times = sorted({*json.loads(row[_FOLLOW_UPS]), *new})
    until = None
    resolved_at, days = row[_RESOLVED_AT], row[_OBSERVE_DAYS]
    if resolved_at is not None and days is not None:
        window = observation_window(
            datetime.fromisoformat(resolved_at),
            int(days),
            int(row[_GAP_DAYS]),
            [datetime.fromisoformat(t) for t in times],
        )
        until = iso(window.until)
    row[_FOLLOW_UPS], row[_OBSERVE_UNTIL] = json.dumps(times), until


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
