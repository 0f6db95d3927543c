"""The roster: jurisdiction units (district → station → village → grid, plus partner units) and
the people who act on cases, with their roles.

Loaded from two CSV files (``units.csv``: ``code,name,kind,parent[,officer]``; ``people.csv``:
``id,name,role,unit``), validated as a whole, and recorded as a ``RosterLoaded`` event so that the
roster in force at any time can be replayed. A station may divide its villages into sectors (包片,
kind ``sector``), each owned by a community officer (the ``officer`` column, sectors only).
"""

from __future__ import annotations

import copy
import csv
import io
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from disputes.domain.clock import SHANGHAI as SHANGHAI_TZ
from disputes.domain.errors import InvalidInput, InvalidInputs
from disputes.domain.text import invisible_only, text_problem


class UnitKind(StrEnum):
    DISTRICT = "district"
    STATION = "station"
    SECTOR = "sector"
    VILLAGE = "village"
    GRID = "grid"
    PARTNER = "partner"


class Role(StrEnum):
    """Roster roles (glossary): 分包责任领导, 社区民警, 专职辅警, 网格员/治安信息员, and the roles
    of issue 11 and 13 (auditor, administrators, finance, enrolled informants)."""

    LEADER = "leader"
    COMMUNITY_POLICE = "community-police"
    AUXILIARY_POLICE = "auxiliary-police"
    GRID_WORKER = "grid-worker"
    AUDITOR = "auditor"
    SYSTEM_ADMIN = "system-admin"
    SECURITY_ADMIN = "security-admin"
    AUDIT_ADMIN = "audit-admin"
    FINANCE = "finance"
    INFORMANT = "informant"
    """治安信息员 enrolled beside the grid workers (issue 13): the person id is the informant
    code; an informant acts on no case and reads none (their reports come through the police)."""


POLICE_ROLES = (Role.LEADER, Role.COMMUNITY_POLICE, Role.AUXILIARY_POLICE)
"""product.md §2: 'Police roles: leader, community-police, auxiliary-police.'"""

INFORMANT_ROLES = (Role.GRID_WORKER, Role.INFORMANT)
"""Who may be a case's informant (issue 13): grid workers by default, and enrolled informants."""

CASE_ROLES = (*POLICE_ROLES, Role.GRID_WORKER)
"""The roles that act on cases at all (a grid worker only reports); the rest — the auditor,
the three administrators, finance — act on none (docs/trust.md §1)."""

PARENT_KIND: dict[UnitKind, tuple[UnitKind, ...]] = {
    UnitKind.DISTRICT: (),
    UnitKind.STATION: (UnitKind.DISTRICT,),
    UnitKind.SECTOR: (UnitKind.STATION,),
    UnitKind.VILLAGE: (UnitKind.STATION, UnitKind.SECTOR),
    UnitKind.GRID: (UnitKind.VILLAGE,),
    UnitKind.PARTNER: (UnitKind.DISTRICT,),
}
"""The kinds a unit's parent may be: a village lies under a station or a sector of it."""

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
    officer: Code | None = None
    """The community officer who owns a sector (包片); sectors only."""


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
            wants = PARENT_KIND[unit.kind]
            want = " or ".join(str(kind) for kind in wants)
            parent = self.units.get(unit.parent) if unit.parent else None
            if not wants and unit.parent:
                errors.append((f"units[{unit.code}].parent", "a district has no parent"))
            elif wants and parent is None:
                errors.append((f"units[{unit.code}].parent", f"needs an existing {want} unit"))
            elif wants and parent is not None and parent.kind not in wants:
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
        for unit in units:
            if unit.officer is None:
                continue
            owner = self.people.get(unit.officer)
            if unit.kind is not UnitKind.SECTOR:
                errors.append((f"units[{unit.code}].officer", "only a sector has an officer"))
            elif owner is None:
                errors.append((f"units[{unit.code}].officer", f"unknown person {unit.officer}"))
            elif owner.role is not Role.COMMUNITY_POLICE:
                errors.append(
                    (f"units[{unit.code}].officer", f"{owner.id} is not a community officer")
                )
        if errors:
            raise InvalidInputs(errors)

    def sectors_of(self, officer: str) -> list[Unit]:
        """The sectors (包片) a community officer owns, in roster order."""
        return [u for u in self.units.values() if u.officer == officer]

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
            [_unit_row(u) for u in self.units.values()],
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
            clean = {k: (v or None) if k in ("parent", "officer") else v for k, v in row.items()}
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
            _read_csv(units_csv, "units.csv", UNIT_COLUMNS, UNIT_COLUMNS[:4]),
            _read_csv(people_csv, "people.csv", ("id", "name", "role", "unit")),
        )


UNIT_COLUMNS = ("code", "name", "kind", "parent", "officer")
"""``units.csv``'s columns; ``officer`` (a sector's community officer) may be left out."""


def _unit_row(unit: Unit) -> dict[str, str | None]:
    """A unit as a plain row; ``officer`` only when set, so a roster without sectors records
    (and digests) exactly as before sectors existed."""
    row: dict[str, str | None] = unit.model_dump(mode="json")
    if row.get("officer") is None:
        row.pop("officer", None)
    return row


def _read_csv(
    text: str, name: str, columns: tuple[str, ...], *shorter: tuple[str, ...]
) -> list[dict[str, str | None]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        if tuple(reader.fieldnames or ()) not in (columns, *shorter):
            got = reader.fieldnames
            want = " or ".join(",".join(c) for c in (*shorter, columns))
            raise InvalidInput(name, f"header must be {want}, got {got}")
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


BEGINNING = datetime(1900, 1, 1, tzinfo=UTC)
"""When the first whole roster takes effect: before any occurred time a command may carry."""

CHANGE_KINDS = ("loaded", "person-added", "person-transferred", "person-departed", "village-moved")


@dataclass(frozen=True)
class RosterChange:
    """One recorded change of the roster (a ``RosterRecord`` event), in force from
    ``effective_at``: ``loaded`` (``units``, ``people``: the whole roster), ``person-added``
    (``person``: a row), ``person-transferred`` (``person_id``, ``unit``), ``person-departed``
    (``person_id``) or ``village-moved`` (``village``, ``parent``)."""

    effective_at: datetime
    kind: str
    data: dict[str, Any] = field(default_factory=dict)
    recorded_at: datetime | None = None


class RosterHistory:
    """The roster as it stood at any time (issue 11 §1: jurisdiction is judged with the roster
    of the command's occurred time). Changes apply in effective order (recording order among
    equal times); a whole load replaces everything before it."""

    def __init__(self, changes: Sequence[RosterChange]) -> None:
        self.changes = sorted(changes, key=lambda change: change.effective_at)  # stable
        self._times = [change.effective_at for change in self.changes]
        self._rosters: dict[int, Roster] = {}

    def __bool__(self) -> bool:
        return bool(self.changes)

    def at(self, when: datetime) -> Roster:
        """The roster in force at ``when``. Raises :class:`InvalidInput` (field ``roster``)
        when none was loaded by then."""
        index = bisect_right(self._times, when) - 1
        if index < 0:
            raise InvalidInput(
                "roster", "no roster loaded; run `disputes roster load --units … --people …`"
            )
        return self._roster(index)

    def known(self, person_id: str) -> bool:
        """Whether ``person_id`` is on the roster at any time."""
        for change in self.changes:
            if change.kind == "loaded" and any(
                p.get("id") == person_id for p in change.data["people"]
            ):
                return True
            if change.kind == "person-added" and change.data["person"].get("id") == person_id:
                return True
        return False

    def name_of(self, person_id: str) -> str | None:
        """The name a person had on the roster, at any time (the latest recorded)."""
        name = None
        for change in self.changes:
            rows = change.data.get("people", []) if change.kind == "loaded" else []
            if change.kind == "person-added":
                rows = [change.data["person"]]
            for row in rows:
                if row.get("id") == person_id:
                    name = row.get("name")
        return name

    def departures(self) -> dict[str, datetime]:
        """Person id → when they left (the latest departure of each)."""
        return {
            c.data["person_id"]: c.effective_at for c in self.changes if c.kind == "person-departed"
        }

    def with_change(self, change: RosterChange) -> RosterHistory:
        """This history with ``change`` added, every roster from its effective time on
        validated. Raises :class:`InvalidInput`/:class:`InvalidInputs` naming the problem."""
        if not self.changes and change.kind != "loaded":
            raise InvalidInput(
                "roster", "no roster loaded; run `disputes roster load --units … --people …`"
            )
        if change.kind == "person-departed":
            self._not_departed(change.data["person_id"], change.effective_at)
        history = RosterHistory([*self.changes, change])
        first = history.changes.index(change)
        for index in range(first, len(history.changes)):
            history._roster(index)
        return history

    def _not_departed(self, person_id: str, when: datetime) -> None:
        """Raise InvalidInput (field ``person``) saying when ``person_id`` left, when they
        departed by ``when`` and were not on the roster again since."""
        left = [
            c.effective_at
            for c in self.changes
            if c.kind == "person-departed"
            and c.data["person_id"] == person_id
            and c.effective_at <= when
        ]
        if not left or person_id in self.at(when).people:
            return
        since = max(left).astimezone(SHANGHAI_TZ).strftime("%Y-%m-%d %H:%M")
        raise InvalidInput(
            "person",
            f"{person_id} already departed (in force from {since}); nothing to record",
            zh=f"{person_id} 已于 {since} 离职，无需再次记录",
        )

    def _roster(self, index: int) -> Roster:
        roster = self._rosters.get(index)
        if roster is None:
            units, people = self._rows(index)
            roster = Roster.from_rows(units, people)
            self._rosters[index] = roster
        return roster

    def _rows(self, index: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        start = index
        while start > 0 and self.changes[start].kind != "loaded":
            start -= 1
        units: list[dict[str, Any]] = []
        people: list[dict[str, Any]] = []
        for change in self.changes[start : index + 1]:
            data = change.data
            when = change.effective_at.astimezone(SHANGHAI_TZ).strftime("%Y-%m-%d %H:%M")
            if change.kind == "loaded":
                units = copy.deepcopy(data["units"])
                people = copy.deepcopy(data["people"])
            elif change.kind == "person-added":
                people.append(dict(data["person"]))
            elif change.kind in ("person-transferred", "person-departed"):
                found = [p for p in people if p.get("id") == data["person_id"]]
                if not found:
                    raise InvalidInput(
                        "person", f"{data['person_id']} is not on the roster at {when}"
                    )
                if change.kind == "person-transferred":
                    found[0]["unit"] = data["unit"]
                else:
                    people.remove(found[0])
            elif change.kind == "village-moved":
                moved = [u for u in units if u.get("code") == data["village"]]
                if not moved or moved[0].get("kind") != UnitKind.VILLAGE:
                    raise InvalidInput("village", f"{data['village']} is not a village at {when}")
                moved[0]["parent"] = data["parent"]
        return units, people
