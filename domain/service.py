"""What every verb of the application shares, and how a verb is declared.

A verb is an application method declared with ``@handles(CommandModel)``
(:mod:`disputes.domain.application`). Around each, :func:`handles` does what all verbs share:

- a command id already recorded answers as the first time and records nothing new (for
  ``report`` this needs a :class:`CommandLookup`, which the store wires in; on the other verbs
  the case itself remembers its command ids);
- the actor must be on the roster (as it stood at the occurred time) in one of the command's
  ``roles``, and the occurred time may not lie in the future (the policy's clock skew aside);
- each verb loads its case with :meth:`CommandService.case_for`, which judges the actor's
  jurisdiction (:func:`disputes.domain.jurisdiction.check_act`) with the roster of the
  command's occurred time — so a replay re-proves it (``report`` judges its village);
- when another writer changed the case at the same moment the whole verb is tried again, a
  bounded number of times (every rule is re-checked against the new state), then
  :class:`ConcurrentModification`.

Longer than 400 lines on purpose: it is what every verb shares — command ids and their retries,
the actor and the time, the roster as it stood at the occurred time (issue 11) and the policy —
and a reader checking what happens around a verb finds it all in one place.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, Protocol, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError
from pydantic import BaseModel

from disputes.domain import commands as c
from disputes.domain.access import AccessEntry
from disputes.domain.clock import Clock, local_iso, system_clock
from disputes.domain.commands import RecordedCommand
from disputes.domain.errors import (
    CaseNotFound,
    CommandIdReused,
    ConcurrentModification,
    InvalidInput,
    NotFound,
    RoleNotAllowed,
    StoreError,
)
from disputes.domain.jurisdiction import CaseScope, check_act, check_on_roster
from disputes.domain.model import VERB_EVENTS, Dispute, dispute_id
from disputes.domain.policy import Policy, load_policy
from disputes.domain.records import (
    CaseNumbers,
    PolicyRecord,
    RosterRecord,
    policy_id,
    roster_changes,
)
from disputes.domain.roster import Roster, RosterChange, RosterHistory
from disputes.domain.values import Meta

_OS_USER: ContextVar[str | None] = ContextVar("os_user", default=None)
"""The operating-system account of the command being executed (local mode), for its event."""

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
    reward: str | None = None
    """The reward number (the reward verbs of issue 13; ``status`` is then the reward's)."""

    def as_json(self) -> dict[str, Any]:
        """``--json`` of a write verb: every field, by name."""
        return asdict(self)


C = TypeVar("C", bound=c.Command)
S = TypeVar("S", bound="CommandService")
Handler = Callable[[S, C], Outcome]
HANDLERS: dict[type[c.Command], Handler[Any, Any]] = {}
"""Command model → the application method that handles it (filled by :func:`handles`)."""


def handles(kind: type[C]) -> Callable[[Handler[S, C]], Handler[S, C]]:
    """Declare an application method as the handler of command model ``kind``, and wrap it in
    what every verb shares (see the module docstring). Raises InvalidInput/InvalidInputs,
    CaseNotFound/ReferralNotFound, a RuleViolation or ConcurrentModification; nothing is
    stored on error."""

    def declare(method: Handler[S, C]) -> Handler[S, C]:
        @wraps(method)
        def handle(app: S, command: C) -> Outcome:
            earlier = app.earlier_answer(command)
            if earlier is not None:
                return earlier
            app.check_actor_and_time(command)
            for attempt in range(ATTEMPTS):
                try:
                    if attempt and (earlier := app.earlier_answer(command)) is not None:
                        return earlier  # the writer that won was this command's own retry
                    return method(app, command)
                except IntegrityError:
                    app.recheck_roster()  # the other writer may have changed the roster too
                    continue  # another writer won: reload and decide again
            msg = (
                f"another officer changed the case at the same time {ATTEMPTS} times; "
                "nothing was recorded — retry the command"
            )
            raise ConcurrentModification(msg)

        HANDLERS[kind] = handle
        return handle

    return declare


class CommandService(Application[UUID]):
    """What every verb of the disputes application shares (see the module docstring): the
    policy, the roster, the clock, command ids, saving. ``env`` selects the store
    (eventsourcing's persistence keys)."""

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
        self._roster_history: RosterHistory | None = None
        self._roster_version: int | None = None  # the RosterRecord version the cache was built at
        self._roster_pins = 0
        self._roster_checked = False
        """True while pinned (:meth:`pin_roster`) once the cache was checked against the store."""
        self._policy_adopted = False

    def execute(self, command: c.Command, *, os_user: str | None = None) -> Outcome:
        """Record one command with the method declared for its type (see :func:`handles`).
        ``os_user`` (local mode: the operating-system account that ran it) is recorded beside
        the actor on its event."""
        handler = HANDLERS.get(type(command))
        if handler is None:
            raise InvalidInput("command", f"no application method handles `{command.verb}`")
        token = _OS_USER.set(os_user)
        self.pin_roster()
        try:
            return handler(self, command)
        finally:
            self.unpin_roster()
            _OS_USER.reset(token)

    # -- what every verb shares -----------------------------------------------------------------

    def meta(self, command: c.Command) -> Meta:
        """Who, when, under which policy, for which command: the metadata of its event."""
        return Meta(
            command.actor,
            self.occurred_at(command),
            self.policy.version,
            command.command_id,
            _OS_USER.get(),
        )

    def occurred_at(self, command: c.Command) -> datetime:
        """When the command's event occurred: the time given, or now when none was. A time
        ahead of the clock by no more than the policy's allowance (a device whose clock runs
        fast; later times are refused by :meth:`check_actor_and_time`) is taken as now: it
        cannot have happened later, and it must not hold up officers whose clocks are right."""
        now = self.clock()
        given = command.occurred_at
        return now if given is None or given > now else given

    def check_actor_and_time(self, command: c.Command) -> None:
        """The actor must be on the roster of the occurred time in one of the command's roles
        (RoleNotAllowed; OutOfScope when they had left or not yet joined by then), and the
        occurred time not in the future beyond the policy's clock skew (InvalidInput)."""
        roster = self.roster_for(command)
        if command.actor not in roster.people and self.roster_history.known(command.actor):
            subject = command.case_no if isinstance(command, c.CaseCommand) else ""
            name = self.roster_history.name_of(command.actor)
            check_on_roster(roster, command.actor, command.verb, subject, name)  # raises
        actor = roster.person(command.actor, "actor")
        if actor.role not in command.roles:
            raise RoleNotAllowed(
                actor.id, actor.role, command.verb, [str(r) for r in command.roles], actor.name
            )
        skew = timedelta(minutes=self.policy.time.clock_skew_minutes)
        now = self.clock()
        if command.occurred_at is not None and command.occurred_at > now + skew:
            raise InvalidInput(
                "at", f"{local_iso(command.occurred_at)} lies in the future (now {local_iso(now)})"
            )

    def earlier_answer(self, command: c.Command) -> Outcome | None:
        """The first answer when this command id was recorded before, else None (checked
        before the roster and the clock, so a re-run answers the same after the roster
        changed). Raises CommandIdReused when the id recorded another verb or case."""
        if isinstance(command, c.RewardCommand | c.ProposeReward):
            return self.earlier_reward_answer(command)
        if isinstance(command, c.CaseCommand):
            try:
                case = self.get_case(command.case_no)
            except CaseNotFound:
                case = None
            if case is not None and case.answer_of(command.command_id) is not None:
                return self._duplicate(case, command)
        if self.command_lookup is None:
            return None
        earlier = self.command_lookup.find_command(command.command_id)
        if earlier is None:
            return None
        if isinstance(command, c.CaseCommand):
            raise CommandIdReused(command.command_id, f"`{earlier.verb}` on {earlier.case_no}")
        return self._duplicate(self.get_case(earlier.case_no), command)

    def earlier_reward_answer(self, command: c.Command) -> Outcome | None:
        """The first answer of a reward command recorded before (the reward verbs' own, see
        :class:`~disputes.domain.reward_verbs.RewardVerbs`); here: none."""
        return None

    def _duplicate(self, case: Dispute, command: c.Command) -> Outcome:
        """Answer a retry of a command recorded before exactly as the first time; nothing is
        stored. A retry is the same verb, case and args, by the same actor, at the same
        occurred time when one is given (a defaulted "now" never makes a retry differ).

        Raises CommandIdReused naming what differs when the id recorded another command."""
        answer = case.answer_of(command.command_id)
        if answer is None or answer.verb != command.verb:
            first = answer.verb if answer else "another command"
            raise CommandIdReused(command.command_id, f"`{first}` on {case.case_no}")
        recorded = self.recorded_event(case, answer.version)
        differences = self._differences(command, recorded)
        if differences:
            raise CommandIdReused(
                command.command_id, f"`{answer.verb}` on {case.case_no}", differences
            )
        return Outcome(
            case.case_no,
            answer.verb,
            VERB_EVENTS[answer.verb],
            answer.version,
            answer.status,
            answer.grade,
            duplicate=True,
            referral=answer.referral,
        )

    def recorded_event(self, case: Dispute, version: int) -> Dispute.Event:
        """The event ``case`` recorded at ``version``: from the store (a subclass that holds
        saves back, as a unit of work does, looks there first)."""
        for recorded in self.events.get(case.id, gt=version - 1, lte=version):
            assert isinstance(recorded, Dispute.Event | Dispute.Reported)
            return recorded
        msg = f"{case.case_no} v{version} is not in the store"
        raise LookupError(msg)

    def _differences(self, command: c.Command, recorded: Dispute.Event) -> list[str]:
        """What differs between a command and the event its id recorded: ``field (then → now)``."""
        differences: list[tuple[str, Any, Any]] = []
        if recorded.actor != command.actor:
            differences.append(("actor", recorded.actor, command.actor))
        given = command.occurred_at
        skew = timedelta(minutes=self.policy.time.clock_skew_minutes)
        taken_as_now = recorded.occurred_at >= recorded.timestamp - timedelta(seconds=1)
        if given is not None and given != recorded.occurred_at:
            ahead = given - recorded.occurred_at
            if not (taken_as_now and timedelta(0) < ahead <= skew):
                differences.append(("at", local_iso(recorded.occurred_at), local_iso(given)))
        for name in c.verb_fields(type(command)):
            value = _plain(getattr(command, name))
            if value is not None and hasattr(recorded, name):
                then = _plain(getattr(recorded, name))
                if then is None and value == []:  # a list an older event did not carry
                    continue
                if then != value:
                    differences.append((name, then, value))
        return [f"{name} ({then!r} then, {now!r} now)" for name, then, now in differences]

    def _save_case(
        self,
        command: c.Command,
        case: Dispute,
        *others: Aggregate,
        referral: int | None = None,
    ) -> Outcome:
        """Save the case (with ``others`` and, the first time, the policy record) in one
        transaction, and answer with the recorded event and the case's state after it."""
        event = case.pending_events[-1]
        assert isinstance(event, Dispute.Event)
        self.save(*others, case, self._adopt_policy())
        return Outcome(
            case.case_no,
            command.verb,
            event.name,
            case.version,
            case.status,
            case.current_grade,
            referral=referral,
        )

    # -- roster, policy, reads ------------------------------------------------------------------

    @property
    def roster(self) -> Roster:
        """The roster as it stands now (read once per application; the roster verbs refresh
        it). Raises :class:`InvalidInput` (field ``roster``) when none was loaded yet."""
        return self.roster_at(self.clock())

    def roster_at(self, when: datetime) -> Roster:
        """The roster as it stood at occurred time ``when`` (issue 11 §1)."""
        return self.roster_history.at(when)

    def roster_for(self, command: c.Command) -> Roster:
        """The roster of a command's occurred time: the one its jurisdiction is judged by."""
        return self.roster_at(self.occurred_at(command))

    def case_for(self, command: c.CaseCommand) -> Dispute:
        """The command's case, once the actor's jurisdiction over it is checked with the
        roster of the occurred time. Raises CaseNotFound or OutOfScope."""
        case = self.get_case(command.case_no)
        check_act(self.roster_for(command), command.actor, command.verb, CaseScope.of(case))
        return case

    @property
    def roster_history(self) -> RosterHistory:
        """Every recorded roster change, in force from its effective time."""
        if self._roster_history is not None and self._roster_checked:
            return self._roster_history  # pinned: checked once for this command or batch
        version = self._stored_roster_version()
        if self._roster_history is None or version != self._roster_version:
            # Another process (a `roster depart` beside a running server) may have changed the
            # roster since the cache was built: rebuild when the stored record moved on.
            self._roster_history = RosterHistory(roster_changes(self.events.get(RosterRecord.ID)))
            self._roster_version = version
        self._roster_checked = self._roster_pins > 0
        return self._roster_history

    def pin_roster(self) -> None:
        """From now until :meth:`unpin_roster`, the roster cache is checked against the store
        once, not at every use: one command (or one batch of ``apply``) is judged by one roster.
        Pins nest (a batch pins, and each of its commands)."""
        self._roster_pins += 1

    def unpin_roster(self) -> None:
        """End a :meth:`pin_roster`; after the last one, every use checks the store again."""
        self._roster_pins -= 1
        if self._roster_pins <= 0:
            self._roster_pins = 0
            self._roster_checked = False

    def recheck_roster(self) -> None:
        """Check the roster cache against the store at its next use (another writer won)."""
        self._roster_checked = False

    def _stored_roster_version(self) -> int | None:
        """The RosterRecord's latest stored version (None before any roster): one indexed read
        of one row through the recorder's public API."""
        latest = self.recorder.select_events(RosterRecord.ID, desc=True, limit=1)
        return latest[0].originator_version if latest else None

    def load_roster(
        self, roster: Roster, actor: str | None = None, at: datetime | None = None
    ) -> bool:
        """Record the roster when it differs from the one last loaded. Returns True if recorded.

        The first roster is in force from the beginning; a later one from ``at`` (default:
        now, when it is recorded)."""
        units, people = roster.as_rows()
        digest = hashlib.sha256(
            json.dumps([units, people], sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()
        try:
            record: RosterRecord = self.repository.get(RosterRecord.ID)
        except AggregateNotFoundError:
            record = RosterRecord()
        if not self.roster_history:
            at = None  # the first roster is in force from the beginning, whatever --at says
        elif at is None:
            at = self.clock()  # a later roster is in force from when it is recorded
        if at is not None:
            self.roster_history.with_change(
                RosterChange(at, "loaded", {"units": units, "people": people})
            )
        if not record.load(units=units, people=people, digest=digest, actor=actor, effective_at=at):
            return False
        self.save(record)
        self._roster_history = None
        return True

    def change_roster(self, change: RosterChange, actor: str | None = None) -> None:
        """Record one change of the roster (a person added, transferred or departed; a village
        moved), in force from ``change.effective_at``. Raises InvalidInput/InvalidInputs when
        the roster from then on would not be valid (nothing is recorded)."""
        self.roster_history.with_change(change)
        record: RosterRecord = self.repository.get(RosterRecord.ID)
        record.change(change, actor)
        self.save(record)
        self._roster_history = None

    def get_case(self, case_no: str, version: int | None = None) -> Dispute:
        """Replay a case (at ``version``, default latest). Raises :class:`CaseNotFound`.

        A case restored from a snapshot its class no longer trusts (``replay_needed``, see
        ``Dispute.upcast_v2_v3``) is replayed from its events instead."""
        try:
            dispute: Dispute = self.repository.get(dispute_id(case_no), version=version)
        except AggregateNotFoundError:
            raise CaseNotFound(case_no) from None
        if dispute.replay_needed:
            dispute = self._replay(dispute)
        return dispute

    def _replay(self, case: Dispute) -> Dispute:
        """The case replayed from its first event (not from a snapshot). Raises StoreError
        when the store lacks its events."""
        replayed: Dispute | None = None
        for event in self.events.get(case.id, lte=case.version):
            if not isinstance(event, Dispute.Event | Dispute.Reported) or (
                replayed is None and not isinstance(event, Dispute.Reported)
            ):
                break
            replayed = event.mutate(replayed)
        if replayed is None or replayed.version != case.version:
            msg = (
                f"case {case.case_no} cannot be replayed: events of it are missing from the "
                "store (`disputes verify` names them)"
            )
            raise StoreError(msg)
        return replayed

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

    def record_access(self, entry: AccessEntry) -> None:
        """Save one access entry (an aggregate of its own: never a version conflict)."""
        self.save(entry)

    def forget_unsaved(self) -> None:
        """Forget what this application assumed a save had stored (the policy record), after a
        batch of saves was abandoned: the next command checks the store again."""
        self._policy_adopted = False

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


def _plain(value: Any) -> Any:
    """A command's or an event's value as plain data (models as dicts, sequences as lists)."""
    if isinstance(value, BaseModel):
        return value.model_dump()
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value
