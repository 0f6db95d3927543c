"""The figures of a period (:class:`Figures`), counted over :class:`~.cases.CaseLine` s.

Every figure is defined in docs/statistics.md (one sentence each); the names here are the JSON
keys of ``disputes stats --format json`` and never change meaning.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from disputes.projections.statistics.cases import CONTACTS, CaseLine

OUTCOME_KINDS = ("criminal-case", "public-order-case", "homicide", "mass-incident", "petition")
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Standing:
    """A case's items on the due board at a moment: how many are overdue, and of those how many
    are at the yellow-card and at the red-card level."""

    overdue: int = 0
    yellow_cards: int = 0
    red_cards: int = 0


def _rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


def _median_days(spans: Iterable[timedelta]) -> float | None:
    days = [s / DAY for s in spans]
    return None if not days else round(median(days), 1)


@dataclass
class Figures:
    """统计指标 of one group over one period (keys: docs/statistics.md)."""

    reported: int = 0
    found_actively: int = 0
    walk_in: int = 0
    by_source: dict[str, int] = field(default_factory=dict)
    graded_red: int = 0
    graded_yellow: int = 0
    resolved: int = 0
    closed: int = 0
    settled: int = 0
    settlement_rate: float | None = None
    open_at_start: int = 0
    open_at_start_settled: int = 0
    open_at_start_settlement_rate: float | None = None
    relapses: int = 0
    relapsed_cases: int = 0
    relapse_rate: float | None = None
    median_days_to_first_contact: float | None = None
    median_days_to_downgrade: float | None = None
    median_days_to_resolution: float | None = None
    in_hand_red: int = 0
    in_hand_yellow: int = 0
    in_hand_blue: int = 0
    overdue_items: int = 0
    yellow_cards: int = 0
    red_cards: int = 0
    supervision_orders: int = 0
    referrals: int = 0
    referrals_late: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    homicides: int = 0
    zero_homicide: bool = True

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


KEYS = tuple(Figures().as_json())
"""The figure keys, in their documented order."""


@dataclass
class _Spans:
    """The spans the medians are taken of, and the cases settled at some moment."""

    to_contact: list[timedelta] = field(default_factory=list)
    to_downgrade: list[timedelta] = field(default_factory=list)
    to_resolve: list[timedelta] = field(default_factory=list)
    settled_during: int = 0


def count(
    cases: Sequence[CaseLine],
    start: datetime,
    end: datetime,
    *,
    sources: Sequence[str],
    referral_reply_days: int,
    standing: Mapping[str, Standing] | None = None,
) -> Figures:
    """The figures of ``cases`` over ``[start, end)``. ``sources`` are the policy's source codes
    (every one is a key of ``by_source``); ``standing`` is each case's due-board standing at
    ``end`` (missing: nothing overdue)."""
    f = Figures(by_source=dict.fromkeys(sources, 0), outcomes=dict.fromkeys(OUTCOME_KINDS, 0))
    spans = _Spans()
    reply = timedelta(days=referral_reply_days)
    standing = standing or {}
    for case in cases:
        if start <= case.reported_at < end:
            _reported(f, spans, case, end)
        elif case.status_before(start) in ("reported", "open"):
            f.open_at_start += 1
            f.open_at_start_settled += case.status_before(end) in ("observing", "closed")
        _activity(f, case, start, end, reply)
        if case.status_before(end) != "closed":
            grade = case.grade_before(end)
            f.in_hand_red += grade == "red"
            f.in_hand_yellow += grade == "yellow"
            f.in_hand_blue += grade == "blue"
        spans.settled_during += case.settled_during(start, end)
        board = standing.get(case.case_no)
        if board is not None:
            f.overdue_items += board.overdue
            f.yellow_cards += board.yellow_cards
            f.red_cards += board.red_cards
    f.settlement_rate = _rate(f.settled, f.reported)
    f.open_at_start_settlement_rate = _rate(f.open_at_start_settled, f.open_at_start)
    f.relapse_rate = _rate(f.relapsed_cases, spans.settled_during)
    f.median_days_to_first_contact = _median_days(spans.to_contact)
    f.median_days_to_downgrade = _median_days(spans.to_downgrade)
    f.median_days_to_resolution = _median_days(spans.to_resolve)
    f.homicides = f.outcomes.get("homicide", 0)
    f.zero_homicide = f.homicides == 0
    return f


def _reported(f: Figures, spans: _Spans, case: CaseLine, end: datetime) -> None:
    """Count a case reported in the period."""
    f.reported += 1
    f.by_source[case.source] = f.by_source.get(case.source, 0) + 1
    if case.active:
        f.found_actively += 1
    else:
        f.walk_in += 1
    first = case.first_grade(end)
    if first is not None:
        f.graded_red += first[0] == "red"
        f.graded_yellow += first[0] == "yellow"
        downgraded = case.first("Downgraded", end)
        if downgraded is not None:
            spans.to_downgrade.append(downgraded - first[1])
    f.settled += case.status_before(end) in ("observing", "closed")
    contacted = case.first(CONTACTS, end)
    if contacted is not None:
        spans.to_contact.append(contacted - case.reported_at)
    resolved = case.first("Resolved", end)
    if resolved is not None:
        spans.to_resolve.append(resolved - case.reported_at)


def _activity(f: Figures, case: CaseLine, start: datetime, end: datetime, reply: timedelta) -> None:
    """Count what happened to a case in the period (whenever it was reported)."""
    f.resolved += bool(case.within("Resolved", start, end))
    f.closed += bool(case.within("Closed", start, end))
    relapses = len(case.within("Relapsed", start, end))
    f.relapses += relapses
    f.relapsed_cases += relapses > 0
    f.supervision_orders += len(case.within("SupervisionOrdered", start, end))
    answered = {fact.value: fact.at for fact in case.facts if fact.event == "ReceiptRecorded"}
    for referral in case.within("Referred", start, end):
        f.referrals += 1
        due = referral.at + reply
        answer = answered.get(referral.value)
        f.referrals_late += (answer is not None and answer > due) or (answer is None and due < end)
    for outcome in case.within("OutcomeRecorded", start, end):
        if outcome.value is not None:
            f.outcomes[outcome.value] = f.outcomes.get(outcome.value, 0) + 1
