"""The board's queries: :func:`list_due` (the items due at a moment, most urgent first) and
:func:`due_summaries` (each case's standing), read off ``due_items`` and ``due_history`` by rule
and due time (see the package docstring). It imports neither the aggregate nor the policy
model (only :mod:`.times`): issue 15's quick reads use :func:`due_summaries` as the store does."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime, timedelta
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from disputes.domain.clock import SHANGHAI, local_iso
from disputes.projections.due_board.times import (
    DAY,
    EPOCH,
    FOREVER,
    LEVELS,
    intervals,
    micros,
)

if TYPE_CHECKING:
    from disputes.domain.policy import Cadence


class Views(Protocol):
    """What the board's queries need of the views (:class:`~disputes.projections.base.Views`
    has it, and so does issue 15's quick read, :class:`~disputes.storage.quick.QuickStore`)."""

    def rows(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        """Run a read query (an SQL template); rows as tuples."""


class DueItem(NamedTuple):
    """One row of the board: a case, what is due, when, and how late it is at ``on``."""

    case_no: str
    kind: str
    due_us: int
    """When the item falls due, in microseconds since the epoch (see ``due_at``)."""
    overdue: bool
    overdue_days: int
    supervision: str
    officer: str | None
    leader: str | None
    station: str
    grade: str | None
    referral: int | None
    """The referral awaiting its receipt (``referral-reply`` only)."""
    supervision_order: str | None
    """The level of the case's most urgent open supervision order, if any."""

    @property
    def due_at(self) -> datetime:
        """When the item falls due (UTC); made on demand, as a long board needs few of them."""
        return EPOCH + timedelta(microseconds=self.due_us)

    def as_json(self) -> dict[str, Any]:
        return {
            "case_no": self.case_no,
            "kind": self.kind,
            "due_at": local_iso(self.due_at),
            "overdue": self.overdue,
            "overdue_days": self.overdue_days,
            "supervision": self.supervision,
            "officer": self.officer,
            "leader": self.leader,
            "station": self.station,
            "grade": self.grade,
            "referral": self.referral,
            "supervision_order": self.supervision_order,
        }


class DueSummary(NamedTuple):
    """A case's standing on the board at one moment (for the ledger and ``show``): its
    earliest due item, its most days overdue and its highest supervision level."""

    next_due_us: int | None = None
    """When the case's earliest item falls due, µs since the epoch (see ``next_due_at``)."""
    overdue_days: int = 0
    supervision: str = LEVELS[0]

    @property
    def next_due_at(self) -> datetime | None:
        due = self.next_due_us
        return None if due is None else EPOCH + timedelta(microseconds=due)

    def as_row(self) -> dict[str, Any]:
        """Ledger-row form: the time as UTC ISO text, like the ledger's other times."""
        due = self.next_due_at
        return {
            "next_due_at": None if due is None else due.isoformat(),
            "overdue_days": self.overdue_days,
            "supervision": self.supervision,
        }


FILTERS = ("station", "officer", "leader", "case_no")

_ROW = (
    "SELECT i.case_no, i.kind, i.n, i.anchor_at + c.interval_us AS due, i.station, i.officer,"
    " i.leader, i.grade, i.order_level"
)
_MATCH = " ON i.rule = c.rule AND (c.n = 0 OR i.n = c.n) WHERE i.valid_from <= {on}"
_NOW = _ROW + " FROM cadence AS c JOIN due_items AS i" + _MATCH
"""Clocks running now, found by rule and due time (due_items is kept in that order)."""
_THEN = (
    _ROW + " FROM due_history AS i {cross_join} cadence AS c" + _MATCH + " AND i.valid_to > {on}"
)
"""Clocks that ran at ``on`` and ended later, found by their end (SQLite's CROSS JOIN keeps it
from driving the join by rule over every ended clock)."""
_DUE_BY = " AND i.anchor_at <= {bound} - c.interval_us"
_ORDERED = " AND i.order_level > 0 AND i.anchor_at > {bound} - c.interval_us"
"""Clocks of cases under an open supervision order that are not due by the bound."""
_RANKED = (
    "SELECT case_no, kind, n, due, station, officer, leader, grade, order_level,"
    " CASE WHEN due <= {on} THEN ({on} - due) / 86400000000 ELSE -1 END AS late,"
    " CASE WHEN order_level >= 2 OR {on} - due >= {red} THEN 2"
    " WHEN order_level >= 1 OR {on} - due >= {yellow} THEN 1 ELSE 0 END AS level"
    " FROM ("
)


def end_of_day(on: datetime) -> datetime:
    """The last microsecond of ``on``'s day in Asia/Shanghai (the default board's horizon)."""
    local = on.astimezone(SHANGHAI)
    midnight = datetime(local.year, local.month, local.day, tzinfo=SHANGHAI) + timedelta(days=1)
    return midnight - timedelta(microseconds=1)


def list_due(
    db: Views,
    cadence: Cadence,
    on: datetime,
    *,
    overdue: bool = False,
    until: datetime | None = None,
    **filters: str | None,
) -> list[DueItem]:
    """The board at ``on``: items due by the end of ``on``'s day (Asia/Shanghai), or by
    ``until``, plus every item of a case under an open supervision order; with ``overdue``
    only the items overdue at ``on``. Most urgent first: supervision level, then due time.

    ``filters`` (FILTERS, None = any) narrow by station, responsible officer or leader, or case.
    An item is overdue from its due time on; ``overdue_days`` counts whole days late.
    """
    horizon = until if until is not None else end_of_day(on)
    bound = micros(on) if overdue else micros(horizon)
    rows = _rows(db, *_query(cadence, on, bound, filters, with_ordered=not overdue))
    # Most urgent first: level, then due time (two stable sorts with C-level keys are cheaper
    # than SQLite's sorter or one Python key function on a long board).
    rows.sort(key=itemgetter(3, 0, 1, 2))
    rows.sort(key=itemgetter(10), reverse=True)
    items: list[DueItem] = []
    stalled: set[str] = set()
    for case_no, kind, n, due, station, officer, leader, grade, order, late, level in rows:
        if kind == "stalled":
            # The stall flag is one item: its earlier rule, which sorts first.
            if case_no in stalled:
                continue
            stalled.add(case_no)
        items.append(
            DueItem(
                case_no,
                kind,
                due,
                late >= 0,
                late if late > 0 else 0,
                LEVELS[level],
                officer,
                leader,
                station,
                grade,
                n if kind == "referral-reply" else None,
                LEVELS[order] if order else None,
            )
        )
    return items


def due_summaries(
    db: Views,
    cadence: Cadence,
    on: datetime,
    *,
    case_nos: Collection[str] | None = None,
    **filters: str | None,
) -> dict[str, DueSummary]:
    """Each case's earliest due time, most days overdue and highest supervision level at
    ``on``, over all its items; only of ``case_nos`` and the cases ``filters`` (FILTERS) select,
    when given. Cases with nothing due are absent (see DueSummary defaults)."""
    sql, params = _query(cadence, on, FOREVER, filters, with_ordered=False, case_nos=case_nos)
    sql = f"SELECT case_no, MIN(due), MAX(late), MAX(level) FROM ({sql}) AS board GROUP BY case_no"
    return {
        case: DueSummary(due, late if late > 0 else 0, LEVELS[level])
        for case, due, late, level in _rows(db, sql, params)
    }


def _query(
    cadence: Cadence,
    on: datetime,
    bound: int,
    filters: dict[str, str | None],
    *,
    with_ordered: bool,
    case_nos: Collection[str] | None = None,
) -> tuple[str, dict[str, Any]]:
    """The ranked rows (without order) of the board at ``on`` up to ``bound``, and parameters."""
    rules = intervals(cadence)
    params: dict[str, Any] = {
        "on": micros(on),
        "bound": bound,
        "yellow": cadence.yellow_card_after_overdue_days * DAY,
        "red": cadence.red_card_after_overdue_days * DAY,
    }
    narrow = ""
    for key, value in filters.items():
        if key not in FILTERS:
            msg = f"unknown due-board filter {key}"
            raise ValueError(msg)
        if value is not None:
            narrow += f" AND i.{key} = {{{key}}}"
            params[key] = value
    if case_nos is not None:
        narrow += " AND i.case_no IN (SELECT value FROM {json_each:cases})"
        params["cases"] = json.dumps(list(case_nos))
    values = ", ".join(f"({{r{i}}}, {{i{i}}}, {{n{i}}})" for i in range(len(rules)))
    for i, (rule, interval, n) in enumerate(rules):
        params.update({f"r{i}": rule, f"i{i}": interval, f"n{i}": n})
    parts = [_NOW + _DUE_BY + narrow, _THEN + _DUE_BY + narrow]
    if with_ordered:
        parts += [_NOW + _ORDERED + narrow, _THEN + _ORDERED + narrow]
    cte = f"WITH cadence (rule, interval_us, n) AS (VALUES {values}) "
    return cte + _RANKED + " UNION ALL ".join(parts) + ") AS clocks", params


def _rows(db: Views, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    return db.rows(sql, params)  # plain tuples: the board may be long
