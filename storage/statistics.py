"""Statistics, monthly reports and ratings of a store (issue 12): the periods they cover, the
view database they count from, and the rows they give.

Figures are counted from the statistics projection's facts (:mod:`disputes.projections.statistics`)
and the due board. Live, from the store's own view tables (caught up first); ``as_of`` (an
occurred time: what had happened by then, as now recorded) or ``known_at`` (a recorded time:
what the store held then) rebuild those projections in memory from the events that pass, so a
report handed in earlier is counted again exactly as it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from disputes.domain.clock import SHANGHAI, local_text
from disputes.domain.errors import InvalidInput
from disputes.domain.model import Dispute
from disputes.domain.roster import Role, UnitKind
from disputes.projections.base import Views
from disputes.projections.due_board import DueBoard, list_due
from disputes.projections.informants import InformantCases
from disputes.projections.ledger import Ledger, case_no_of
from disputes.projections.statistics import (
    KEYS,
    CaseLine,
    Figures,
    RatingInputs,
    Score,
    Standing,
    Statistics,
    count,
    inputs,
    load_cases,
    score,
)
from disputes.storage.views import ViewDatabase

if TYPE_CHECKING:
    from disputes.storage.store import Store

GROUPINGS = ("station", "village", "category", "source", "month", "grade")
"""What ``stats --by`` may group by."""

__all__ = ["GROUPINGS", "KEYS", "Figures", "Period", "RatingRow", "Score", "Standing", "Views"]


@dataclass(frozen=True)
class Period:
    """Days ``first`` … ``last`` (Asia/Shanghai), as the moments ``[start, end)``."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return datetime(self.first.year, self.first.month, self.first.day, tzinfo=SHANGHAI)

    @property
    def end(self) -> datetime:
        after = self.last + timedelta(days=1)
        return datetime(after.year, after.month, after.day, tzinfo=SHANGHAI)

    def months(self) -> list[Period]:
        """The calendar months of the period, each clipped to it."""
        out: list[Period] = []
        day = self.first
        while day <= self.last:
            following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
            out.append(Period(day, min(self.last, following - timedelta(days=1))))
            day = following
        return out

    def as_json(self) -> dict[str, str]:
        return {"from": self.first.isoformat(), "to": self.last.isoformat()}


def invalid(option: str, reason: str, *, zh: str) -> InvalidInput:
    """Invalid input naming ``option``, in English and in Chinese."""
    error = InvalidInput(option, reason)
    error.zh = f"{option}：{zh}"
    return error


def parse_day(option: str, text: str) -> date:
    """A day given as ``2021-07-01``. Raises InvalidInput naming ``option``."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise invalid(
            option,
            f"'{text}' is not a date such as 2021-07-01",
            zh=f"“{text}”不是日期（如 2021-07-01）",
        ) from None
    if not 1900 <= day.year <= 2999:
        raise invalid(option, f"{text} lies outside 1900–2999", zh=f"{text} 不在 1900–2999 年之间")
    return day


def period_of(first: date, last: date) -> Period:
    if last < first:
        raise invalid(
            "--to", f"{last} is before --from {first}", zh=f"结束日期 {last} 早于开始日期 {first}"
        )
    return Period(first, last)


def month_period(text: str) -> Period:
    """``2021-11`` → the days of November 2021. Raises InvalidInput (``MONTH``)."""
    found = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if found is None or not 1 <= int(found[2]) <= 12 or not 1900 <= int(found[1]) <= 2999:
        raise invalid(
            "MONTH",
            f"'{text}' is not a month such as 2021-11",
            zh=f"“{text}”不是月份（如 2021-11）",
        )
    return _whole_month(int(found[1]), int(found[2]))


def _whole_month(year: int, month: int) -> Period:
    following = date(year + month // 12, month % 12 + 1, 1)
    return Period(date(year, month, 1), following - timedelta(days=1))


def half_period(text: str) -> Period:
    """``2022H1`` → 2022-01-01 … 2022-06-30; ``2022H2`` → 2022-07-01 … 2022-12-31."""
    found = re.fullmatch(r"(\d{4})[Hh]([12])", text.strip())
    if found is None or not 1900 <= int(found[1]) <= 2999:
        raise invalid(
            "HALF",
            f"'{text}' is not a half year such as 2022H1",
            zh=f"“{text}”不是半年（如 2022H1）",
        )
    year = int(found[1])
    if found[2] == "1":
        return Period(date(year, 1, 1), date(year, 6, 30))
    return Period(date(year, 7, 1), date(year, 12, 31))


@contextmanager
def counting_views(
    store: Store, as_of: datetime | None = None, known_at: datetime | None = None
) -> Iterator[Views]:
    """The view database to count from: the store's own (caught up), or — for ``as_of`` /
    ``known_at`` — the ledger, due board and statistics rebuilt in memory from the events that
    had occurred by ``as_of`` and were recorded by ``known_at``. Raises InvalidInput when either
    lies before the store's first event."""
    if as_of is None and known_at is None:
        store.catch_up()
        yield store.views
        return
    occurred, recorded = store.first_times()
    if as_of is not None and (occurred is None or as_of < occurred):
        raise invalid(
            "--as-of",
            f"{local_text(as_of)} is before the first event",
            zh=f"{local_text(as_of)} 早于第一条记录发生的时间",
        )
    if known_at is not None and (recorded is None or known_at < recorded):
        raise invalid(
            "--known-at",
            f"{local_text(known_at)} is before the first record",
            zh=f"{local_text(known_at)} 早于第一条记录的记录时间",
        )
    events = (
        e
        for e in store.dispute_events()
        if (as_of is None or e.occurred_at <= as_of)
        and (known_at is None or e.timestamp <= known_at)
    )
    memory = ViewDatabase(":memory:")
    try:
        _build(memory, events)
        yield memory
    finally:
        memory.close()


def _build(memory: ViewDatabase, events: Iterable[Dispute.Event]) -> None:
    projections = (Ledger(), DueBoard(), Statistics(), InformantCases())
    with memory.transaction() as cursor:
        for projection in projections:
            for ddl in projection.tables:
                cursor.execute(ddl)
        batch: list[tuple[Dispute.Event, str]] = []
        ids: dict[str, str] = {}
        for event in events:
            key = str(event.originator_id)
            if isinstance(event, Dispute.Reported):
                ids[key] = event.case_no
            case_no = ids.get(key) or case_no_of(cursor, key)
            assert case_no is not None
            batch.append((event, case_no))
            if isinstance(event, Dispute.Reported):
                for projection in projections:
                    projection.process_many(cursor, batch)
                batch = []
        for projection in projections:
            projection.process_many(cursor, batch)


def standing_at(store: Store, db: Views, on: datetime) -> dict[str, Standing]:
    """Each case's overdue items and supervision cards on the due board at ``on``."""
    found: dict[str, list[int]] = {}
    for item in list_due(db, store.policy.cadence, on, overdue=True):
        tally = found.setdefault(item.case_no, [0, 0, 0])
        tally[0] += 1
        tally[1] += item.supervision == "yellow-card"
        tally[2] += item.supervision == "red-card"
    return {case_no: Standing(*t) for case_no, t in found.items()}


def _group_of(by: str, case: CaseLine) -> str:
    match by:
        case "village":
            return case.village
        case "category":
            return case.category
        case "source":
            return case.source
        case _:
            first = case.first_grade(datetime.max.replace(tzinfo=SHANGHAI))
            return "none" if first is None else first[0]


@dataclass(frozen=True)
class Group:
    key: str
    figures: Figures


def statistics(
    store: Store,
    db: Views,
    period: Period,
    *,
    by: str | None = None,
    station: str | None = None,
) -> tuple[list[Group], Figures]:
    """The figures of ``period`` per group of ``by`` (none: one group), and in total."""
    policy = store.policy
    sources = list(policy.sources)
    reply = policy.cadence.referral_reply_days
    cases = load_cases(db, period.end, station=station)
    standing = standing_at(store, db, period.end)
    total = count(
        cases,
        period.start,
        period.end,
        sources=sources,
        referral_reply_days=reply,
        standing=standing,
        station=station,
    )
    groups: list[Group] = []
    if by == "month":
        for month in period.months():
            in_month = [c for c in cases if c.reported_at < month.end]
            groups.append(
                Group(
                    month.first.strftime("%Y-%m"),
                    count(
                        in_month,
                        month.start,
                        month.end,
                        sources=sources,
                        referral_reply_days=reply,
                        standing=standing_at(store, db, month.end),
                        station=station,
                    ),
                )
            )
    elif by == "station":
        # A case counts in each station that owned it at the moment a figure asks about
        # (docs/statistics.md, "Transfers"): every station it passed through sees it.
        members: dict[str, list[CaseLine]] = {}
        for case in cases:
            for owner in case.stations():
                if station in (None, owner):
                    members.setdefault(owner, []).append(case)
        for key in _ordered_keys(store, by, members, station):
            figures = count(
                members.get(key, []),
                period.start,
                period.end,
                sources=sources,
                referral_reply_days=reply,
                standing=standing,
                station=key,
            )
            groups.append(Group(key, figures))
    elif by is not None:
        members = {}
        for case in cases:
            members.setdefault(_group_of(by, case), []).append(case)
        for key in _ordered_keys(store, by, members, station):
            figures = count(
                members.get(key, []),
                period.start,
                period.end,
                sources=sources,
                referral_reply_days=reply,
                standing=standing,
                station=station,
            )
            groups.append(Group(key, figures))
    return groups, total


def _ordered_keys(
    store: Store, by: str, members: dict[str, list[CaseLine]], station: str | None
) -> list[str]:
    """Every group a leader expects to see, in the roster's or the policy's order (a station
    with no case is a row of zeros), then any other group the cases name."""
    roster, policy = store.app.roster, store.policy
    known: list[str]
    if by == "station":
        known = [
            u.code
            for u in roster.units.values()
            if u.kind is UnitKind.STATION and station in (None, u.code)
        ]
    elif by == "village":
        known = [
            u.code
            for u in roster.units.values()
            if u.kind is UnitKind.VILLAGE
            and station in (None, getattr(roster.ancestor(u.code, UnitKind.STATION), "code", None))
        ]
    elif by == "category":
        known = list(policy.categories)
    elif by == "source":
        known = list(policy.sources)
    else:
        known = ["red", "yellow", "none"]
    return [*known, *sorted(set(members) - set(known))]


@dataclass(frozen=True)
class RatingRow:
    village: str
    station: str
    auxiliary: str | None
    inputs: RatingInputs
    score: Score


def rating(
    store: Store, db: Views, period: Period, *, station: str | None = None
) -> list[RatingRow]:
    """五星警务室: one row per village police room (each village on the roster, with its
    auxiliary officer), rated over ``period`` under the current policy's ``[rating]``."""
    from disputes.projections.informants import graded_informant_cases

    roster, policy = store.app.roster, store.policy
    cases = load_cases(db, period.end)
    informant_graded = graded_informant_cases(db, period.end)
    by_village: dict[str, list[CaseLine]] = {}
    for case in cases:
        by_village.setdefault(case.village, []).append(case)
    auxiliaries: dict[str, str] = {}
    for person in roster.people.values():
        if person.role is Role.AUXILIARY_POLICE:
            auxiliaries.setdefault(person.unit, person.id)
    rows = []
    for unit in roster.units.values():
        if unit.kind is not UnitKind.VILLAGE:
            continue
        owner = roster.ancestor(unit.code, UnitKind.STATION)
        home = owner.code if owner is not None else (unit.parent or "")
        if station not in (None, home):
            continue
        got = inputs(
            by_village.get(unit.code, []),
            period.start,
            period.end,
            policy.cadence,
            station=home,
            informant_graded=informant_graded,
        )
        rows.append(
            RatingRow(
                unit.code,
                home,
                auxiliaries.get(unit.code),
                got,
                score(got, policy.rating),
            )
        )
    return rows


def figures_json(figures: Figures) -> dict[str, Any]:
    return figures.as_json()


def cases_in_scope(
    db: Views, period: Period, *, station: str | None = None
) -> list[dict[str, Any]]:
    """台账 rows (the ledger's columns) of every case in scope for ``period``: reported before
    its end and not closed before its start, in case-number order."""
    from disputes.projections.ledger_query import list_cases

    start, end = period.start, period.end
    return [
        row
        for row in list_cases(db, station=station)
        if datetime.fromisoformat(row["reported_at"]) < end
        and (row["closed_at"] is None or datetime.fromisoformat(row["closed_at"]) >= start)
    ]
