"""The roster: jurisdiction units (district → station → village → grid, plus partner units) and
the people who act on cases, with their roles.

Loaded from two CSV files (``units.csv``: ``code,name,kind,parent``; ``people.csv``:
``id,name,role,unit``), validated as a whole, and recorded as a ``RosterLoaded`` event so that the
roster in force at any time can be replayed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from disputes.domain.errors import InvalidInput, InvalidInputs
from disputes.domain.text import invisible_only, text_problem


class UnitKind(StrEnum):
    DISTRICT = "district"
    STATION = "station"
    VILLAGE = "village"
    GRID = "grid"
    PARTNER = "partner"


class Role(StrEnum):
    """Roster roles (glossary): 分包责任领导, 社区民警, 专职辅警, 网格员/治安信息员; and (issue 11,
    docs/trust.md) the auditor, the three administrators of MLPS level 3 (系统管理员, 安全管理员,
    审计管理员) and finance, none of whom acts on cases."""

    LEADER = "leader"
    COMMUNITY_POLICE = "community-police"
    AUXILIARY_POLICE = "auxiliary-police"
    GRID_WORKER = "grid-worker"
    AUDITOR = "auditor"
    SYSTEM_ADMIN = "system-admin"
    SECURITY_ADMIN = "security-admin"
    AUDIT_ADMIN = "audit-admin"
    FINANCE = "finance"


POLICE_ROLES = (Role.LEADER, Role.COMMUNITY_POLICE, Role.AUXILIARY_POLICE)
"""product.md §2: 'Police roles: leader, community-police, auxiliary-police.'"""

CASE_ROLES = (*POLICE_ROLES, Role.GRID_WORKER)
"""The roles that act on cases at all (docs/trust.md: the auditor, the administrators and finance
act on none)."""

PARENT_KIND = {
    UnitKind.DISTRICT: None,
    UnitKind.STATION: UnitKind.DISTRICT,
    UnitKind.VILLAGE: UnitKind.STATION,
    UnitKind.GRID: UnitKind.VILLAGE,
    UnitKind.PARTNER: UnitKind.DISTRICT,
}

Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")]


def _name(value: object) -> object:
    """A unit's or a person's name: one line under the input rules (README), never only
    invisible characters."""
    if not isinstance(value, str):
        return value
    problem = text_problem(value)
    if problem:
        raise ValueError(problem)
    return "" if invisible_only(value) else value


Name = Annotated[str, BeforeValidator(_name), Field(min_length=1, max_length=100)]


class Unit(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    code: Code
    name: Name
    kind: UnitKind
    parent: Code | None = None


class Person(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    id: Code
    name: Name
    role: Role
    unit: Code


class Roster:
    """Validated units and people with jurisdiction look-ups. Immutable once built."""

    def __init__(self, units: Sequence[Unit], people: Sequence[Person]) -> None:
        """Raises :class:`InvalidInputs` listing every inconsistency (row and reason)."""
        errors: list[tuple[str, str]] = []
        self.units: dict[str, Unit] = {}
        for unit in units:
            if unit.code in self.units:
                errors.append((f"units[{unit.code}]", "duplicate code"))
            self.units[unit.code] = unit
        for unit in units:
            want = PARENT_KIND[unit.kind]
            parent = self.units.get(unit.parent) if unit.parent else None
            if want is None and unit.parent:
                errors.append((f"units[{unit.code}].parent", "a district has no parent"))
            elif want is not None and parent is None:
                errors.append((f"units[{unit.code}].parent", f"needs an existing {want} unit"))
            elif want is not None and parent is not None and parent.kind is not want:
                errors.append(
                    (
                        f"units[{unit.code}].parent",
                        f"{unit.parent} is a {parent.kind}, not a {want}",
                    )
                )
        self.people: dict[str, Person] = {}
        for person in people:
            if person.id in self.people:
                errors.append((f"people[{person.id}]", "duplicate id"))
            self.people[person.id] = person
            if person.unit not in self.units:
                errors.append((f"people[{person.id}].unit", f"unknown unit {person.unit}"))
            elif self.units[person.unit].kind is UnitKind.PARTNER:
                errors.append((f"people[{person.id}].unit", "people belong to police units"))
        if errors:
            raise InvalidInputs(errors)

    def person(self, person_id: str, field: str = "actor") -> Person:
        """Return the person; raises :class:`InvalidInput` naming ``field`` if not on the roster."""
        try:
            return self.people[person_id]
        except KeyError:
            raise InvalidInput(field, f"{person_id} is not on the roster") from None

    def unit(self, code: str, kind: UnitKind, field: str) -> Unit:
        """Return the unit of that kind; raises :class:`InvalidInput` naming ``field`` otherwise."""
        unit = self.units.get(code)
        if unit is None or unit.kind is not kind:
            raise InvalidInput(field, f"{code} is not a {kind} unit on the roster")
        return unit

    def ancestor(self, code: str, kind: UnitKind) -> Unit | None:
        """Return the unit of ``kind`` at or above ``code``, or None."""
        unit = self.units.get(code)
        while unit is not None and unit.kind is not kind:
            unit = self.units.get(unit.parent) if unit.parent else None
        return unit

    def as_rows(self) -> tuple[list[dict[str, str | None]], list[dict[str, str]]]:
        """Return plain rows (for the RosterLoaded event): units and people, in load order."""
        return (
            [u.model_dump(mode="json") for u in self.units.values()],
            [p.model_dump(mode="json") for p in self.people.values()],
        )

    @classmethod
    def from_rows(
        cls, units: Iterable[dict[str, str | None]], people: Iterable[dict[str, str | None]]
    ) -> Roster:
        """Build from plain rows. Raises :class:`InvalidInputs` naming the row and field."""
        errors: list[tuple[str, str]] = []
        parsed_units: list[Unit] = []
        parsed_people: list[Person] = []
        for line, row in enumerate(units, start=2):
            clean = {k: (v or None) if k == "parent" else v for k, v in row.items()}
            try:
                parsed_units.append(Unit.model_validate(clean))
            except ValidationError as exc:
                errors.extend(_row_errors("units.csv", line, exc))
        for line, prow in enumerate(people, start=2):
            try:
                parsed_people.append(Person.model_validate(prow))
            except ValidationError as exc:
                errors.extend(_row_errors("people.csv", line, exc))
        if errors:
            raise InvalidInputs(errors)
        return cls(parsed_units, parsed_people)

    @classmethod
    def from_csv(cls, units_csv: str, people_csv: str) -> Roster:
        """Parse the two CSV texts (UTF-8, optional BOM, header row). Raises InvalidInputs."""
        return cls.from_rows(
            _read_csv(units_csv, "units.csv", ("code", "name", "kind", "parent")),
            _read_csv(people_csv, "people.csv", ("id", "name", "role", "unit")),
        )


def _read_csv(text: str, name: str, columns: tuple[str, ...]) -> list[dict[str, str | None]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        if tuple(reader.fieldnames or ()) != columns:
            got = reader.fieldnames
            raise InvalidInput(name, f"header must be {','.join(columns)}, got {got}")
        return [{k: (v.strip() if v else v) for k, v in row.items()} for row in reader]
    except csv.Error as exc:  # e.g. a field over the csv module's size limit
        raise InvalidInput(
            name, f"line {reader.line_num}: not a readable CSV row ({exc})"
        ) from None


def _row_errors(name: str, line: int, exc: ValidationError) -> list[tuple[str, str]]:
    return [
        (f"{name} line {line} {'.'.join(str(p) for p in err['loc'])}", err["msg"])
        for err in exc.errors()
    ]
