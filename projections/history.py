"""The audit trail (CaseHistory): every event of a case in order, with occurred and recorded
time, actor, policy version and the event's own fields."""

from __future__ import annotations

import json
from typing import Any

from disputes.domain.model import Dispute
from disputes.projections.base import EventRows, Row, ViewDatabase, details, dumps, iso


class CaseHistory(EventRows):
    name = "history"
    table_names = ("history",)
    tables = (
        """CREATE TABLE IF NOT EXISTS history (
            case_no TEXT NOT NULL,
            version INTEGER NOT NULL,
            event TEXT NOT NULL,
            occurred_at TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            actor TEXT NOT NULL,
            policy_version TEXT NOT NULL,
            command_id TEXT NOT NULL,
            details TEXT NOT NULL,
            PRIMARY KEY (case_no, version)
        )""",
    )

    INSERT = (
        "INSERT INTO history (case_no, version, event, occurred_at, recorded_at, actor,"
        " policy_version, command_id, details) VALUES (?,?,?,?,?,?,?,?,?)"
    )

    def row(self, event: Dispute.Event, case_no: str) -> tuple[Any, ...]:
        return (
            case_no,
            event.originator_version,
            event.name,
            iso(event.occurred_at),
            iso(event.timestamp),
            event.actor,
            event.policy_version,
            event.command_id,
            dumps(details(event)),
        )


def list_history(db: ViewDatabase, case_no: str) -> list[Row]:
    """Every event of a case by version: ``version, event, occurred_at, recorded_at, actor,
    policy_version, command_id`` and ``details`` (dict). Times are UTC ISO text."""
    rows = db.query(
        "SELECT version, event, occurred_at, recorded_at, actor, policy_version, command_id,"
        " details FROM history WHERE case_no = ? ORDER BY version",
        [case_no],
    )
    for row in rows:
        row["details"] = json.loads(row["details"])
    return rows
