"""Jurisdiction (issue 11 §1, docs/trust.md §1): who may act on and read which case.

Pure functions over a :class:`~disputes.domain.roster.Roster` — the roster as it stood at the
command's occurred time, so a replay judges a late entry (补录) with the roster of its day — and
a :class:`CaseScope`, what jurisdiction needs of a case:

==========================================  ========================  =========================
who                                          acts on                   reads
==========================================  ========================  =========================
district role (unit = the district)          every case of the         FULL with a purpose
                                             district
station leader, community officer            their station's cases     FULL on those, else NONE
auxiliary officer                            their village's cases     FULL on those, else NONE
grid worker                                  ``report`` in own village OWN_REPORT on own reports
auditor                                      nothing                   MASKED; FULL with purpose
system/security/audit admin, finance         nothing                   NONE
==========================================  ========================  =========================

Roles per verb stay the verbs' own (``Command.roles``, checked before scope). The separation of
duties that needs the roster (whom ``assign`` may name) is :func:`check_assignees`; the two that
need only the case (the reporter cannot close, a leader cannot answer their own supervision
order) are the aggregate's.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from disputes.domain.errors import (
    AssigneeOutOfStation,
    InvalidInput,
    OutOfScope,
    PurposeRequired,
)
from disputes.domain.roster import POLICE_ROLES, Person, Role, Roster, UnitKind


@dataclass(frozen=True)
class CaseScope:
    """What jurisdiction needs of a case (from the aggregate or a ledger row)."""

    case_no: str
    station: str
    """The owning station (changed by ``transfer``)."""
    village: str
    reported_by: str
    """The actor of the ``Reported`` event."""

    @classmethod
    def of(cls, case: Any) -> CaseScope:
        """The scope of a case aggregate (anything with ``case_no``, ``station``, ``village``
        and ``reporter``)."""
        return cls(case.case_no, case.station, case.village, case.reporter)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> CaseScope:
        """The scope of a ledger row (``ledger@3``: ``case_no``, ``station``, ``village``,
        ``reported_by``)."""
        return cls(
            str(row["case_no"]), str(row["station"]), str(row["village"]), str(row["reported_by"])
        )


class ReadLevel(StrEnum):
    """How much of a case a person may read."""

    FULL = "full"
    MASKED = "masked"
    """Names of parties and informants masked (梁某 → 梁*)."""
    OWN_REPORT = "own-report"
    """Case number, status, grade, next step and reported time only."""
    NONE = "none"


NO_CASE_ROLES = frozenset(
    {Role.AUDITOR, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.FINANCE}
)
"""Roles that act on no case (docs/trust.md §1)."""

ROLE_ZH = {
    Role.LEADER: "领导",
    Role.COMMUNITY_POLICE: "社区民警",
    Role.AUXILIARY_POLICE: "专职辅警",
    Role.GRID_WORKER: "网格员",
    Role.AUDITOR: "审计员",
    Role.SYSTEM_ADMIN: "系统管理员",
    Role.SECURITY_ADMIN: "安全管理员",
    Role.AUDIT_ADMIN: "审计管理员",
    Role.FINANCE: "财务人员",
}


def is_district_role(roster: Roster, person: Person) -> bool:
    """A district role: a police role whose unit is the district (docs/trust.md §1)."""
    unit = roster.units.get(person.unit)
    return unit is not None and unit.kind is UnitKind.DISTRICT and person.role in POLICE_ROLES


def station_of(roster: Roster, person: Person) -> str | None:
    """The station a person works in (their unit's station), or None (district, partner)."""
    station = roster.ancestor(person.unit, UnitKind.STATION)
    return station.code if station else None


def village_of(roster: Roster, person: Person) -> str | None:
    """The village a person works in (an auxiliary's village, a grid worker's grid's)."""
    village = roster.ancestor(person.unit, UnitKind.VILLAGE)
    return village.code if village else None


def _in_district(roster: Roster, person: Person, unit_code: str) -> bool:
    district = roster.ancestor(unit_code, UnitKind.DISTRICT)
    return district is not None and district.code == person.unit


def check_on_roster(
    roster: Roster, actor_id: str, verb: str, subject: str = "", name: str | None = None
) -> Person:
    """The actor as on ``roster`` (the roster of the occurred time); raises
    :class:`OutOfScope` when they were not on it then (not yet joined, or departed). ``name``:
    theirs, for the Chinese text."""
    person = roster.people.get(actor_id)
    if person is None:
        what = f"{verb} {subject}".strip()
        raise OutOfScope(
            actor_id,
            what,
            "not on the roster at that time (not yet joined, or departed)",
            zh_who=name,
            zh_what=f"在该时间办理{' ' + subject if subject else '此事项'}",
            zh_fix="此人在该时间不在花名册上（尚未调入或已调离），请由当时在岗的人员办理",
        )
    return person


DISTRICT_VERBS = frozenset({"transfer"})
"""Verbs only a district role may issue (``transfer``: a district leader's)."""


def _name(roster: Roster, code: str | None) -> str:
    """A unit's name (王店派出所) for the Chinese texts; the code when not on the roster."""
    unit = roster.units.get(code) if code else None
    return unit.name if unit else str(code)


def check_act(
    roster: Roster,
    actor_id: str,
    verb: str,
    case: CaseScope | None,
    *,
    village: str | None = None,
) -> None:
    """Raise :class:`OutOfScope` unless ``actor_id`` may ``verb`` on ``case`` under ``roster``.

    ``case`` is None for ``report``; then ``village`` is the village reported in. The verb's
    roles are checked before (``Command.roles``); this judges the scope only."""
    subject = case.case_no if case is not None else f"village {village}"
    person = check_on_roster(roster, actor_id, verb, subject)
    who = person.name
    role_zh = ROLE_ZH.get(person.role, str(person.role))
    if person.role in NO_CASE_ROLES:
        raise OutOfScope(
            actor_id,
            f"{verb} {subject}",
            f"a {person.role} acts on no case",
            zh_who=who,
            zh_what=f"办理案件（{role_zh}不办理案件）",
            zh_fix="案件由所属派出所的领导和民警办理",
        )
    if case is None:
        _check_report(roster, person, village or "")
        return
    district = is_district_role(roster, person)
    if verb in DISTRICT_VERBS and not district:
        raise OutOfScope(
            actor_id,
            f"{verb} {case.case_no}",
            "only a district leader transfers a case to another station",
            zh_who=who,
            zh_what=f"将 {case.case_no} 跨所移交（跨所移交由区局领导办理）",
            zh_fix="请报区局领导移交",
        )
    if district:
        if _in_district(roster, person, case.station):
            return
        raise OutOfScope(
            actor_id,
            f"{verb} {case.case_no}",
            f"the case's station {case.station} is not in their district {person.unit}",
            zh_who=who,
            zh_what=f"办理 {case.case_no}（该案不属{_name(roster, person.unit)}）",
            zh_fix="请由该案所属区局的人员办理",
        )
    owner = _name(roster, case.station)
    if person.role in (Role.LEADER, Role.COMMUNITY_POLICE):
        station = station_of(roster, person)
        if station == case.station:
            return
        raise OutOfScope(
            actor_id,
            f"{verb} {case.case_no}",
            f"the case belongs to station {case.station}, they to {station}",
            zh_who=who,
            zh_what=f"办理 {case.case_no}（该案属{owner}，本人属{_name(roster, station)}）",
            zh_fix=f"请由{owner}的领导或民警办理，或由区局领导将案件移交本所",
        )
    if person.role is Role.AUXILIARY_POLICE:
        mine = village_of(roster, person)
        if mine == case.village:
            return
        raise OutOfScope(
            actor_id,
            f"{verb} {case.case_no}",
            f"the case is in village {case.village}, they serve {mine or person.unit}",
            zh_who=who,
            zh_what=f"办理 {case.case_no}（该案在{_name(roster, case.village)}，"
            f"本人包{_name(roster, mine or person.unit)}）",
            zh_fix=f"请由{_name(roster, case.village)}的专职辅警或{owner}的民警办理",
        )
    raise OutOfScope(  # a grid worker only reports
        actor_id,
        f"{verb} {case.case_no}",
        f"a {person.role} only reports",
        zh_who=who,
        zh_what=f"办理 {case.case_no}（{role_zh}只登记本村的纠纷）",
        zh_fix=f"请由{owner}的民警或本村专职辅警办理",
    )


def _check_report(roster: Roster, person: Person, village: str) -> None:
    """``report`` in ``village``: district roles anywhere in their district; a station's
    leaders and officers in its villages; an auxiliary or a grid worker in their own."""
    station_unit = roster.ancestor(village, UnitKind.STATION)
    station = station_unit.code if station_unit else None
    if is_district_role(roster, person):
        if _in_district(roster, person, village):
            return
        fix = "请由该村所属区局的人员登记"
    elif person.role in (Role.LEADER, Role.COMMUNITY_POLICE):
        if station is not None and station_of(roster, person) == station:
            return
        fix = f"请由{_name(roster, station)}的人员或该村的专职辅警、网格员登记"
    else:
        if village_of(roster, person) == village:
            return
        fix = "请由该村的专职辅警或网格员登记"
    area = village_of(roster, person) or station_of(roster, person) or person.unit
    raise OutOfScope(
        person.id,
        f"report in village {village}",
        f"{village} is outside their jurisdiction ({area})",
        zh_who=person.name,
        zh_what=f"在{_name(roster, village)}登记纠纷（本人辖区为{_name(roster, area)}）",
        zh_fix=fix,
    )


def read_level(
    roster: Roster,
    person_id: str,
    case: CaseScope,
    purpose: str | None,
    *,
    purposes: Collection[str] | None = None,
) -> ReadLevel:
    """How much of ``case`` ``person_id`` may read.

    Raises :class:`PurposeRequired` when the read needs a purpose and none was given (a
    district role's read), and :class:`InvalidInput` (field ``purpose``) when ``purposes`` (the
    policy's codes) is given and ``purpose`` is not among them."""
    if purpose is not None and purposes is not None and purpose not in purposes:
        raise InvalidInput("purpose", f"'{purpose}' is not a purpose of the policy")
    person = roster.people.get(person_id)
    if person is None:
        return ReadLevel.NONE
    if person.role is Role.AUDITOR:
        return ReadLevel.FULL if purpose else ReadLevel.MASKED
    if person.role in NO_CASE_ROLES:
        return ReadLevel.NONE
    if is_district_role(roster, person):
        if not _in_district(roster, person, case.station):
            return ReadLevel.NONE
        if not purpose:
            raise PurposeRequired(person_id, case.case_no, sorted(purposes or ()))
        return ReadLevel.FULL
    if person.role in (Role.LEADER, Role.COMMUNITY_POLICE):
        return ReadLevel.FULL if station_of(roster, person) == case.station else ReadLevel.NONE
    if person.role is Role.AUXILIARY_POLICE:
        return ReadLevel.FULL if village_of(roster, person) == case.village else ReadLevel.NONE
    if person.role is Role.GRID_WORKER and case.reported_by == person_id:
        return ReadLevel.OWN_REPORT
    return ReadLevel.NONE


def check_assignees(roster: Roster, case: CaseScope, leader: str, officer: str) -> None:
    """``assign`` names a leader and an officer of the case's station or of the district;
    raises :class:`AssigneeOutOfStation` naming the first who is not. (Their roles are checked
    by the application.)"""
    for field, person_id in (("leader", leader), ("officer", officer)):
        person = roster.people.get(person_id)
        if person is None:
            continue  # the role check names a person missing from the roster
        if is_district_role(roster, person) and _in_district(roster, person, case.station):
            continue
        if station_of(roster, person) != case.station:
            raise AssigneeOutOfStation(
                case.case_no,
                field,
                person_id,
                case.station,
                person.name,
                _name(roster, case.station),
            )
