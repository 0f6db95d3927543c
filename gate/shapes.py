"""The JSON shapes of the reads (product.md §5): what ``show``, ``history`` and ``ledger``
answer with ``--json``, and what the server answers. Times are ISO 8601 with +08:00.

Moved here from ``cli/render.py`` (which still offers them): the gate builds every read, the
CLI and the server only render it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from disputes.domain.clock import local_iso

if TYPE_CHECKING:
    from disputes.domain.model import Dispute

TIME_KEYS = frozenset(
    {
        "reported_at",
        "graded_at",
        "resolved_at",
        "observe_until",
        "closed_at",
        "last_event_at",
        "occurred_at",
        "recorded_at",
        "referred_at",
        "answered_at",
        "ordered_at",
        "next_due_at",
        "due_at",
    }
)

HISTORY_BASE = (
    "version",
    "event",
    "occurred_at",
    "recorded_at",
    "actor",
    "policy_version",
    "command_id",
    "late",
    "late_reasons",
)
"""The keys of a ``history --json`` entry that are not the event's own fields."""


def to_local(value: Any) -> Any:
    """UTC ISO text or datetime → ISO 8601 with +08:00; other values unchanged."""
    if isinstance(value, datetime):
        return local_iso(value)
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        return local_iso(datetime.fromisoformat(value))
    return value


def localise_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row with every time field rendered to +08:00 (JSON output)."""
    return {k: (to_local(v) if k in TIME_KEYS else v) for k, v in row.items()}


def case_json(dispute: Dispute) -> dict[str, Any]:
    """``show --json``: the keys of product.md §5 plus the case's details."""
    out: dict[str, Any] = {
        "case_no": dispute.case_no,
        "status": str(dispute.status),
        "grade": None if dispute.current_grade is None else str(dispute.current_grade),
        "category": dispute.category,
        "source": dispute.source,
        "district": dispute.district,
        "station": dispute.station,
        "village": dispute.village,
        "leader": dispute.leader,
        "officer": dispute.officer,
        "reported_at": local_iso(dispute.reported_at),
        "resolved_at": local_iso(dispute.resolved_at),
        "observe_until": local_iso(dispute.observe_until),
        "closed_at": local_iso(dispute.closed_at),
        "relapses": dispute.relapses,
        "open_referrals": dispute.open_referrals,
        "graded_at": local_iso(dispute.graded_at),
        "auxiliary": dispute.auxiliary,
        "grid_worker": dispute.grid_worker,
        "reporter": dispute.reporter,
        "summary": dispute.summary,
        "parties": dispute.parties,
        "people_involved": dispute.people_involved,
        "signals": dispute.signals,
        "observe_days": dispute.observe_days,
        "deliberations": dispute.deliberations,
        "referrals": [localise_row(r) for r in dispute.referrals],
        "last_event_at": local_iso(dispute.last_occurred_at),
        "supervision_orders": [localise_row(o) for o in getattr(dispute, "supervisions", [])],
        "version": dispute.version,
    }
    return out


def late_marked(
    rows: Iterable[dict[str, Any]], late_after: Callable[[str], timedelta]
) -> list[dict[str, Any]]:
    """Audit-trail rows (``Store.history``) each marked ``late`` with its ``late_reasons``:
    ``recorded-late`` when recorded more than ``late_after(policy version)`` after it
    occurred, ``placed-before`` when placed before an event recorded earlier (the row's
    ``placed_before``, which is dropped)."""
    marked = []
    for r in rows:
        delay = datetime.fromisoformat(r["recorded_at"]) - datetime.fromisoformat(r["occurred_at"])
        reasons = [
            *(["recorded-late"] if delay > late_after(r["policy_version"]) else []),
            *(["placed-before"] if r.pop("placed_before") else []),
        ]
        marked.append({**r, "late": bool(reasons), "late_reasons": reasons})
    return marked


def history_json(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``history --json``: each event with version, event, occurred_at, recorded_at, actor,
    policy_version and the event's own fields (flattened)."""
    out = []
    for row in rows:
        item = {k: to_local(v) if k in TIME_KEYS else v for k, v in row.items() if k != "details"}
        for key, value in row["details"].items():
            item.setdefault(key, to_local(value) if key == "observe_until" else value)
        out.append(item)
    return out


def details_of(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The event's own fields of a ``history --json`` entry (for the audit trail's table)."""
    return {k: v for k, v in entry.items() if k not in HISTORY_BASE}
