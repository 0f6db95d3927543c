"""What every verb of the application shares, and how a verb is declared.

A verb is an application method declared with ``@handles(CommandModel)``
(:mod:`disputes.domain.application`). Around each, :func:`handles` does what all verbs share:

- a command id already recorded answers as the first time and records nothing new (for
  ``report`` this needs a :class:`CommandLookup`, which the store wires in; on the other verbs
  the case itself remembers its command ids);
- the actor must be on the roster in one of the command's ``roles``, and the occurred time may
  not lie in the future (the policy's clock skew aside);
- when another writer changed the case at the same moment the whole verb is tried again, a
  bounded number of times (every rule is re-checked against the new state), then
  :class:`ConcurrentModification`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Any, Protocol, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from disputes.domain import commands as c
from disputes.domain.clock import Clock, local_iso, system_clock
from disputes.domain.commands import RecordedCommand
from disputes.domain.errors import (
    CaseNotFound,
    CommandIdReused,
    ConcurrentModification,
    InvalidInput,
    NotFound,
    RoleNotAllowed,
)
from disputes.domain.model import VERB_EVENTS, Dispute, dispute_id
from disputes.domain.policy import Policy, load_policy
from disputes.domain.records import (
    CaseNumbers,
    PolicyRecord,
    RosterRecord,
    policy_id,
)
from disputes.domain.roster import Roster
from disputes.domain.values import Meta

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
        self._roster: Roster | None = None
        self._policy_adopted = False

    def execute(self, command: c.Command) -> Outcome:
        """Record one command with the method declared for its type (see :func:`handles`)."""
        handler = HANDLERS.get(type(command))
        if handler is None:
            raise InvalidInput("command", f"no application method handles `{command.verb}`")
        return handler(self, command)

    # -- what every verb shares -----------------------------------------------------------------

    def meta(self, command: c.Command) -> Meta:
        """Who, when, under which policy, for which command: the metadata of its event."""
        return Meta(command.actor, command.occurred_at, self.policy.version, command.command_id)

    def check_actor_and_time(self, command: c.Command) -> None:
        """The actor must be on the roster in one of the command's roles (RoleNotAllowed), and
        the occurred time not in the future beyond the policy's clock skew (InvalidInput)."""
        actor = self.roster.person(command.actor, "actor")
        if actor.role not in command.roles:
            raise RoleNotAllowed(
                actor.id, actor.role, command.verb, [str(r) for r in command.roles]
            )
        skew = timedelta(minutes=self.policy.time.clock_skew_minutes)
        now = self.clock()
        if command.occurred_at > now + skew:
            raise InvalidInput(
                "at", f"{local_iso(command.occurred_at)} lies in the future (now {local_iso(now)})"
            )

    def earlier_answer(self, command: c.Command) -> Outcome | None:
        """The first answer when this command id was recorded before, else None (checked
        before the roster and the clock, so a re-run answers the same after the roster
        changed). Raises CommandIdReused when the id recorded another verb or case."""
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

    def _duplicate(self, case: Dispute, command: c.Command) -> Outcome:
        """Answer a command id recorded before exactly as the first time; nothing is stored.

        Raises CommandIdReused when the id recorded a different verb."""
        answer = case.answer_of(command.command_id)
        if answer is None or answer.verb != command.verb:
            first = answer.verb if answer else "another command"
            raise CommandIdReused(command.command_id, f"`{first}` on {case.case_no}")
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
