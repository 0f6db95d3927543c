"""The audit trail's query (:func:`list_history`), apart from the projection that writes it
(:mod:`.history`): importing it loads neither the aggregate nor the library, so a read of the
views (issue 15, :mod:`disputes.storage.quick`) can use it as the store does."""

from __future__ import annotations

import json
from typing import Any, Protocol

Row = dict[str, Any]


class Queries(Protocol):
    """What :func:`list_history` needs of the views (:class:`~.base.Views` has it)."""

    def query(self, sql: str, params: Any = ()) -> list[Row]:
        """Run a read query (an SQL template); rows as dicts."""


def list_history(db: Queries, case_no: str) -> list[Row]:
    """Every event of a case in occurred order (product.md §2; ties in recording order):
    ``version, event, occurred_at, recorded_at, actor, policy_version, command_id``,
    ``details`` (dict) and ``placed_before`` (True for a late entry placed before an event
    recorded earlier). Times are UTC ISO text."""
    rows = db.query(
        "SELECT version, event, occurred_at, recorded_at, actor, policy_version, command_id,"
        " details FROM history WHERE case_no = {?} ORDER BY version",
        [case_no],
    )
    latest = ""
    for row in rows:
        row["details"] = json.loads(row["details"])
        row["placed_before"] = row["occurred_at"] < latest
        latest = max(latest, row["occurred_at"])
    return sorted(rows, key=lambda row: (row["occurred_at"], row["version"]))
