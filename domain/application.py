"""The application service: the only place that loads and saves aggregates.

``DisputesApp.execute(command)`` checks the roster, the policy and the actor's role, loads the
case, lets the aggregate apply its rules, and saves — retrying a bounded number of times when
another writer changed the case at the same moment (every rule is re-checked against the new
state). A command id already recorded answers as the first time and records nothing new
(for ``report`` this needs a :class:`CommandLookup`, which the store wires
in; on the other verbs the case itself remembers its command ids).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError

from disputes.domain import commands as c
from disputes.domain.clock import SHANGHAI, Clock, local_iso, system_clock
from disputes.domain.commands import RecordedCommand
from disputes.domain.errors import (
    CaseNotFound,
    CommandIdReused,
    ConcurrentModification,
    InvalidInput,
    NotFound,
    RoleNotAllowed,
)
from disputes.domain.model import (
    VERB_EVENTS,
    CaseNumbers,
    Dispute,
    PolicyRecord,
    RosterRecord,
    dispute_id,
    policy_id,
    sequence_id,
)
from disputes.domain.policy import Policy, load_policy
from disputes.domain.roster import POLICE_ROLES, Role, Roster, UnitKind

ATTEMPTS = 5
"""How many times a command is tried when another writer wins the race (then exit 4)."""


class CommandLookup(Protocol):
    """Finds the case a command id recorded (a read model, caught up before answering)."""

    def find_command(self, command_id: str) -> RecordedCommand | None: ...


@dataclass(frozen=True)
class Outcome:
    """The answer to a command: the case, the recorded event and the case's state after it.

    ``duplicate`` is True when the command id had been recorded before and nothing new was
    stored. ``referral`` is the number of a new referral (``refer`` only).
    """

    case_no: str
    verb: str
    event: str | None
    version: int
    status: str
    grade: str | None
    duplicate: bool = False
    referral: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "case_no": self.case_no,
            "verb": self.verb,
            "event": self.event,
            "version": self.version,
            "status": self.status,
            "grade": self.grade,
            "duplicate": self.duplicate,
            "referral": self.referral,
        }


class DisputesApp(Application[UUID]):
    """The disputes application. ``env`` selects the store (eventsourcing's persistence keys)."""

    name = "disputes"
    snapshotting_intervals = {Dispute: 100, CaseNumbers: 100}  # noqa: RUF012 (library API)

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        policy: Policy | None = None,
        clock: Clock = system_clock,
        commands: CommandLookup | None = None,
    ) -> None:
        super().__init__(env)
        self.policy = policy or load_policy()
        self.clock = clock
        self.command_lookup = commands
        self._roster: Roster | None = None
        self._policy_adopted = False

    def forget_unsaved(self) -> None:
        """Forget what this application assumed a save had stored (the policy record), after a
        batch of saves was abandoned: the next command checks the store again."""
        self._policy_adopted = False

    # -- roster --------------------------------------------------------------------------------

    @property
    def roster(self) -> Roster:
        """The roster in force (read once per application; ``load_roster`` refreshes it).

        Raises :class:`InvalidInput` (field ``roster``) when none was loaded yet.
        """
        if self._roster is None:
            try:
                record: RosterRecord = self.repository.get(RosterRecord.ID)
            except AggregateNotFoundError:
                raise InvalidInput(
                    "roster", "no roster loaded; run `disputes roster load --units … --people …`"
                ) from None
            self._roster = Roster.from_rows(record.units, record.people)
        return self._roster

    def load_roster(self, roster: Roster, actor: str | None = None) -> bool:
        """Record the roster when it differs from the one in force. Returns True if recorded."""
        units, people = roster.as_rows()
        digest = hashlib.sha256(
            json.dumps([units, people], sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()
        try:
            record: RosterRecord = self.repository.get(RosterRecord.ID)
        except AggregateNotFoundError:
            record = RosterRecord()
        if not record.load(units=units, people=people, digest=digest, actor=actor):
            return False
        self.save(record)
        self._roster = roster
        return True

    # -- reads ---------------------------------------------------------------------------------

    def get_case(self, case_no: str, version: int | None = None) -> Dispute:
        """Replay a case (at ``version``, default latest). Raises :class:`CaseNotFound`."""
        try:
            dispute: Dispute = self.repository.get(dispute_id(case_no), version=version)
        except AggregateNotFoundError:
            raise CaseNotFound(case_no) from None
        return dispute

    def get_policy_text(self, version: str) -> str:
        """The exact text of a policy version as stored when first used.

        Raises :class:`NotFound` when no event was ever recorded under that version.
        """
        try:
            record: PolicyRecord = self.repository.get(policy_id(version))
        except AggregateNotFoundError:
            msg = f"policy version {version} was never used in this store"
            raise NotFound(msg) from None
        return record.text

    def _adopt_policy(self) -> PolicyRecord | None:
        """A new PolicyRecord to save with the first event recorded under this policy version."""
        if self._policy_adopted:
            return None
        try:
            self.repository.get(policy_id(self.policy.version))
        except AggregateNotFoundError:
            return PolicyRecord(version=self.policy.version, text=self.policy.text)
        self._policy_adopted = True
        return None

    # -- writes --------------------------------------------------------------------------------

    def execute(self, command: c.Command) -> Outcome:
        """Validate and record one command; see the module docstring.

        Raises InvalidInput/InvalidInputs (exit 2), CaseNotFound/ReferralNotFound (3),
        a RuleViolation subclass (1) or ConcurrentModification (4). Nothing is stored on error.
        """
        earlier = self._earlier_answer(command)
        if earlier is not None:
            return earlier
        self._check_references(command)
        for _attempt in range(ATTEMPTS):
            try:
                if isinstance(command, c.Report):
                    return self._report(command)
                assert isinstance(command, c.CaseCommand)
                return self._act(command)
            except IntegrityError:
                continue
        msg = (
            f"another officer changed the case at the same time {ATTEMPTS} times; "
            "nothing was recorded — retry the command"
        )
        raise ConcurrentModification(msg)

    def _earlier_answer(self, command: c.Command) -> Outcome | None:
        """The first answer when this command id was recorded before (checked before the
        roster and the clock, so a re-run answers the same after the roster changed)."""
        if isinstance(command, c.Report):
            if self.command_lookup is None:
                return None
            earlier = self.command_lookup.find_command(command.command_id)
            return None if earlier is None else self._duplicate(earlier.case_no, command)
        assert isinstance(command, c.CaseCommand)
        try:
            dispute = self.get_case(command.case)
        except CaseNotFound:
            return None
        if dispute.answer_of(command.command_id) is None:
            return None
        return self._duplicate(dispute.case_no, command)

    def _meta(self, command: c.Command) -> dict[str, Any]:
        return {
            "actor": command.actor,
            "occurred_at": command.at,
            "policy_version": self.policy.version,
            "command_id": command.command_id,
        }

    def _report(self, command: c.Report) -> Outcome:
        if self.command_lookup is not None:
            earlier = self.command_lookup.find_command(command.command_id)
            if earlier is not None:
                return self._duplicate(earlier.case_no, command)
        village = self.roster.units[command.village]
        station = self.roster.ancestor(village.code, UnitKind.STATION)
        district = self.roster.ancestor(village.code, UnitKind.DISTRICT)
        assert station is not None  # guaranteed by Roster validation
        assert district is not None
        year = command.at.astimezone(SHANGHAI).year
        try:
            numbers: CaseNumbers = self.repository.get(sequence_id(district.code, year))
        except AggregateNotFoundError:
            numbers = CaseNumbers(district=district.code, year=year)
        case_no = numbers.allocate()
        dispute = Dispute(
            case_no=case_no,
            category=command.category,
            source=command.source,
            district=district.code,
            station=station.code,
            village=village.code,
            summary=command.summary,
            parties=[p.model_dump() for p in command.parties],
            people_involved=command.people_involved,
            **self._meta(command),
        )
        self.save(numbers, dispute, self._adopt_policy())
        return Outcome(case_no, "report", "Reported", dispute.version, dispute.status, None)

    def _duplicate(self, case_no: str, command: c.Command) -> Outcome:
        """Answer a command id recorded before exactly as the first time; nothing is stored.

        Raises CommandIdReused when the id recorded a different verb.
        """
        dispute = self.get_case(case_no)
        answer = dispute.answer_of(command.command_id)
        if answer is None or answer[0] != command.verb:
            first = answer[0] if answer else "another command"
            raise CommandIdReused(command.command_id, f"`{first}` on {case_no}")
        verb, version, status, grade, referral = answer
        return Outcome(
            case_no,
            verb,
            VERB_EVENTS[verb],
            version,
            status,
            grade,
            duplicate=True,
            referral=referral,
        )

    def _act(self, command: c.CaseCommand) -> Outcome:
        dispute = self.get_case(command.case)
        if dispute.answer_of(command.command_id) is not None:
            return self._duplicate(dispute.case_no, command)
        if self.command_lookup is not None:
            other = self.command_lookup.find_command(command.command_id)
            if other is not None:
                raise CommandIdReused(command.command_id, f"`{other.verb}` on {other.case_no}")
        referral = self._decide(dispute, command)
        recorded = type(dispute.pending_events[-1]).__name__
        self.save(dispute, self._adopt_policy())
        return Outcome(
            dispute.case_no,
            command.verb,
            recorded,
            dispute.version,
            dispute.status,
            dispute.grade,
            referral=referral,
        )

    def _decide(self, dispute: Dispute, command: c.CaseCommand) -> int | None:
        """Call the aggregate method of the command (the aggregate raises on a broken rule)."""
        meta = self._meta(command)
        match command:
            case c.Grade():
                dispute.grade_risk(command.grade, command.reason, list(command.signals), **meta)
            case c.Assign():
                dispute.assign(
                    command.leader, command.officer, command.auxiliary, command.grid_worker, **meta
                )
            case c.Deliberate():
                dispute.deliberate(command.plan, list(command.attendees), **meta)
            case c.Visit():
                dispute.visit(command.mode, command.note, **meta)
            case c.Mediate():
                dispute.mediate(command.note, command.result, list(command.with_units), **meta)
            case c.Refer():
                return dispute.refer(command.to, command.reason, **meta)
            case c.RecordReceipt():
                dispute.record_receipt(command.referral, command.outcome, command.note, **meta)
            case c.Escalate():
                dispute.escalate(command.reason, **meta)
            case c.Downgrade():
                dispute.downgrade(command.reason, **meta)
            case c.Resolve():
                days = command.observe_days or self.policy.observation.default_days
                dispute.resolve(command.agreement, command.form, days, **meta)
            case c.FollowUp():
                dispute.follow_up(command.mode, command.note, **meta)
            case c.Relapse():
                dispute.relapse(command.grade, command.reason, **meta)
            case c.Close():
                gap = self.policy.observation.follow_up_max_gap_days
                dispute.close(command.note, gap, **meta)
            case c.Supervise():
                dispute.supervise(command.level, command.note, **meta)
            case c.AnswerSupervision():
                dispute.answer_supervision(command.note, **meta)
            case _:  # pragma: no cover - COMMANDS and this match are kept in step by tests
                msg = f"no handler for {command.verb}"
                raise NotImplementedError(msg)
        return None

    # -- checks that need the roster and the policy, before any state is touched ----------------

    def _check_references(self, command: c.Command) -> None:
        roster, policy = self.roster, self.policy
        actor = roster.person(command.actor, "actor")
        if actor.role not in command.roles:
            raise RoleNotAllowed(
                actor.id, actor.role, command.verb, [str(r) for r in command.roles]
            )
        skew = timedelta(minutes=policy.time.clock_skew_minutes)
        now = self.clock()
        if command.at > now + skew:
            raise InvalidInput(
                "at", f"{local_iso(command.at)} lies in the future (now {local_iso(now)})"
            )
        match command:
            case c.Report():
                roster.unit(command.village, UnitKind.VILLAGE, "village")
                _in_policy("category", command.category, policy.categories)
                _in_policy("source", command.source, policy.sources)
            case c.Grade():
                for signal in command.signals:
                    _in_policy("signals", signal, policy.signals)
            case c.Assign():
                _with_role(roster, command.leader, "leader", (Role.LEADER,))
                _with_role(roster, command.officer, "officer", POLICE_ROLES)
                if command.auxiliary:
                    _with_role(roster, command.auxiliary, "auxiliary", (Role.AUXILIARY_POLICE,))
                if command.grid_worker:
                    _with_role(roster, command.grid_worker, "grid_worker", (Role.GRID_WORKER,))
            case c.Deliberate():
                for attendee in command.attendees:
                    roster.person(attendee, "attendees")
            case c.Mediate():
                for unit in command.with_units:
                    roster.unit(unit, UnitKind.PARTNER, "with_units")
            case c.Refer():
                roster.unit(command.to, UnitKind.PARTNER, "to")
            case c.Resolve():
                minimum = policy.observation.minimum_days
                if command.observe_days is not None and command.observe_days < minimum:
                    raise InvalidInput(
                        "observe_days",
                        f"{command.observe_days} is under the policy minimum of {minimum} days",
                    )
            case _:
                pass


def _in_policy(field: str, value: str, allowed: Mapping[str, Any]) -> None:
    if value not in allowed:
        raise InvalidInput(field, f"'{value}' is not in the policy; known: {', '.join(allowed)}")


ROLE_NAMES = {
    Role.LEADER: "a leader",
    Role.COMMUNITY_POLICE: "a community police officer",
    Role.AUXILIARY_POLICE: "an auxiliary officer",
    Role.GRID_WORKER: "a grid worker",
}


def _with_role(roster: Roster, person_id: str, field: str, roles: tuple[Role, ...]) -> None:
    """Raise InvalidInput naming ``field`` unless the person is on the roster in ``roles``."""
    person = roster.person(person_id, field)
    if person.role not in roles:
        wanted = " or ".join(ROLE_NAMES[r] for r in roles)
        raise InvalidInput(field, f"{person_id} is {ROLE_NAMES[person.role]}, not {wanted}")
