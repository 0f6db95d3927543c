"""The aggregates beside the disputes: the case-number sequence of a district and year, the
roster as recorded, and each policy version as first used."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from disputes.domain.errors import InvalidInput
from disputes.domain.roster import BEGINNING, RosterChange
from disputes.domain.values import NAMESPACE


class CaseNumbers(Aggregate):
    """The case-number sequence of one district and year: ``HY-2021-0001``, ``HY-2021-0002`` …

    Saved in the same transaction as the case's ``Reported`` event, so two concurrent reports
    cannot take the same number (the loser meets a version conflict and retries).
    """

    TOPIC: ClassVar[str] = "disputes:CaseNumbers"

    class Event(Aggregate.Event):
        TOPIC = "disputes:CaseNumbers.Event"

    class Started(Event, Aggregate.Created):
        TOPIC = "disputes:CaseNumbers.Started"
        district: str
        year: int

    class Allocated(Event):
        TOPIC = "disputes:CaseNumbers.Allocated"
        number: int

    @staticmethod
    def create_id(district: str, year: int) -> UUID:
        return sequence_id(district, year)

    @event(Started)
    def __init__(self, district: str, year: int) -> None:
        self.district = district
        self.year = year
        self.last = 0

    def allocate(self) -> str:
        """Take the next number; returns the case number ``<district>-<year>-<NNNN>``."""
        self._allocated(number=self.last + 1)
        return f"{self.district}-{self.year}-{self.last:04d}"

    @event(Allocated)
    def _allocated(self, number: int) -> None:
        self.last = number


def sequence_id(district: str, year: int) -> UUID:
    """The aggregate id of a district's case-number sequence for one year."""
    return uuid5(NAMESPACE, f"case-numbers:{district}:{year}")


class RosterRecord(Aggregate):
    """The roster as recorded: each load that changes it is one ``Loaded`` event; a person
    joining, moving or leaving and a village moving station are events of their own, each with
    the time it takes effect (``effective_at``, issue 11 §1). The roster in force at any time is
    :class:`~disputes.domain.roster.RosterHistory`, built from these events."""

    TOPIC: ClassVar[str] = "disputes:Roster"
    ID: ClassVar[UUID] = uuid5(NAMESPACE, "roster")

    class Event(Aggregate.Event):
        TOPIC = "disputes:Roster.Event"

    class Started(Event, Aggregate.Created):
        TOPIC = "disputes:Roster.Started"

    class Loaded(Event):
        """A whole roster. The first is in force from the beginning; a later one from its
        ``effective_at`` (None, as on every load before issue 11: from when it was recorded)."""

        TOPIC = "disputes:Roster.Loaded"
        units: list[dict[str, Any]]
        people: list[dict[str, Any]]
        digest: str
        actor: str | None
        effective_at: datetime | None = None

    class PersonAdded(Event):
        TOPIC = "disputes:Roster.PersonAdded"
        person: dict[str, Any]
        """The roster row: ``id``, ``name``, ``role``, ``unit``."""
        effective_at: datetime
        actor: str | None

    class PersonTransferred(Event):
        TOPIC = "disputes:Roster.PersonTransferred"
        person_id: str
        unit: str
        effective_at: datetime
        actor: str | None

    class PersonDeparted(Event):
        TOPIC = "disputes:Roster.PersonDeparted"
        person_id: str
        effective_at: datetime
        actor: str | None

    class VillageMoved(Event):
        TOPIC = "disputes:Roster.VillageMoved"
        village: str
        parent: str
        """The village's new station or sector."""
        effective_at: datetime
        actor: str | None

    @staticmethod
    def create_id() -> UUID:
        return RosterRecord.ID

    @event(Started)
    def __init__(self) -> None:
        self.units: list[dict[str, Any]] = []
        self.people: list[dict[str, Any]] = []
        self.digest = ""

    def load(
        self,
        units: list[dict[str, Any]],
        people: list[dict[str, Any]],
        digest: str,
        actor: str | None,
        effective_at: datetime | None = None,
    ) -> bool:
        """Record a new roster; returns False (and records nothing) when unchanged."""
        if digest == self.digest:
            return False
        self._loaded(
            units=units, people=people, digest=digest, actor=actor, effective_at=effective_at
        )
        return True

    @event(Loaded)
    def _loaded(
        self,
        units: list[dict[str, Any]],
        people: list[dict[str, Any]],
        digest: str,
        actor: str | None,
        effective_at: datetime | None = None,
    ) -> None:
        self.units = units
        self.people = people
        self.digest = digest

    def change(self, change: RosterChange, actor: str | None) -> None:
        """Record one change of the roster (validated by the application beforehand)."""
        data, when = change.data, change.effective_at
        if change.kind == "person-added":
            self.add_person(person=data["person"], effective_at=when, actor=actor)
        elif change.kind == "person-transferred":
            self.transfer_person(
                person_id=data["person_id"], unit=data["unit"], effective_at=when, actor=actor
            )
        elif change.kind == "person-departed":
            self.depart_person(person_id=data["person_id"], effective_at=when, actor=actor)
        elif change.kind == "village-moved":
            self.move_village(
                village=data["village"], parent=data["parent"], effective_at=when, actor=actor
            )
        else:
            raise InvalidInput("change", f"unknown roster change {change.kind}")

    @event(PersonAdded)
    def add_person(self, person: dict[str, Any], effective_at: datetime, actor: str | None) -> None:
        self.digest = ""  # the next whole load is recorded even when it equals the last one

    @event(PersonTransferred)
    def transfer_person(
        self, person_id: str, unit: str, effective_at: datetime, actor: str | None
    ) -> None:
        self.digest = ""

    @event(PersonDeparted)
    def depart_person(self, person_id: str, effective_at: datetime, actor: str | None) -> None:
        self.digest = ""

    @event(VillageMoved)
    def move_village(
        self, village: str, parent: str, effective_at: datetime, actor: str | None
    ) -> None:
        self.digest = ""


def roster_changes(recorded: Iterable[object]) -> list[RosterChange]:
    """The roster changes of a ``RosterRecord``'s events, each with the time it takes effect:
    the first whole load from the beginning, a later one from its ``effective_at`` (or, for
    loads recorded before issue 11, when it was recorded)."""
    changes: list[RosterChange] = []
    for event_ in recorded:
        kind: str
        data: dict[str, Any]
        if isinstance(event_, RosterRecord.Loaded):
            first = not any(change.kind == "loaded" for change in changes)
            since = BEGINNING if first else event_.effective_at or event_.timestamp
            kind, data = "loaded", {"units": event_.units, "people": event_.people}
        elif isinstance(event_, RosterRecord.PersonAdded):
            since, kind, data = event_.effective_at, "person-added", {"person": event_.person}
        elif isinstance(event_, RosterRecord.PersonTransferred):
            since, kind = event_.effective_at, "person-transferred"
            data = {"person_id": event_.person_id, "unit": event_.unit}
        elif isinstance(event_, RosterRecord.PersonDeparted):
            since, kind = event_.effective_at, "person-departed"
            data = {"person_id": event_.person_id}
        elif isinstance(event_, RosterRecord.VillageMoved):
            since, kind = event_.effective_at, "village-moved"
            data = {"village": event_.village, "parent": event_.parent}
        else:
            continue
        changes.append(RosterChange(since, kind, data, event_.timestamp))
    return changes


class PolicyRecord(Aggregate):
    """One policy version as first used: its exact text, so ``policy show --version V`` can
    print what was in force when an event was recorded."""

    TOPIC: ClassVar[str] = "disputes:Policy"

    class Event(Aggregate.Event):
        TOPIC = "disputes:Policy.Event"

    class Adopted(Event, Aggregate.Created):
        TOPIC = "disputes:Policy.Adopted"
        version: str
        text: str

    @staticmethod
    def create_id(version: str, **_: Any) -> UUID:
        return policy_id(version)

    @event(Adopted)
    def __init__(self, version: str, text: str) -> None:
        self.policy_version = version
        self.text = text


def policy_id(version: str) -> UUID:
    """The aggregate id of a policy version."""
    return uuid5(NAMESPACE, f"policy:{version}")
