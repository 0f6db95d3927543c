"""The ledger's query (:func:`list_cases`) and columns, apart from the projection that writes
them (:mod:`.ledger`): importing it loads neither the aggregate nor the library, so a read of
the views (issue 15, :mod:`disputes.storage.quick`) can use it as the store does."""

from __future__ import annotations

from typing import Any

from disputes.projections.trail import Queries

Row = dict[str, Any]

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
"""The ``ledger`` table's columns, as the ledger rows give them."""

FILTERS = ("status", "grade", "station", "category")


def list_cases(db: Queries, **filters: str | None) -> list[Row]:
    """Ledger rows ordered by case number; ``filters`` from FILTERS (None = any).

    Times are UTC ISO text; render them with :func:`disputes.domain.clock.local_iso`.
    """
    where = [(f"{key} = {{?}}", value) for key, value in filters.items() if value is not None]
    for key in filters:
        if key not in FILTERS:
            msg = f"unknown ledger filter {key}"
            raise ValueError(msg)
    sql = f"SELECT {', '.join(COLUMNS)} FROM ledger"
    if where:
        sql += " WHERE " + " AND ".join(clause for clause, _ in where)
    sql += " ORDER BY case_no"
    return db.query(sql, [value for _, value in where])
