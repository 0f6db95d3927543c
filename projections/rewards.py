"""信息员奖励 — the rewards list (issue 13): one row per reward, filterable by status, station,
informant and when it was proposed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from disputes.domain.rewards import (
    RewardApproved,
    RewardCancelled,
    RewardPaid,
    RewardProposed,
    RewardRejected,
)
from disputes.projections.base import Cursor, P, Projection, Row, Views, iso

COLUMNS = (
    "reward_no",
    "case_no",
    "district",
    "station",
    "village",
    "informant",
    "kind",
    "amount",
    "reason",
    "status",
    "proposed_by",
    "proposed_at",
    "decided_by",
    "decided_at",
    "decision_note",
    "paid_by",
    "paid_at",
    "voucher",
    "paid_amount",
    "cancelled_by",
    "cancelled_at",
    "last_event_at",
    "events",
)


class Rewards(Projection):
    """The ``rewards`` table: one row per reward (columns :data:`COLUMNS`, times UTC ISO)."""

    name = "rewards"
    table_names = ("rewards",)
    tables = (
        """CREATE TABLE IF NOT EXISTS rewards (
            reward_id TEXT NOT NULL UNIQUE,
            reward_no TEXT PRIMARY KEY,
            case_no TEXT NOT NULL,
            district TEXT NOT NULL,
            station TEXT NOT NULL,
            village TEXT NOT NULL,
            informant TEXT NOT NULL,
            kind TEXT NOT NULL,
            amount {integer} NOT NULL,
            reason TEXT NOT NULL,
            status TEXT NOT NULL,
            proposed_by TEXT NOT NULL,
            proposed_at TEXT NOT NULL,
            decided_by TEXT,
            decided_at TEXT,
            decision_note TEXT,
            paid_by TEXT,
            paid_at TEXT,
            voucher TEXT,
            paid_amount {integer},
            cancelled_by TEXT,
            cancelled_at TEXT,
            last_event_at TEXT NOT NULL,
            events {integer} NOT NULL DEFAULT 1
        )""",
        "CREATE INDEX IF NOT EXISTS rewards_station ON rewards (station, status)",
        "CREATE INDEX IF NOT EXISTS rewards_informant ON rewards (informant)",
        "CREATE INDEX IF NOT EXISTS rewards_case ON rewards (case_no)",
    )

    events = (RewardProposed, RewardApproved, RewardRejected, RewardPaid, RewardCancelled)
    """The reward events (not the dispute events the other projections read)."""

    def process(self, cursor: Cursor, event: Any, case_no: str) -> None:
        sql, params = self._statement(event)
        cursor.execute(sql, params)

    def process_many(self, cursor: Cursor, items: Sequence[tuple[Any, str]]) -> None:
        for event, case_no in items:
            self.process(cursor, event, case_no)

    @staticmethod
    def _statement(event: Any) -> tuple[str, Sequence[Any]]:
        at = iso(event.occurred_at)
        if isinstance(event, RewardProposed):
            return (
                "INSERT INTO rewards (reward_id, reward_no, case_no, district, station, village,"
                " informant, kind, amount, reason, status, proposed_by, proposed_at,"
                " last_event_at) VALUES ({?},{?},{?},{?},{?},{?},{?},{?},{?},{?},{?},{?},{?},{?})",
                (
                    str(event.originator_id),
                    event.reward_no,
                    event.case_no,
                    event.district,
                    event.station,
                    event.village,
                    event.informant,
                    event.kind,
                    event.amount,
                    event.reason,
                    "proposed",
                    event.actor,
                    at,
                    at,
                ),
            )
        sets: dict[str, Any]
        match event:
            case RewardApproved():
                sets = {
                    "status": "approved",
                    "decided_by": event.actor,
                    "decided_at": at,
                    "decision_note": event.note,
                }
            case RewardRejected():
                sets = {
                    "status": "rejected",
                    "decided_by": event.actor,
                    "decided_at": at,
                    "decision_note": event.reason,
                }
            case RewardPaid():
                sets = {
                    "status": "paid",
                    "paid_by": event.actor,
                    "paid_at": at,
                    "voucher": event.voucher,
                    "paid_amount": event.paid_amount,
                }
            case RewardCancelled():
                sets = {"status": "cancelled", "cancelled_by": event.actor, "cancelled_at": at}
            case _:
                sets = {}
        assignments = "".join(f"{column} = {P}, " for column in sets)
        return (
            f"UPDATE rewards SET {assignments}last_event_at = {P}, events = events + 1"
            " WHERE reward_id = {?}",
            [*sets.values(), at, str(event.originator_id)],
        )


FILTERS = ("status", "station", "informant", "case_no")


def list_rewards(
    db: Views,
    *,
    since: str | None = None,
    until: str | None = None,
    **filters: str | None,
) -> list[Row]:
    """Reward rows ordered by reward number; ``filters`` from :data:`FILTERS` (None = any);
    ``since``/``until`` (UTC ISO) bound when the reward was proposed (``until`` exclusive)."""
    for key in filters:
        if key not in FILTERS:
            msg = f"unknown rewards filter {key}"
            raise ValueError(msg)
    where = [(f"{key} = {P}", value) for key, value in filters.items() if value is not None]
    if since is not None:
        where.append((f"proposed_at >= {P}", since))
    if until is not None:
        where.append((f"proposed_at < {P}", until))
    sql = f"SELECT {', '.join(COLUMNS)} FROM rewards"
    if where:
        sql += " WHERE " + " AND ".join(clause for clause, _ in where)
    sql += " ORDER BY reward_no"
    return db.query(sql, [value for _, value in where])
