"""The due board's projection (``DueBoard``): its three tables — ``due_cases``, ``due_items``,
``due_history`` — and how a batch of events changes them (see the package docstring)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from disputes.domain.model import Dispute
from disputes.projections.base import Cursor, P, Projection
from disputes.projections.due_board.rules import RULES, CaseFacts
from disputes.projections.due_board.times import micros

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
    "observation",
    "open_referrals",
    "failed_mediations",
    "open_orders",
)


_INSERT_FACTS = (
    f"INSERT INTO due_cases ({', '.join(FACT_COLUMNS)})"
    f" VALUES ({', '.join(P for _ in FACT_COLUMNS)})"
)
_SELECT_FACTS = (
    f"SELECT {', '.join(FACT_COLUMNS)} FROM due_cases"
    " WHERE case_no IN (SELECT value FROM {json_each})"
)
_UPDATE_FACTS = (
    f"UPDATE due_cases SET {', '.join(f'{c} = {P}' for c in FACT_COLUMNS[1:])} WHERE case_no = {P}"
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
        json.dumps(facts.observation) if facts.observation else "{}",
        _dumps(facts.open_referrals),
        _dumps(facts.failed_mediations),
        _dumps(facts.open_orders),
    ]


def _facts_of(row: Sequence[Any]) -> CaseFacts:
    (case_no, status, station, grade, leader, officer, graded_at, last_contact_at,
     _anchor, _until, observation, referrals, failures, orders) = row  # fmt: skip
    return CaseFacts(
        case_no,
        status,
        station,
        grade,
        leader,
        officer,
        graded_at,
        last_contact_at,
        observation=_loads(observation, "{}"),
        open_referrals={int(n): t for n, t in _loads(referrals, "{}").items()},
        failed_mediations=list(_loads(failures, "[]")),
        open_orders={int(n): level for n, level in _loads(orders, "{}").items()},
    )


def _dumps(value: dict[int, Any] | list[int]) -> str:
    return json.dumps(value) if value else "{}" if isinstance(value, dict) else "[]"


def _loads(text: str, empty: str) -> Any:
    # Most cases have no open referral, failed mediation or order: skip the parser for those.
    return ({} if empty == "{}" else []) if text == empty else json.loads(text)


class DueBoard(Projection):
    """The due board's tables; see the module docstring."""

    name = "due_board@2"
    """Version 2: late entries (补录) and the observation window that restarts (issue 10)."""
    table_names = ("due_cases", "due_items", "due_history")
    indexes_read = frozenset({"due_items_case"})
    """``_load`` reads a case's running clocks through it."""
    tables = (
        """CREATE TABLE IF NOT EXISTS due_cases (
            case_no TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            station TEXT NOT NULL,
            grade TEXT,
            leader TEXT,
            officer TEXT,
            graded_at {integer},
            last_contact_at {integer},
            observation_anchor {integer},
            observe_until {integer},
            observation TEXT NOT NULL,
            open_referrals TEXT NOT NULL,
            failed_mediations TEXT NOT NULL,
            open_orders TEXT NOT NULL
        )""",
        # The clocks running now, kept in due-time order within each rule (the board reads a
        # range of each rule: rows with anchor_at + interval up to the bound).
        """CREATE TABLE IF NOT EXISTS due_items (
            rule TEXT NOT NULL,
            anchor_at {integer} NOT NULL,
            case_no TEXT NOT NULL,
            n {integer} NOT NULL,
            kind TEXT NOT NULL,
            station TEXT NOT NULL,
            officer TEXT,
            leader TEXT,
            grade TEXT,
            order_level {integer} NOT NULL,
            valid_from {integer} NOT NULL,
            PRIMARY KEY (rule, anchor_at, case_no, n)
        ){without_rowid}""",
        "CREATE INDEX IF NOT EXISTS due_items_case ON due_items (case_no)",
        "CREATE INDEX IF NOT EXISTS due_items_ordered ON due_items (order_level)"
        " WHERE order_level > 0",
        # Clocks that ended, in order of their end: the board of a past moment reads the rows
        # that ended after it.
        """CREATE TABLE IF NOT EXISTS due_history (
            valid_to {integer} NOT NULL,
            case_no TEXT NOT NULL,
            rule TEXT NOT NULL,
            n {integer} NOT NULL,
            valid_from {integer} NOT NULL,
            anchor_at {integer} NOT NULL,
            kind TEXT NOT NULL,
            station TEXT NOT NULL,
            officer TEXT,
            leader TEXT,
            grade TEXT,
            order_level {integer} NOT NULL,
            PRIMARY KEY (valid_to, case_no, rule, n)
        ){without_rowid}""",
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
        " FROM due_items WHERE case_no IN (SELECT value FROM {json_each})",
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
            "DELETE FROM due_items WHERE case_no = {?} AND rule = {?} AND n = {?}", deleted
        )
    if started:
        cursor.executemany(
            "INSERT INTO due_items (rule, anchor_at, case_no, n, kind, station, officer, leader,"
            " grade, order_level, valid_from) VALUES ({?},{?},{?},{?},{?},{?},{?},{?},{?},{?},{?})",
            started,
        )
    if ended:
        cursor.executemany(
            "INSERT INTO due_history (valid_to, case_no, rule, n, valid_from, anchor_at, officer,"
            " leader, grade, order_level, kind, station)"
            " VALUES ({?},{?},{?},{?},{?},{?},{?},{?},{?},{?},{?},{?})",
            ended,
        )
