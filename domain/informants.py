"""Who may know an informant (治安信息员) by name (issue 13 §4), and how the name is masked.

An informant lives next to the parties of the case they reported: their identity is shown only
to the police roles of the case's station (and the district's), to the people of the reward
workflow (the policy's paying role, who must know whom they pay), to the informant themself,
and to an auditor who states a purpose. Everyone else sees the name masked (梁某 → 梁*) and no
roster id. The trusted local desk (no ``--as``, docs/trust.md §3) sees everything.

The name is masked by the gate's :func:`~disputes.domain.masking.mask_name` (郭翠花 → 郭**);
the gate's read levels take care of the case itself (``show`` and ``history`` of a masked reader
withhold the informant, gate/gate.py).
"""

from __future__ import annotations

from typing import Any

from disputes.domain.jurisdiction import is_district_role, station_of
from disputes.domain.masking import mask_name
from disputes.domain.roster import POLICE_ROLES, Role, Roster, UnitKind


def sees_informant(
    roster: Roster,
    reader: str | None,
    *,
    station: str,
    informant: str,
    payer_role: str,
    purpose: str | None = None,
) -> bool:
    """Whether ``reader`` (None: the trusted local desk) may know who ``informant`` is, on a
    case or reward of ``station``."""
    if reader is None or reader == informant:
        return True
    person = roster.people.get(reader)
    if person is None:
        return False
    if person.role in POLICE_ROLES:
        if is_district_role(roster, person):
            district = roster.ancestor(station, UnitKind.DISTRICT)
            return district is not None and district.code == person.unit
        return station_of(roster, person) == station
    if person.role == payer_role:
        unit = roster.units.get(person.unit)
        return (unit is not None and unit.kind is UnitKind.DISTRICT) or station_of(
            roster, person
        ) == station
    return person.role is Role.AUDITOR and bool(purpose)


def informant_shown(
    roster: Roster,
    row: dict[str, Any],
    reader: str | None,
    *,
    payer_role: str,
    purpose: str | None = None,
) -> dict[str, Any]:
    """A row naming an ``informant`` (of ``station``) as ``reader`` may see it: with
    ``informant_name`` and ``masked``; for a reader who may not know the informant the name is
    masked and the id withheld."""
    person = roster.people.get(row["informant"])
    name = person.name if person is not None else ""
    visible = sees_informant(
        roster,
        reader,
        station=row["station"],
        informant=row["informant"],
        payer_role=payer_role,
        purpose=purpose,
    )
    if visible:
        return {**row, "informant_name": name, "masked": False}
    return {**row, "informant": None, "informant_name": mask_name(name), "masked": True}
