"""跟办 — the due board (``DueBoard``): what is due and what is late, for any moment.

Three tables, all built from the dispute events only:

- ``due_cases`` — the facts of each case that drive its clocks: status, grade and when the case
  took that grade (``graded_at``: grading, escalation, downgrade or relapse), the last contact
  (visit or mediation) since grading, the observation anchor (resolution or last follow-up), the
  end of observation, the open referrals with their times, the failed mediations of the open
  spell, and the open supervision orders (督办).
- ``due_items`` — one row per clock running now: its ``rule`` (``contact:red``, ``follow-up``,
  …), the time the clock started (``anchor_at``), the responsible officer and leader, the level
  of the case's open supervision order, and since when the row holds (``valid_from``, the
  occurred time of the event that started it). Kept in ``(rule, anchor_at)`` order.
- ``due_history`` — the clocks that ended, with ``valid_to`` (the occurred time of the event that
  ended or changed them), kept in ``valid_to`` order. So the board *as it stood* at a past
  moment is still there to read: the rows with ``valid_from <= on < valid_to``.

Nothing stored is a deadline: a row's due time is ``anchor_at`` plus the interval the policy's
``[cadence]`` gives its rule, added when the board is read. Changing the cadence therefore takes
effect at once, for the past as for the future, and no stored timer can drift. Within one rule
the due time is the anchor plus a constant, so ``due_items`` in ``(rule, anchor_at)`` order is an
index on the due time: the board is a handful of range scans, never a replay of events.

Whether an item is overdue, by how many days, and the supervision level it earns (normal,
yellow card, red card: policy thresholds on the overdue days, or an open supervision order,
whichever is higher) are computed for the ``on`` moment of the query.

Times are stored as integer microseconds since the Unix epoch (UTC).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import Any, NamedTuple

from disputes.domain.clock import SHANGHAI, local_iso
from disputes.domain.model import Dispute
from disputes.domain.policy import Cadence
from disputes.projections.base import Cursor, Projection, Views

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
HOUR = 3_600_000_000
DAY = 24 * HOUR
FOREVER = 2**62
"""A bound later than any due time (microseconds)."""

KINDS = ("first-contact", "contact", "follow-up", "referral-reply", "observation-end", "stalled")
LEVELS = ("normal", "yellow-card", "red-card")
"""Supervision levels (普通, 黄牌, 红牌), least to most urgent; the index is the level's rank."""

RULES: dict[str, str] = {
    "first-contact:red": "first-contact",
    "first-contact:yellow": "first-contact",
    "contact:red": "contact",
    "contact:yellow": "contact",
    "follow-up": "follow-up",
    "referral-reply": "referral-reply",
    "observation-end": "observation-end",
    "stalled:days": "stalled",
    "stalled:failures": "stalled",
}
"""Each clock's rule and the kind of due item it produces."""


def micros(moment: datetime) -> int:
    """A timezone-aware time as integer microseconds since the epoch."""
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def intervals(cadence: Cadence) -> list[tuple[str, int, int]]:
    """``(rule, interval in µs, n)`` for every rule under ``cadence``.

    ``n`` selects rows: 0 takes every row of the rule; otherwise only rows with that ``n`` (the
    stall by failed mediations is due at the failure that reaches the policy's count).
    """
    return [
        ("first-contact:red", cadence.red_first_contact_hours * HOUR, 0),
        ("first-contact:yellow", cadence.yellow_first_contact_days * DAY, 0),
        ("contact:red", cadence.red_contact_every_days * DAY, 0),
        ("contact:yellow", cadence.yellow_contact_every_days * DAY, 0),
        ("follow-up", cadence.follow_up_every_days * DAY, 0),
        ("referral-reply", cadence.referral_reply_days * DAY, 0),
        ("observation-end", 0, 0),
        ("stalled:days", cadence.stalled_after_days * DAY, 0),
        ("stalled:failures", 0, cadence.stalled_after_failed_mediations),
    ]


# -- the facts of one case -------------------------------------------------------------------------


RunningClock = tuple[str, int, int]
"""A running clock: ``(rule, n, anchor_at)``; ``n`` is the referral number (referral-reply),
the failed mediation's ordinal (stalled:failures), else 0."""


@dataclass
class CaseFacts:
    """What the due board knows of one case (a ``due_cases`` row)."""

    case_no: str
    status: str
    station: str
    grade: str | None = None
    leader: str | None = None
    officer: str | None = None
    graded_at: int | None = None
    """When the case took its current grade: grading, escalation, downgrade or relapse."""
    last_contact_at: int | None = None
    """Last visit or mediation since the case was graded (or relapsed); None before any."""
    observation_anchor: int | None = None
    """Resolution, or the last follow-up since."""
    observe_until: int | None = None
    open_referrals: dict[int, int] = field(default_factory=dict)
    """Referral number → when it was referred, for referrals without a receipt."""
    failed_mediations: list[int] = field(default_factory=list)
    """Times of the failed mediations since the case was graded (or relapsed)."""
    open_orders: dict[int, str] = field(default_factory=dict)
    """Supervision order number → level, for orders not answered yet."""

    @property
    def order_level(self) -> int:
        """Rank (see LEVELS) of the most urgent open supervision order; 0 without one."""
        return max((LEVELS.index(level) for level in self.open_orders.values()), default=0)

    def apply(self, event: Dispute.Event, at: int) -> bool:
        """Take one event into the facts; returns False when the event changes none of them."""
        match event:
            case Dispute.Graded() | Dispute.Relapsed():
                self.status, self.grade, self.graded_at = "open", event.grade, at
                self.last_contact_at, self.failed_mediations = None, []
                self.observation_anchor = self.observe_until = None
            case Dispute.Assigned():
                self.leader, self.officer = event.leader, event.officer
            case Dispute.Visited():
                self.last_contact_at = at
            case Dispute.Mediated():
                self.last_contact_at = at
                if event.result == "failed":
                    self.failed_mediations = [*self.failed_mediations, at]
            case Dispute.Referred():
                self.open_referrals = {**self.open_referrals, event.referral: at}
            case Dispute.ReceiptRecorded():
                self.open_referrals = {
                    n: t for n, t in self.open_referrals.items() if n != event.referral
                }
            case Dispute.Escalated():
                self.grade, self.graded_at = "red", at
            case Dispute.Downgraded():
                self.grade, self.graded_at = "yellow", at
            case Dispute.Resolved():
                self.status, self.grade, self.observation_anchor = "observing", "blue", at
                self.observe_until = micros(event.observe_until)
            case Dispute.FollowedUp():
                self.observation_anchor = at
            case Dispute.Closed():
                self.status = "closed"
            case Dispute.SupervisionOrdered():
                self.open_orders = {**self.open_orders, event.order: event.level}
            case Dispute.SupervisionAnswered():
                self.open_orders = {
                    n: level for n, level in self.open_orders.items() if n not in event.orders
                }
            case _:
                return False
        return True

    def clocks(self) -> list[RunningClock]:
        """The clocks running on the case (product.md §4 cadences, issue 3 stall rule)."""
        running: list[RunningClock] = []
        if self.status == "open" and self.graded_at is not None and self.grade in ("red", "yellow"):
            if self.last_contact_at is None:
                running.append((f"first-contact:{self.grade}", 0, self.graded_at))
            else:
                since = max(self.last_contact_at, self.graded_at)
                running.append((f"contact:{self.grade}", 0, since))
            if self.grade == "yellow":
                running.append(("stalled:days", 0, self.graded_at))
                running.extend(
                    ("stalled:failures", k, max(self.graded_at, t))
                    for k, t in enumerate(self.failed_mediations, start=1)
                )
        if self.status == "observing":
            if self.observation_anchor is not None:
                running.append(("follow-up", 0, self.observation_anchor))
            if self.observe_until is not None:
                running.append(("observation-end", 0, self.observe_until))
        if self.status in ("open", "observing"):
            running.extend(("referral-reply", n, t) for n, t in self.open_referrals.items())
        return running


FACT_COLUMNS = (
    "case_no",
    "status",
    "station",
    "grade",
    "leader",
    "officer",
    "graded_at",
    "last_contact_at",
    "observation_anchor",
    "observe_until",
    "open_referrals",
    "failed_mediations",
    "open_orders",
)


_INSERT_FACTS = (
    f"INSERT INTO due_cases ({', '.join(FACT_COLUMNS)})"
    f" VALUES ({', '.join('?' for _ in FACT_COLUMNS)})"
)
_SELECT_FACTS = (
    f"SELECT {', '.join(FACT_COLUMNS)} FROM due_cases"
    " WHERE case_no IN (SELECT value FROM json_each(?))"
)
_UPDATE_FACTS = (
    f"UPDATE due_cases SET {', '.join(f'{c} = ?' for c in FACT_COLUMNS[1:])} WHERE case_no = ?"
)


def _facts_row(facts: CaseFacts) -> list[Any]:
    return [
        facts.case_no,
        facts.status,
        facts.station,
        facts.grade,
        facts.leader,
        facts.officer,
        facts.graded_at,
        facts.last_contact_at,
        facts.observation_anchor,
        facts.observe_until,
        _dumps(facts.open_referrals),
        _dumps(facts.failed_mediations),
        _dumps(facts.open_orders),
    ]


def _facts_of(row: Sequence[Any]) -> CaseFacts:
    (case_no, status, station, grade, leader, officer, graded_at, last_contact_at,
     observation_anchor, observe_until, referrals, failures, orders) = row  # fmt: skip
    return CaseFacts(
        case_no,
        status,
        station,
        grade,
        leader,
        officer,
        graded_at,
        last_contact_at,
        observation_anchor,
        observe_until,
        open_referrals={int(n): t for n, t in _loads(referrals, "{}").items()},
        failed_mediations=list(_loads(failures, "[]")),
        open_orders={int(n): level for n, level in _loads(orders, "{}").items()},
    )


def _dumps(value: dict[int, Any] | list[int]) -> str:
    return json.dumps(value) if value else "{}" if isinstance(value, dict) else "[]"


def _loads(text: str, empty: str) -> Any:
    # Most cases have no open referral, failed mediation or order: skip the parser for those.
    return ({} if empty == "{}" else []) if text == empty else json.loads(text)


# -- the projection ----------------------------------------------------------------------------


class DueBoard(Projection):
    """The due board's tables; see the module docstring."""

    name = "due_board"
    table_names = ("due_cases", "due_items", "due_history")
    tables = (
        """CREATE TABLE IF NOT EXISTS due_cases (
            case_no TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            station TEXT NOT NULL,
            grade TEXT,
            leader TEXT,
            officer TEXT,
            graded_at INTEGER,
            last_contact_at INTEGER,
            observation_anchor INTEGER,
            observe_until INTEGER,
            open_referrals TEXT NOT NULL,
            failed_mediations TEXT NOT NULL,
            open_orders TEXT NOT NULL
        )""",
        # The clocks running now, kept in due-time order within each rule (the board reads a
        # range of each rule: rows with anchor_at + interval up to the bound).
        """CREATE TABLE IF NOT EXISTS due_items (
            rule TEXT NOT NULL,
            anchor_at INTEGER NOT NULL,
            case_no TEXT NOT NULL,
            n INTEGER NOT NULL,
            kind TEXT NOT NULL,
            station TEXT NOT NULL,
            officer TEXT,
            leader TEXT,
            grade TEXT,
            order_level INTEGER NOT NULL,
            valid_from INTEGER NOT NULL,
            PRIMARY KEY (rule, anchor_at, case_no, n)
        ) WITHOUT ROWID""",
        "CREATE INDEX IF NOT EXISTS due_items_case ON due_items (case_no)",
        "CREATE INDEX IF NOT EXISTS due_items_ordered ON due_items (order_level)"
        " WHERE order_level > 0",
        # Clocks that ended, in order of their end: the board of a past moment reads the rows
        # that ended after it.
        """CREATE TABLE IF NOT EXISTS due_history (
            valid_to INTEGER NOT NULL,
            case_no TEXT NOT NULL,
            rule TEXT NOT NULL,
            n INTEGER NOT NULL,
            valid_from INTEGER NOT NULL,
            anchor_at INTEGER NOT NULL,
            kind TEXT NOT NULL,
            station TEXT NOT NULL,
            officer TEXT,
            leader TEXT,
            grade TEXT,
            order_level INTEGER NOT NULL,
            PRIMARY KEY (valid_to, case_no, rule, n)
        ) WITHOUT ROWID""",
    )

    def process(self, cursor: Cursor, event: Dispute.Event, case_no: str) -> None:
        self.process_many(cursor, [(event, case_no)])

    def process_many(self, cursor: Cursor, items: Sequence[tuple[Dispute.Event, str]]) -> None:
        """Apply the events in log order to each case's facts and clocks in memory, then write
        the net change: the same rows as one event at a time, with a few statements a batch."""
        reported = {c for e, c in items if isinstance(e, Dispute.Reported)}
        cases = _load(cursor, {c for _, c in items} - reported)
        for event, case_no in items:
            if isinstance(event, Dispute.Reported):
                facts = CaseFacts(case_no=case_no, status="reported", station=event.station)
                cases[case_no] = _Case(facts, {}, {}, new=True)
                continue
            case = cases[case_no]
            at = micros(event.occurred_at)
            if case.facts.apply(event, at):
                case.changed = True
                case.tick(at)
        _store(cursor, cases.values())


class _Case:
    """One case's facts and running clocks while a batch is applied (see process_many)."""

    def __init__(
        self,
        facts: CaseFacts,
        stored: dict[tuple[str, int], tuple[Any, ...]],
        clocks: dict[tuple[str, int], tuple[Any, ...]],
        *,
        new: bool = False,
    ) -> None:
        self.facts = facts
        self.stored = stored
        """The case's due_items rows as stored before the batch, by (rule, n)."""
        self.clocks = clocks
        """The rows as they stand now, by (rule, n): (anchor_at, officer, leader, grade,
        order_level, valid_from)."""
        self.ended: list[tuple[Any, ...]] = []
        """due_history rows of clocks that ended during the batch."""
        self.new = new
        self.changed = new

    def tick(self, at: int) -> None:
        """After an event at ``at``: end the clocks that stopped or changed, start new ones.
        A clock that started at this very moment never held: it is dropped, not kept."""
        facts = self.facts
        level = facts.order_level
        wanted = {
            (rule, n): (anchor, facts.officer, facts.leader, facts.grade, level)
            for rule, n, anchor in facts.clocks()
        }
        for key, running in list(self.clocks.items()):
            if wanted.get(key) == running[:5]:
                del wanted[key]
                continue
            del self.clocks[key]
            if running[5] < at:
                rule, n = key
                kind, station = RULES[rule], facts.station
                self.ended.append(
                    (at, facts.case_no, rule, n, running[5], *running[:5], kind, station)
                )
        for key, value in wanted.items():
            self.clocks[key] = (*value, at)


def _load(cursor: Cursor, case_nos: set[str]) -> dict[str, _Case]:
    """The stored facts and clocks of some cases."""
    if not case_nos:
        return {}
    wanted = json.dumps(sorted(case_nos))
    clocks: dict[str, dict[tuple[str, int], tuple[Any, ...]]] = {c: {} for c in case_nos}
    for row in cursor.execute(
        "SELECT case_no, rule, n, anchor_at, officer, leader, grade, order_level, valid_from"
        " FROM due_items WHERE case_no IN (SELECT value FROM json_each(?))",
        [wanted],
    ).fetchall():
        clocks[row[0]][(row[1], row[2])] = tuple(row)[3:]
    cases: dict[str, _Case] = {}
    for row in cursor.execute(_SELECT_FACTS, [wanted]).fetchall():
        facts = _facts_of(tuple(row))
        stored = clocks[facts.case_no]
        cases[facts.case_no] = _Case(facts, stored, dict(stored))
    missing = case_nos - cases.keys()
    assert not missing, f"events before their report: {sorted(missing)}"
    return cases


def _store(cursor: Cursor, cases: Iterable[_Case]) -> None:
    """Write the net change of a batch: facts, current clocks, ended clocks."""
    inserted, updated, deleted, started, ended = [], [], [], [], []
    for case in cases:
        if not case.changed:
            continue
        row = _facts_row(case.facts)
        if case.new:
            inserted.append(row)
        else:
            updated.append([*row[1:], row[0]])
        facts = case.facts
        for key, value in case.stored.items():
            if case.clocks.get(key) != value:
                deleted.append((facts.case_no, *key))
        for (rule, n), value in sorted(case.clocks.items()):
            if case.stored.get((rule, n)) != value:
                anchor, *people, since = value
                kind, station = RULES[rule], facts.station
                started.append((rule, anchor, facts.case_no, n, kind, station, *people, since))
        ended.extend(case.ended)
    if inserted:
        cursor.executemany(_INSERT_FACTS, inserted)
    if updated:
        cursor.executemany(_UPDATE_FACTS, updated)
    if deleted:
        cursor.executemany(
            "DELETE FROM due_items WHERE case_no = ? AND rule = ? AND n = ?", deleted
        )
    if started:
        cursor.executemany(
            "INSERT INTO due_items (rule, anchor_at, case_no, n, kind, station, officer, leader,"
            " grade, order_level, valid_from) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            started,
        )
    if ended:
        cursor.executemany(
            "INSERT INTO due_history (valid_to, case_no, rule, n, valid_from, anchor_at, officer,"
            " leader, grade, order_level, kind, station)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            ended,
        )


# -- queries -----------------------------------------------------------------------------------


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
_MATCH = " ON i.rule = c.rule AND (c.n = 0 OR i.n = c.n) WHERE i.valid_from <= :on"
_NOW = _ROW + " FROM cadence AS c JOIN due_items AS i" + _MATCH
"""Clocks running now, found by rule and due time (due_items is kept in that order)."""
_THEN = _ROW + " FROM due_history AS i CROSS JOIN cadence AS c" + _MATCH + " AND i.valid_to > :on"
"""Clocks that ran at ``on`` and ended later, found by their end (the CROSS JOIN keeps SQLite
from driving the join by rule over every ended clock)."""
_DUE_BY = " AND i.anchor_at <= :bound - c.interval_us"
_ORDERED = " AND i.order_level > 0 AND i.anchor_at > :bound - c.interval_us"
"""Clocks of cases under an open supervision order that are not due by the bound."""
_RANKED = (
    "SELECT case_no, kind, n, due, station, officer, leader, grade, order_level,"
    " CASE WHEN due <= :on THEN (:on - due) / 86400000000 ELSE -1 END AS late,"
    " CASE WHEN order_level >= 2 OR :on - due >= :red THEN 2"
    " WHEN order_level >= 1 OR :on - due >= :yellow THEN 1 ELSE 0 END AS level"
    " FROM ({parts}) AS clocks"
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
            narrow += f" AND i.{key} = :{key}"
            params[key] = value
    if case_nos is not None:
        narrow += " AND i.case_no IN (SELECT value FROM json_each(:cases))"
        params["cases"] = json.dumps(list(case_nos))
    values = ", ".join(f"(:r{i}, :i{i}, :n{i})" for i in range(len(rules)))
    for i, (rule, interval, n) in enumerate(rules):
        params.update({f"r{i}": rule, f"i{i}": interval, f"n{i}": n})
    parts = [_NOW + _DUE_BY + narrow, _THEN + _DUE_BY + narrow]
    if with_ordered:
        parts += [_NOW + _ORDERED + narrow, _THEN + _ORDERED + narrow]
    cte = f"WITH cadence (rule, interval_us, n) AS (VALUES {values}) "
    return cte + _RANKED.format(parts=" UNION ALL ".join(parts)), params


def _rows(db: Views, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    return db.rows(sql, params)  # plain tuples: the board may be long
