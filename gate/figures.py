"""The figures as one viewer may read them (issue 11: every verb works with a server): the
``stats --format json`` document and the ``rating --format json`` document, counted for the
station the viewer's scope allows.

Scope (docs/trust.md §1): a district role (and the trusted local desk, and district-level
people of no station: auditors, administrators) counts any station or the whole district; a
person of a station (a leader, a community or auxiliary officer, a grid worker) counts their
own station's cases only — no ``--station`` means theirs, another station is refused.
Figures are counts, not personal data: no access entry is recorded (``stats --by informant``
goes through :meth:`Gate.informants`, which masks and records).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from disputes.domain.errors import OutOfScope
from disputes.domain.jurisdiction import is_district_role, station_of
from disputes.domain.vocabulary import GRADE

if TYPE_CHECKING:
    from datetime import datetime

    from disputes.gate.gate import Gate
    from disputes.storage.statistics import Group, Period
    from disputes.storage.store import Store


def figures_station(gate: Gate, station: str | None, what: str = "read figures") -> str | None:
    """The station whose figures ``gate``'s viewer counts, given the ``--station`` asked."""
    person_id = gate.viewer.person
    if person_id is None:
        return station
    roster = gate.store.app.roster
    person = roster.people.get(person_id)
    if person is None:
        raise OutOfScope(
            person_id, what, "not on the roster", zh_what="查阅统计", zh_fix="不在花名册上"
        )
    own = station_of(roster, person)
    if own is None or is_district_role(roster, person):
        return station
    if station is not None and station != own:
        raise OutOfScope(
            person_id,
            f"{what} of station {station}",
            f"their figures are those of their own station {own}",
            zh_what=f"查阅 {station} 的统计",
            zh_fix=f"只能查阅本所（{own}）的统计",
        )
    return own


def group_name(store: Store, by: str | None, key: str, lang: str) -> str:
    """What a leader calls a group (as ``stats`` names it): a unit's name, a category's or a
    source's label, a grade's word, a month."""
    if by in ("station", "village"):
        unit = store.app.roster.units.get(key)
        if unit is None:
            return key
        if by == "village" and unit.parent in store.app.roster.units:
            return f"{store.app.roster.units[unit.parent].name} {unit.name}"
        return unit.name
    if by in ("category", "source"):
        entry = getattr(store.policy, "categories" if by == "category" else "sources").get(key)
        return key if entry is None else str(entry.zh if lang == "zh" else entry.en)
    if by == "grade":
        if key == "none":
            return "未定级" if lang == "zh" else "none"
        pair = GRADE.get(key)
        return key if pair is None else pair[0 if lang == "zh" else 1]
    return key


def stats_document(
    store: Store,
    period: Period,
    groups: list[Group],
    total: dict[str, Any],
    meta: dict[str, Any],
    lang: str,
) -> dict[str, Any]:
    """``stats --format json``: the period, the question, each group's figures, the total."""
    return {
        **period.as_json(),
        **meta,
        "policy_version": store.policy.version,
        "groups": [
            {
                "key": g.key,
                "name": group_name(store, meta["by"], g.key, lang),
                **g.figures.as_json(),
            }
            for g in groups
        ],
        "total": total,
    }


def informant_document(
    gate: Gate, period: Period, station: str | None, purpose: str | None
) -> dict[str, Any]:
    """``stats --by informant --format json`` (cli/stats_informants.py): one group per
    informant and station, masked for the viewer, and the sums."""
    keys = ("reports", "graded", "resolved", "rewards", "amount")
    rows = gate.informants(station=station, since=period.start, until=period.end, purpose=purpose)
    units = gate.store.app.roster.units
    groups = [
        {
            "key": row["informant"],
            "name": row["informant_name"],
            "masked": row["masked"],
            "station": row["station"],
            "station_name": units[row["station"]].name
            if row["station"] in units
            else row["station"],
            **{key: int(row[key]) for key in keys},
        }
        for row in rows
    ]
    return {
        **period.as_json(),
        "by": "informant",
        "station": station,
        "as_of": None,
        "known_at": None,
        "policy_version": gate.store.policy.version,
        "groups": groups,
        "total": {key: sum(g[key] for g in groups) for key in keys},
    }


def stats(
    gate: Gate,
    *,
    first: str,
    last: str,
    by: str | None = None,
    station: str | None = None,
    as_of: datetime | None = None,
    known_at: datetime | None = None,
    purpose: str | None = None,
    lang: str = "zh",
) -> dict[str, Any]:
    """``stats --format json`` as ``gate``'s viewer may count it (their station's unless a
    district role)."""
    from disputes.domain.clock import local_iso
    from disputes.storage.statistics import (
        counting_views,
        invalid,
        parse_day,
        period_of,
        statistics,
    )

    store = gate.store
    period = period_of(parse_day("--from", first), parse_day("--to", last))
    _station_option(store, station)
    station = figures_station(gate, station)
    if by == "informant":
        if as_of is not None or known_at is not None:
            option = "--as-of" if as_of is not None else "--known-at"
            raise invalid(
                option,
                "--by informant counts what is recorded now (the rewards are not replayed)",
                zh="--by informant 只统计当前记录（奖励记录不按时间回放）",
            )
        return informant_document(gate, period, station, purpose)
    with counting_views(store, as_of, known_at) as db:
        groups, total = statistics(store, db, period, by=by, station=station)
    meta = {
        "by": by,
        "station": station,
        "as_of": local_iso(as_of),
        "known_at": local_iso(known_at),
    }
    return stats_document(store, period, groups, total.as_json(), meta, lang)


def rating(gate: Gate, half: str, *, station: str | None = None) -> dict[str, Any]:
    """``rating HALF --format json`` as ``gate``'s viewer may count it."""
    from disputes.storage.statistics import counting_views, half_period
    from disputes.storage.statistics import rating as rate

    store = gate.store
    period = half_period(half)
    _station_option(store, station)
    station = figures_station(gate, station, "read the rating")
    with counting_views(store) as db:
        rows = rate(store, db, period, station=station)
    rooms = []
    for row in rows:
        auxiliary = store.app.roster.people.get(row.auxiliary or "")
        rooms.append(
            {
                "village": row.village,
                "village_name": group_name(store, "village", row.village, "zh"),
                "station": row.station,
                "auxiliary": row.auxiliary,
                "auxiliary_name": None if auxiliary is None else auxiliary.name,
                "inputs": row.inputs.as_json(),
                "parts": row.score.parts,
                "points": row.score.points,
                "stars": row.score.stars,
            }
        )
    return {
        "half": half.upper(),
        **period.as_json(),
        "policy_version": store.policy.version,
        "rooms": rooms,
    }


def _station_option(store: Store, station: str | None) -> None:
    """Refuse a ``--station`` that is not a station on the roster (exit 2)."""
    from disputes.domain.roster import UnitKind
    from disputes.storage.statistics import invalid

    if station is None:
        return
    unit = store.app.roster.units.get(station)
    if unit is None or unit.kind is not UnitKind.STATION:
        raise invalid(
            "--station",
            f"{station} is not a station unit on the roster",
            zh=f"{station} 不是花名册上的派出所",
        )
