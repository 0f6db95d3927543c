"""Who read what: the access log (issue 11 §3), one row per access entry, and which cases each
entry names — built from the ``AccessRecorded`` events like every view, and rebuilt with them."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, ClassVar

from disputes.domain.access import AccessEntry
from disputes.projections.base import Cursor, P, Projection, Row, Views, dumps, iso


class AccessLog(Projection):
    """The ``access_log`` table (one row per entry, times UTC ISO) and ``access_cases`` (entry
    → each case it names, for ``access-log --case``)."""

    name = "access_log"
    events: ClassVar[tuple[type, ...]] = (AccessEntry.AccessRecorded,)
    table_names = ("access_log", "access_cases")
    tables = (
        """CREATE TABLE IF NOT EXISTS access_log (
            entry_id TEXT PRIMARY KEY,
            person TEXT NOT NULL,
            at TEXT NOT NULL,
            action TEXT NOT NULL,
            cases TEXT NOT NULL,
            purpose TEXT,
            masked {integer} NOT NULL,
            allowed {integer} NOT NULL,
            reason TEXT NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS access_cases (
            case_no TEXT NOT NULL,
            entry_id TEXT NOT NULL,
            PRIMARY KEY (case_no, entry_id)
        )""",
        "CREATE INDEX IF NOT EXISTS access_log_at ON access_log (at)",
        "CREATE INDEX IF NOT EXISTS access_log_person ON access_log (person, at)",
    )

    def process(self, cursor: Cursor, event: Any, case_no: str) -> None:
        assert isinstance(event, AccessEntry.AccessRecorded)
        entry = event.originator_id.hex
        cursor.execute(
            "INSERT INTO access_log (entry_id, person, at, action, cases, purpose, masked,"
            " allowed, reason) VALUES ({?},{?},{?},{?},{?},{?},{?},{?},{?})",
            (
                entry,
                event.person,
                iso(event.at),
                event.action,
                dumps(list(event.cases)),
                event.purpose,
                int(event.masked),
                int(event.allowed),
                event.reason,
            ),
        )
        cursor.executemany(
            "INSERT INTO access_cases (case_no, entry_id) VALUES ({?},{?})"
            " ON CONFLICT (case_no, entry_id) DO NOTHING",
            [(case, entry) for case in dict.fromkeys(event.cases)],
        )


def list_access(
    db: Views,
    *,
    case: str | None = None,
    person: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Row]:
    """Access entries, oldest first, of ``case``, of ``person``, at or after ``since`` and
    before ``until`` (each None: any): ``entry_id, person, at`` (UTC ISO text), ``action,
    cases`` (list), ``purpose, masked, allowed, reason``."""
    where: list[str] = []
    params: list[Any] = []
    if case is not None:
        where.append(f"entry_id IN (SELECT entry_id FROM access_cases WHERE case_no = {P})")
        params.append(case)
    if person is not None:
        where.append(f"person = {P}")
        params.append(person)
    if since is not None:
        where.append(f"at >= {P}")
        params.append(iso(since))
    if until is not None:
        where.append(f"at < {P}")
        params.append(iso(until))
    sql = (
        "SELECT entry_id, person, at, action, cases, purpose, masked, allowed, reason"
        " FROM access_log"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = db.query(sql + " ORDER BY at, entry_id", params)
    for row in rows:
        row["cases"] = json.loads(row["cases"])
        row["masked"] = bool(row["masked"])
        row["allowed"] = bool(row["allowed"])
    return rows
