"""Helpers of the projection tests: table dumps and the ledger-versus-aggregate comparison."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from disputes.domain.model import Dispute
    from disputes.storage.store import Store


def when(text: str | None) -> datetime | None:
    """A stored time (ISO 8601 text) as an aware datetime."""
    return None if text is None else datetime.fromisoformat(text)


def dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every projection table and of the tracking table, in a stable order."""
    tables = [t for p in store.projections.projections for t in p.table_names]
    out: dict[str, list[tuple[Any, ...]]] = {}
    for table in [*tables, "tracking"]:
        rows = store.views.connection.execute(f"SELECT * FROM {table}").fetchall()
        out[table] = sorted(tuple(row) for row in rows)
    return out


def ledger_disagreements(row: dict[str, Any], dispute: Dispute) -> dict[str, tuple[Any, Any]]:
    """Fields where a ledger row and the replayed case differ: {field: (ledger, case)}."""
    expected = {
        "case_no": dispute.case_no,
        "status": str(dispute.status),
        "grade": None if dispute.current_grade is None else str(dispute.current_grade),
        "category": dispute.category,
        "source": dispute.source,
        "station": dispute.station,
        "village": dispute.village,
        "leader": dispute.leader,
        "officer": dispute.officer,
        "reported_at": dispute.reported_at,
        "resolved_at": dispute.resolved_at,
        "observe_until": dispute.observe_until,
        "closed_at": dispute.closed_at,
        "relapses": dispute.relapses,
        "open_referrals": dispute.open_referrals,
        "referrals": len(dispute.referrals),
        "events": dispute.version,
    }
    times = {"reported_at", "resolved_at", "observe_until", "closed_at"}
    found = {key: when(row[key]) if key in times else row[key] for key in expected}
    return {k: (found[k], v) for k, v in expected.items() if found[k] != v}
