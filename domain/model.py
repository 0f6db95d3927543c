"""The dispute aggregate (矛盾纠纷) and the case-number sequence.

Every public method checks its rule and raises a :mod:`disputes.domain.errors` error before
anything changes; a private ``@event`` method then records the event. Every event carries
``actor`` (roster id), ``occurred_at`` (timezone-aware, what the officer says), ``policy_version``
and ``command_id``; the library's ``timestamp`` (UTC) is the recorded time.

Rules come from product.md §2 (lifecycle) and §3 (不化解不销案, the closure rule).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any, ClassVar
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from disputes.domain.errors import (
    ClosureRefused,
    NoOpenSupervision,
    NotAssigned,
    NotResponsibleLeader,
    OccurredOutOfOrder,
    ReferralAlreadyAnswered,
    ReferralNotFound,
    WrongGrade,
    WrongStatus,
)

NAMESPACE = UUID("6f1c3d0e-8a1b-5c7d-9e2f-3a4b5c6d7e8f")


class Status(StrEnum):
    REPORTED = "reported"
    OPEN = "open"
    OBSERVING = "observing"
    CLOSED = "closed"


class Colour(StrEnum):
    """红黄蓝三色评估: the risk grade of a case."""

    RED = "red"
    YELLOW = "yellow"
    BLUE = "blue"


VERB_EVENTS = {
    "report": "Reported",
    "grade": "Graded",
    "assign": "Assigned",
    "deliberate": "Deliberated",
    "visit": "Visited",
    "mediate": "Mediated",
    "refer": "Referred",
    "receipt": "ReceiptRecorded",
    "escalate": "Escalated",
    "downgrade": "Downgraded",
    "resolve": "Resolved",
    "follow-up": "FollowedUp",
    "relapse": "Relapsed",
    "close": "Closed",
    "supervise": "SupervisionOrdered",
    "answer-supervision": "SupervisionAnswered",
}
"""CLI verb → the event it records (one word per concept, product.md §2; 督办, issue 3)."""


@lru_cache(maxsize=65536)
def dispute_id(case_no: str) -> UUID:
    """The aggregate id of a case number (deterministic, so a case number needs no look-up).

    Remembered: a command computes it twice, and a uuid5 costs as much as a ledger row."""
    return uuid5(NAMESPACE, f"dispute:{case_no}")


def _days(delta: timedelta) -> float:
    return delta.total_seconds() / 86400


class Dispute(Aggregate):
    """One major dispute (重大矛盾纠纷), from report (登记) to closure (销号) and relapse (反弹).

    State: ``status`` (reported/open/observing/closed) and ``grade`` (None/red/yellow/blue) are
    separate fields. Times are timezone-aware datetimes.
    """

    TOPIC: ClassVar[str] = "disputes:Dispute"

    class Event(Aggregate.Event):
        TOPIC = "disputes:Dispute.Event"
        actor: str
        occurred_at: datetime
        policy_version: str
        command_id: str

    class Reported(Event, Aggregate.Created):
        TOPIC = "disputes:Dispute.Reported"
        case_no: str
        category: str
        source: str
        district: str
        station: str
        village: str
        summary: str
        parties: list[dict[str, str]]
        people_involved: int | None

    class Graded(Event):
        TOPIC = "disputes:Dispute.Graded"
        grade: str
        reason: str
        signals: list[str]

    class Assigned(Event):
        TOPIC = "disputes:Dispute.Assigned"
        leader: str
        officer: str
        auxiliary: str | None
        grid_worker: str | None

    class Deliberated(Event):
        TOPIC = "disputes:Dispute.Deliberated"
        plan: str
        attendees: list[str]

    class Visited(Event):
        TOPIC = "disputes:Dispute.Visited"
        mode: str
        note: str

    class Mediated(Event):
        TOPIC = "disputes:Dispute.Mediated"
        note: str
        result: str
        with_units: list[str]

    class Referred(Event):
        TOPIC = "disputes:Dispute.Referred"
        referral: int
        to: str
        reason: str

    class ReceiptRecorded(Event):
        TOPIC = "disputes:Dispute.ReceiptRecorded"
        referral: int
        outcome: str
        note: str

    class Escalated(Event):
        TOPIC = "disputes:Dispute.Escalated"
        reason: str

    class Downgraded(Event):
        TOPIC = "disputes:Dispute.Downgraded"
        reason: str

    class Resolved(Event):
        TOPIC = "disputes:Dispute.Resolved"
        agreement: str
        form: str
        observe_days: int
        observe_until: datetime

    class FollowedUp(Event):
        TOPIC = "disputes:Dispute.FollowedUp"
        mode: str
        note: str

    class Relapsed(Event):
        TOPIC = "disputes:Dispute.Relapsed"
        grade: str
        reason: str

    class Closed(Event):
        TOPIC = "disputes:Dispute.Closed"
        note: str

    class SupervisionOrdered(Event):
        TOPIC = "disputes:Dispute.SupervisionOrdered"
        order: int
        level: str
        note: str

    class SupervisionAnswered(Event):
        TOPIC = "disputes:Dispute.SupervisionAnswered"
        orders: list[int]
        note: str

    # -- creation ------------------------------------------------------------------------------

    @staticmethod
    def create_id(case_no: str, **_: Any) -> UUID:
        return dispute_id(case_no)

    @event(Reported)
    def __init__(
        self,
        *,
        case_no: str,
        category: str,
        source: str,
        district: str,
        station: str,
        village: str,
        summary: str,
        parties: list[dict[str, str]],
        people_involved: int | None,
        actor: str,
        occurred_at: datetime,
        policy_version: str,
        command_id: str,
    ) -> None:
        self.case_no = case_no
        self.category = category
        self.source = source
        self.district = district
        self.station = station
        self.village = village
        self.summary = summary
        self.parties = parties
        self.people_involved = people_involved
        self.reporter = actor
        self.reported_at = occurred_at
        self.status: str = Status.REPORTED
        self.grade: str | None = None
        self.signals: list[str] = []
        self.graded_at: datetime | None = None
        self.leader: str | None = None
        self.officer: str | None = None
        self.auxiliary: str | None = None
        self.grid_worker: str | None = None
        self.deliberations = 0
        self.referrals: list[dict[str, Any]] = []
        self.resolved_at: datetime | None = None
        self.observe_days: int | None = None
        self.observe_until: datetime | None = None
        self.observation_anchor: datetime | None = None
        self.longest_gap: list[datetime] = []
        self.closed_at: datetime | None = None
        self.relapses = 0
        self.failed_mediations = 0
        self.last_contact_at: datetime | None = None
        self.last_occurred_at = occurred_at
        self.command_ids: dict[str, list[Any]] = {
            command_id: ["report", 1, Status.REPORTED.value, None, None]
        }
        """Command id → the first answer: [verb, version, status, grade, referral]."""
        self.supervisions: list[dict[str, Any]] = []

    # -- queries -------------------------------------------------------------------------------

    @property
    def open_referrals(self) -> int:
        """Number of referrals without a receipt (回执)."""
        return sum(1 for r in self.referrals if r.get("outcome") is None)

    @property
    def open_supervisions(self) -> list[dict[str, Any]]:
        """Supervision orders (督办) not answered yet, oldest first."""
        return [o for o in self._supervisions() if o["answered_at"] is None]

    def _supervisions(self) -> list[dict[str, Any]]:
        # A snapshot taken before supervision existed has no such attribute.
        orders: list[dict[str, Any]] = getattr(self, "supervisions", [])
        return orders

    def answer_of(self, command_id: str) -> list[Any] | None:
        """The first answer to a command id recorded on this case, or None:
        ``[verb, version, status, grade, referral]``."""
        return self.command_ids.get(command_id)

    def closure_failures(self, actor: str, at: datetime, max_gap_days: int) -> list[str]:
        """Every condition of product.md §3 that fails for closing at ``at`` by ``actor``.

        Returns an empty list when the case may be closed. ``max_gap_days`` is the policy's
        longest allowed gap between follow-ups (回访).
        """
        failures: list[str] = []
        if self.status != Status.OBSERVING:
            failures.append(f"1. the case must be observing (resolved, blue); it is {self.status}")
        if self.observe_until is not None and at < self.observe_until:
            left = _days(self.observe_until - at)
            failures.append(
                f"2. the observation period runs until {self.observe_until.isoformat()} "
                f"({left:.1f} days left)"
            )
        elif self.observe_until is None:
            failures.append("2. no observation period has started (the case was never resolved)")
        gap = self._longest_gap_until(at)
        if gap is not None and _days(gap[1] - gap[0]) > max_gap_days:
            failures.append(
                f"3. no follow-up for {_days(gap[1] - gap[0]):.1f} days between "
                f"{gap[0].isoformat()} and {gap[1].isoformat()} (at most {max_gap_days})"
            )
        unanswered = [r["referral"] for r in self.referrals if r.get("outcome") is None]
        if unanswered:
            listed = ", ".join(f"{n} ({self._referral(n)['to']})" for n in unanswered)
            failures.append(f"4. referrals without a receipt: {listed}")
        if actor != self.leader:
            failures.append(
                f"5. only the responsible leader ({self.leader or 'none assigned'}) may close; "
                f"{actor} is not"
            )
        if self.open_supervisions:
            listed = ", ".join(
                f"{o['order']} ({o['level']} by {o['actor']})" for o in self.open_supervisions
            )
            failures.append(f"6. supervision orders (督办) without an answer: {listed}")
        return failures

    def _longest_gap_until(self, at: datetime) -> tuple[datetime, datetime] | None:
        if self.observation_anchor is None:
            return None
        candidates = [(self.observation_anchor, at)]
        if self.longest_gap:
            candidates.append((self.longest_gap[0], self.longest_gap[1]))
        return max(candidates, key=lambda pair: pair[1] - pair[0])

    def _referral(self, number: int) -> dict[str, Any]:
        for referral in self.referrals:
            if referral["referral"] == number:
                return referral
        raise ReferralNotFound(self.case_no, number)

    # -- rule helpers --------------------------------------------------------------------------

    def _require_status(self, verb: str, *allowed: Status) -> None:
        if self.status not in allowed:
            raise WrongStatus(self.case_no, verb, self.status, [str(s) for s in allowed])

    def _require_after_previous(self, occurred_at: datetime) -> None:
        if occurred_at < self.last_occurred_at:
            raise OccurredOutOfOrder(
                self.case_no, occurred_at.isoformat(), self.last_occurred_at.isoformat()
            )

    def _touch(
        self, occurred_at: datetime, command_id: str, verb: str, referral: int | None = None
    ) -> None:
        """Bookkeeping at the end of every event: time order and the command's answer."""
        self.last_occurred_at = occurred_at
        self.command_ids[command_id] = [
            verb,
            self.version + 1,
            str(self.status),
            self.grade and str(self.grade),
            referral,
        ]

    # -- commands (product.md §2) ---------------------------------------------------------------

    def grade_risk(self, grade: str, reason: str, signals: list[str], **meta: Any) -> None:
        """研判定级: first risk grade, red or yellow. Needs status reported; opens the case."""
        self._require_after_previous(meta["occurred_at"])
        self._require_status("grade", Status.REPORTED)
        if grade not in (Colour.RED, Colour.YELLOW):
            raise WrongGrade(self.case_no, "grade", "red or yellow", grade)
        self._graded(grade=grade, reason=reason, signals=signals, **meta)

    @event(Graded)
    def _graded(
        self,
        grade: str,
        reason: str,
        signals: list[str],
        actor: str,
        occurred_at: datetime,
        policy_version: str,
        command_id: str,
    ) -> None:
        self.grade = grade
        self.signals = list(signals)
        self.graded_at = occurred_at
        self.status = Status.OPEN
        self._touch(occurred_at, command_id, "grade")

    def assign(
        self,
        leader: str,
        officer: str,
        auxiliary: str | None,
        grid_worker: str | None,
        **meta: Any,
    ) -> None:
        """Name the responsible leader and officer (分包责任领导 + 责任人); later a hand-over."""
        self._require_after_previous(meta["occurred_at"])
        self._require_status("assign", Status.REPORTED, Status.OPEN, Status.OBSERVING)
        self._assigned(
            leader=leader, officer=officer, auxiliary=auxiliary, grid_worker=grid_worker, **meta
        )

    @event(Assigned)
    def _assigned(
        self,
        leader: str,
        officer: str,
        auxiliary: str | None,
        grid_worker: str | None,
        actor: str,
        occurred_at: datetime,
        policy_version: str,
        command_id: str,
    ) -> None:
        self.leader = leader
        self.officer = officer
        self.auxiliary = auxiliary
        self.grid_worker = grid_worker
        self._touch(occurred_at, command_id, "assign")

    def deliberate(self, plan: str, attendees: list[str], **meta: Any) -> None:
        """一案一议: the case conference and its plan. Needs an assignment; not when closed."""
        self._require_after_previous(meta["occurred_at"])
        self._require_status("deliberate", Status.REPORTED, Status.OPEN, Status.OBSERVING)
        if self.leader is None:
            raise NotAssigned(self.case_no)
        self._deliberated(plan=plan, attendees=attendees, **meta)

    @event(Deliberated)
    def _deliberated(
        self,
        plan: str,
        attendees: list[str],
        actor: str,
        occurred_at: datetime,
        policy_version: str,
        command_id: str,
    ) -> None:
        self.deliberations += 1
        self._touch(occurred_at, command_id, "deliberate")

    def visit(self, mode: str, note: str, **meta: Any) -> None:
        """走访 or phone contact while the case is open."""
        self._require_after_previous(meta["occurred_at"])
        self._require_status("visit", Status.OPEN)
        self._visited(mode=mode, note=note, **meta)

    @event(Visited)
    def _visited(
        self,
        mode: str,
        note: str,
        actor: str,
        occurred_at: datetime,
        policy_version: str,
        command_id: str,
    ) -> None:
        self.last_contact_at = occurred_at
        self._touch(occurred_at, command_id, "visit")

    def mediate(self, note: str, result: str, with_units: list[str], **meta: Any) -> None:
        """调解 session (with partner units); result ``progress`` or ``failed``. Needs open."""
        self._require_after_previous(meta["occurred_at"])
        self._require_status("mediate", Status.OPEN)
        self._mediated(note=note, result=result, with_units=with_units, **meta)

    @event(Mediated)
    def _mediated(
        self,
        note: str,
        result: str,
        with_units: list[str],
        actor: str,
        occurred_at: datetime,
        policy_version: str,
        command_id: str,
    ) -> None:
        self.last_contact_at = occurred_at
        if result == "failed":
            self.failed_mediations += 1
        self._touch(occurred_at, command_id, "mediate")

    def refer(self, to: str, reason: str, **meta: Any) -> int:
        """分流移交 to a partner unit. Needs open. Returns the new referral's number (1, 2, …)."""
        self._require_after_previous(meta["occurred_at"])
        self._require_status("refer", Status.OPEN)
        number = len(self.referrals) + 1
        self._referred(referral=number, to=to, reason=reason, **meta)
        return number

    @event(Referred)
    def _referred(
        self,
        referral: int,
        to: str,
        reason: str,
        actor: str,
        occurred_at: datetime,
        policy_version: str,
        command_id: str,
    ) -> None:
        self.referrals.append(
            {
                "referral": referral,
                "to": to,
                "reason": reason,
                "referred_at": occurred_at,
                "outcome": None,
                "answered_at": None,
            }
        )
        self._touch(occurred_at, command_id, "refer", referral)

    def record_receipt(self, referral: int, outcome: str, note: str, **meta: Any) -> None:
        """回执: the partner's answer to referral ``referral`` (accepted, handled or returned)."""
        self._require_after_previous(meta["occurred_at"])
        if self._referral(referral).get("outcome") is not None:
            raise ReferralAlreadyAnswered(self.case_no, referral)
        self._receipt_recorded(referral=referral, outcome=outcome, note=note, **meta)

    @event(ReceiptRecorded)
    def _receipt_recorded(
        self,
        referral: int,
        outcome: str,
        note: str,
        actor: str,
        occurred_at: datetime,
        policy_version: str,
        command_id: str,
    ) -> None:
        answered = self._referral(referral)
        answered["outcome"] = outcome
        answered["answered_at"] = occurred_at
        self._touch(occurred_at, command_id, "receipt")

    def escalate(self, reason: str, **meta: Any) -> None:
        """升级 yellow → red. Needs open and yellow."""
        self._require_after_previous(meta["occurred_at"])
        self._require_status("escalate", Status.OPEN)
        if self.grade != Colour.YELLOW:
            raise WrongGrade(self.case_no, "escalate", "yellow", self.grade)
        self._escalated(reason=reason, **meta)

    @event(Escalated)
    def _escalated(
        self,
        reason: str,
        actor: str,
        occurred_at: datetime,
        policy_version: str,
        command_id: str,
    ) -> None:
        self.grade = Colour.RED
        self._touch(occurred_at, command_id, "escalate")

    def downgrade(self, reason: str, **meta: Any) -> None:
        """降级 red → yellow. Only the case's responsible leader; needs open and red."""
        self._require_after_previous(meta["occurred_at"])
        if meta["actor"] != self.leader:
            raise NotResponsibleLeader(self.case_no, meta["actor"], self.leader, "downgrade")
        self._require_status("downgrade", Status.OPEN)
        if self.grade != Colour.RED:
            raise WrongGrade(self.case_no, "downgrade", "red", self.grade)
        self._downgraded(reason=reason, **meta)

    @event(Downgraded)
    def _downgraded(
        self,
        reason: str,
        actor: str,
        occurred_at: datetime,
        policy_version: str,
        command_id: str,
    ) -> None:
        self.grade = Colour.YELLOW
        self._touch(occurred_at, command_id, "downgrade")

    def resolve(self, agreement: str, form: str, observe_days: int, **meta: Any) -> None:
        """化解: agreement reached; grade blue, status observing, observation starts."""
        self._require_after_previous(meta["occurred_at"])
        self._require_status("resolve", Status.OPEN)
        until = meta["occurred_at"] + timedelta(days=observe_days)
        self._resolved(
            agreement=agreement, form=form, observe_days=observe_days, observe_until=until, **meta
        )

    @event(Resolved)
    def _resolved(
        self,
        agreement: str,
        form: str,
        observe_days: int,
        observe_until: datetime,
        actor: str,
        occurred_at: datetime,
        policy_version: str,
        command_id: str,
    ) -> None:
        self.grade = Colour.BLUE
        self.status = Status.OBSERVING
        self.resolved_at = occurred_at
        self.observe_days = observe_days
        self.observe_until = observe_until
        self.observation_anchor = occurred_at
        self.longest_gap = []
        self._touch(occurred_at, command_id, "resolve")

    def follow_up(self, mode: str, note: str, **meta: Any) -> None:
        """回访 during observation."""
        self._require_after_previous(meta["occurred_at"])
        self._require_status("follow-up", Status.OBSERVING)
        self._followed_up(mode=mode, note=note, **meta)

    @event(FollowedUp)
    def _followed_up(
        self,
        mode: str,
        note: str,
        actor: str,
        occurred_at: datetime,
        policy_version: str,
        command_id: str,
    ) -> None:
        anchor = self.observation_anchor or occurred_at
        if not self.longest_gap or (occurred_at - anchor) > (
            self.longest_gap[1] - self.longest_gap[0]
        ):
            self.longest_gap = [anchor, occurred_at]
        self.observation_anchor = occurred_at
        self.last_contact_at = occurred_at
        self._touch(occurred_at, command_id, "follow-up")

    def relapse(self, grade: str, reason: str, **meta: Any) -> None:
        """反弹: flare-up during observation or after closure; back to red or yellow, reopened."""
        self._require_after_previous(meta["occurred_at"])
        self._require_status("relapse", Status.OBSERVING, Status.CLOSED)
        if grade not in (Colour.RED, Colour.YELLOW):
            raise WrongGrade(self.case_no, "relapse", "red or yellow", grade)
        self._relapsed(grade=grade, reason=reason, **meta)

    @event(Relapsed)
    def _relapsed(
        self,
        grade: str,
        reason: str,
        actor: str,
        occurred_at: datetime,
        policy_version: str,
        command_id: str,
    ) -> None:
        self.grade = grade
        self.status = Status.OPEN
        self.relapses += 1
        self.graded_at = occurred_at
        self.closed_at = None
        # The latest resolution still governs closure (§3.2, §3.3) until the next one, so the
        # observation anchor and the longest follow-up gap are kept.
        self.failed_mediations = 0
        self._touch(occurred_at, command_id, "relapse")

    def close(self, note: str, max_gap_days: int, **meta: Any) -> None:
        """销号 (product.md §3 不化解不销案). Raises ClosureRefused naming every failure."""
        self._require_after_previous(meta["occurred_at"])
        failures = self.closure_failures(meta["actor"], meta["occurred_at"], max_gap_days)
        if failures:
            raise ClosureRefused(self.case_no, failures)
        self._closed(note=note, **meta)

    @event(Closed)
    def _closed(
        self,
        note: str,
        actor: str,
        occurred_at: datetime,
        policy_version: str,
        command_id: str,
    ) -> None:
        self.status = Status.CLOSED
        self.closed_at = occurred_at
        self._touch(occurred_at, command_id, "close")

    def supervise(self, level: str, note: str, **meta: Any) -> int:
        """督办: a leader orders follow-through at ``level`` (``yellow-card`` or ``red-card``).

        Needs open or observing. Returns the new order's number (1, 2, …).
        """
        self._require_after_previous(meta["occurred_at"])
        self._require_status("supervise", Status.OPEN, Status.OBSERVING)
        number = len(self._supervisions()) + 1
        self._supervision_ordered(order=number, level=level, note=note, **meta)
        return number

    @event(SupervisionOrdered)
    def _supervision_ordered(
        self,
        order: int,
        level: str,
        note: str,
        actor: str,
        occurred_at: datetime,
        policy_version: str,
        command_id: str,
    ) -> None:
        self.supervisions = [
            *self._supervisions(),
            {
                "order": order,
                "level": level,
                "note": note,
                "actor": actor,
                "ordered_at": occurred_at,
                "answered_at": None,
                "answered_by": None,
                "answer": None,
            },
        ]
        self._touch(occurred_at, command_id, "supervise")

    def answer_supervision(self, note: str, **meta: Any) -> list[int]:
        """督办反馈: the officers' answer to every open supervision order (raises
        NoOpenSupervision when none is open). Returns the numbers of the orders answered."""
        self._require_after_previous(meta["occurred_at"])
        orders = [o["order"] for o in self.open_supervisions]
        if not orders:
            raise NoOpenSupervision(self.case_no)
        self._supervision_answered(orders=orders, note=note, **meta)
        return orders

    @event(SupervisionAnswered)
    def _supervision_answered(
        self,
        orders: list[int],
        note: str,
        actor: str,
        occurred_at: datetime,
        policy_version: str,
        command_id: str,
    ) -> None:
        answered = set(orders)
        self.supervisions = [
            {**o, "answered_at": occurred_at, "answered_by": actor, "answer": note}
            if o["order"] in answered
            else o
            for o in self._supervisions()
        ]
        self._touch(occurred_at, command_id, "answer-supervision")


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
    """The roster as recorded: each load that changes it is one ``Loaded`` event."""

    TOPIC: ClassVar[str] = "disputes:Roster"
    ID: ClassVar[UUID] = uuid5(NAMESPACE, "roster")

    class Event(Aggregate.Event):
        TOPIC = "disputes:Roster.Event"

    class Started(Event, Aggregate.Created):
        TOPIC = "disputes:Roster.Started"

    class Loaded(Event):
        TOPIC = "disputes:Roster.Loaded"
        units: list[dict[str, Any]]
        people: list[dict[str, Any]]
        digest: str
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
    ) -> bool:
        """Record a new roster; returns False (and records nothing) when unchanged."""
        if digest == self.digest:
            return False
        self._loaded(units=units, people=people, digest=digest, actor=actor)
        return True

    @event(Loaded)
    def _loaded(
        self,
        units: list[dict[str, Any]],
        people: list[dict[str, Any]],
        digest: str,
        actor: str | None,
    ) -> None:
        self.units = units
        self.people = people
        self.digest = digest


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
