"""The audit trail (CaseHistory): every event of a case in order, with occurred and recorded
time, actor, policy version and the event's own fields."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from disputes.domain.model import Dispute
from disputes.projections.base import EventRows, Views, details, dumps, iso
from disputes.projections.trail import list_history

__all__ = ["CaseHistory", "get_first_times", "get_last_version", "list_history"]


class CaseHistory(EventRows):
    """The ``history`` table: one row per event, keyed by case number and version."""

    name = "history"
    table_names = ("history",)
    tables = (
        """CREATE TABLE IF NOT EXISTS history (
            case_no TEXT NOT NULL,
            version {integer} NOT NULL,
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
        " policy_version, command_id, details) VALUES ({?},{?},{?},{?},{?},{?},{?},{?},{?})"
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


def get_last_version(
    db: Views,
    case_no: str,
    *,
    occurred_by: datetime | None = None,
    recorded_by: datetime | None = None,
) -> int | None:
    """The last version of ``case_no`` that occurred by ``occurred_by`` and was recorded by
    ``recorded_by`` (either None = any time); None when no event of the case qualifies."""
    sql = "SELECT MAX(version) AS v FROM history WHERE case_no = {?}"
    params: list[str | None] = [case_no]
    if occurred_by is not None:
        sql += " AND occurred_at <= {?}"
        params.append(iso(occurred_by))
    if recorded_by is not None:
        sql += " AND recorded_at <= {?}"
        params.append(iso(recorded_by))
    version = db.query(sql, params)[0]["v"]
    return None if version is None else int(version)


def get_first_times(db: Views) -> tuple[str | None, str | None]:
    """When the first event occurred and when the first was recorded (UTC ISO text), or None
    for each when there is no event yet."""
    row = db.query("SELECT MIN(occurred_at) AS o, MIN(recorded_at) AS r FROM history")[0]
    return row["o"], row["r"]
