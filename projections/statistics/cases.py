"""A case as the figures see it (:class:`CaseLine`): where and how it was found, and its events
in occurred order — read from the statistics tables for the cases a question needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from disputes.projections.base import P, Views

ACTIVE_SOURCES = ("visit", "informant", "incident-analysis", "court-notice")
"""主动发现: the sources of a dispute found actively (every source but a walk-in)."""
CONTACTS = frozenset({"Visited", "Mediated"})
"""Events that are a contact with the parties while a case is open."""
STATUS_OF = {"Graded": "open", "Resolved": "observing", "Relapsed": "open", "Closed": "closed"}
"""The status each status-changing event leaves a case in."""
GRADE_OF = {"Escalated": "red", "Downgraded": "yellow", "Resolved": "blue"}
"""The grade an event sets without saying it (gradings and relapses carry theirs)."""


@dataclass
class Fact:
    """One event of a case: its stable name, occurred time and value (see the projection)."""

    event: str
    at: datetime
    value: str | None
    version: int


@dataclass
class CaseLine:
    case_no: str
    station: str
    village: str
    category: str
    source: str
    reported_at: datetime
    facts: list[Fact] = field(default_factory=list)
    """The case's events after its report, in occurred order (then version)."""

    @property
    def active(self) -> bool:
        """Found actively (主动发现), not a walk-in."""
        return self.source in ACTIVE_SOURCES

    def status_before(self, moment: datetime) -> str | None:
        """The status just before ``moment`` (None when not yet reported)."""
        if self.reported_at >= moment:
            return None
        status = "reported"
        for fact in self.facts:
            if fact.at >= moment:
                break
            status = STATUS_OF.get(fact.event, status)
        return status

    def grade_before(self, moment: datetime) -> str | None:
        """The grade just before ``moment`` (None before the first grading)."""
        grade: str | None = None
        for fact in self.facts:
            if fact.at >= moment:
                break
            graded = fact.value if fact.event in ("Graded", "Relapsed") else grade
            grade = GRADE_OF.get(fact.event, graded)
        return grade

    def first_grade(self, before: datetime) -> tuple[str, datetime] | None:
        """The grade and time of the first grading before ``before``."""
        for fact in self.facts:
            if fact.at >= before:
                return None
            if fact.event == "Graded" and fact.value is not None:
                return fact.value, fact.at
        return None

    def first(self, events: frozenset[str] | str, before: datetime) -> datetime | None:
        """When the first of ``events`` occurred, if before ``before``."""
        names = frozenset({events}) if isinstance(events, str) else events
        for fact in self.facts:
            if fact.at >= before:
                return None
            if fact.event in names:
                return fact.at
        return None

    def within(self, event: str, start: datetime, end: datetime) -> list[Fact]:
        """The case's ``event`` facts that occurred in ``[start, end)``."""
        return [f for f in self.facts if f.event == event and start <= f.at < end]

    def settled_during(self, start: datetime, end: datetime) -> bool:
        """Settled (observing or closed) at some moment of ``[start, end)``."""
        return self.status_before(start) in ("observing", "closed") or bool(
            self.within("Resolved", start, end)
        )


def load_cases(
    db: Views,
    reported_before: datetime,
    *,
    station: str | None = None,
    village: str | None = None,
) -> list[CaseLine]:
    """Every case reported before ``reported_before`` (of ``station``/``village`` when given),
    with its events that occurred before then too, in case-number order."""
    from disputes.projections.base import iso

    bound = iso(reported_before)
    where, params = ["reported_at < {?}"], [bound]
    if station is not None:
        where.append(f"station = {P}")
        params.append(station)
    if village is not None:
        where.append(f"village = {P}")
        params.append(village)
    clause = " AND ".join(where)
    lines: dict[str, CaseLine] = {}
    for case_no, st, vil, category, source, reported in db.rows(
        "SELECT case_no, station, village, category, source, reported_at FROM stat_cases"
        f" WHERE {clause} ORDER BY case_no",
        params,
    ):
        lines[case_no] = CaseLine(
            case_no, st, vil, category, source, datetime.fromisoformat(reported)
        )
    events_clause = " AND ".join(f"c.{w}" for w in where)
    rows: list[tuple[Any, ...]] = db.rows(
        "SELECT e.case_no, e.event, e.occurred_at, e.value, e.version FROM stat_events e"
        " JOIN stat_cases c ON c.case_no = e.case_no"
        f" WHERE {events_clause} AND e.occurred_at < {P}",
        [*params, bound],
    )
    for case_no, event, occurred, value, version in rows:
        line = lines.get(case_no)
        if line is not None:
            line.facts.append(Fact(event, datetime.fromisoformat(occurred), value, int(version)))
    for line in lines.values():
        line.facts.sort(key=lambda f: (f.at, f.version))
    return list(lines.values())
