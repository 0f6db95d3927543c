"""What can happen to a dispute: its events, and how each changes the case (``evolve``).

The rules that decide whether an event may happen are the aggregate's
(:class:`disputes.domain.model.Dispute`); an event, once recorded, is a fact, and its
``evolve`` only applies it. The base event keeps the bookkeeping every event shares: the time
order, and the answer its command id gets if it is sent again (:class:`Answer`).

Every event carries :class:`~disputes.domain.values.Meta` — ``actor`` (roster id),
``occurred_at`` (timezone-aware, what the officer says), ``policy_version`` and
``command_id``; the library's ``timestamp`` (UTC) is the recorded time. Topics are explicit and
stable: a class may be renamed (``Supervised`` was ``SupervisionOrdered``) and stored history
still loads; the name an event is shown and exported under is the last part of its topic
(:attr:`DisputeEvent.name`), so it never changes either.
"""

from __future__ import annotations

from bisect import insort
from dataclasses import field
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from eventsourcing.domain import Aggregate

from disputes.domain.values import Answer, Grade, Meta, Status

if TYPE_CHECKING:
    from disputes.domain.model import Dispute


class DisputeEvent(Aggregate.Event):
    """Every dispute event: who, when, under which policy, for which command."""

    TOPIC = "disputes:Dispute.Event"
    VERB: ClassVar[str] = ""
    """The CLI verb that records this event (product.md §2)."""
    DECISION: ClassVar[bool] = True
    """A decision (grade, assign, refer, escalate, downgrade, resolve, relapse, close,
    supervise, and the report) is placed in occurred order: never before the case's latest
    decision. The rest are activities, which may be recorded late (补录)."""

    actor: str
    occurred_at: datetime
    policy_version: str
    command_id: str
    os_user: str | None = field(default=None, kw_only=True)
    """Local mode: the operating-system account beside the actor (docs/trust.md §3). Keyword
    only with a default, so the events' own fields keep their order and an event stored before
    it existed reads as None (the class default)."""

    @property
    def name(self) -> str:
        """The event's stable name: the last part of its topic (``Graded``)."""
        return type(self).event_name()

    @classmethod
    def event_name(cls) -> str:
        topic: str = getattr(cls, "TOPIC", cls.__name__)
        return topic.rsplit(".", 1)[-1]

    @property
    def meta(self) -> Meta:
        return Meta(
            self.actor, self.occurred_at, self.policy_version, self.command_id, self.os_user
        )

    def apply(self, aggregate: Dispute) -> None:
        self.evolve(aggregate)
        aggregate.last_occurred_at = max(aggregate.last_occurred_at, self.occurred_at)
        if self.DECISION:
            aggregate.last_decision_at = self.occurred_at
        aggregate.command_ids[self.command_id] = Answer(
            self.VERB,
            self.originator_version,
            str(aggregate.status),
            aggregate.current_grade and str(aggregate.current_grade),
            self.new_referral(),
        ).as_state()

    def evolve(self, case: Dispute) -> None:
        """This event's change to the case's state (each event says its own)."""

    def new_referral(self) -> int | None:
        """The number of the referral this event opened, if any (for its answer)."""
        return None


class Reported(DisputeEvent, Aggregate.Created):
    TOPIC = "disputes:Dispute.Reported"
    VERB = "report"
    case_no: str
    category: str
    source: str
    district: str
    station: str
    village: str
    summary: str
    parties: list[dict[str, str]]
    people_involved: int | None
    informant: str | None = None
    """The informant (治安信息员) the case came from (issue 13): the grid worker who reported
    it, or the informant an officer named; None on reports recorded before informants were
    kept (then a grid worker's report is still their own, see ``informant_of``)."""
    attachments: list[dict[str, object]] | None = None
    """Photos carried with the report (issue 14): ``{sha256, media_type, size}`` each. Events
    recorded before photos existed have none (the class default)."""


class Graded(DisputeEvent):
    TOPIC = "disputes:Dispute.Graded"
    VERB = "grade"
    grade: str
    reason: str
    signals: list[str]

    def evolve(self, case: Dispute) -> None:
        case.current_grade = self.grade
        case.signals = list(self.signals)
        case.graded_at = self.occurred_at
        case.become(Status.OPEN, self.occurred_at)


class Assigned(DisputeEvent):
    TOPIC = "disputes:Dispute.Assigned"
    VERB = "assign"
    leader: str
    officer: str
    auxiliary: str | None
    grid_worker: str | None

    def evolve(self, case: Dispute) -> None:
        case.leader = self.leader
        case.officer = self.officer
        case.auxiliary = self.auxiliary
        case.grid_worker = self.grid_worker
        if case.assigned_at is None:
            case.assigned_at = self.occurred_at


class Deliberated(DisputeEvent):
    DECISION = False
    TOPIC = "disputes:Dispute.Deliberated"
    VERB = "deliberate"
    plan: str
    attendees: list[str]

    def evolve(self, case: Dispute) -> None:
        case.deliberations += 1


class Visited(DisputeEvent):
    DECISION = False
    TOPIC = "disputes:Dispute.Visited"
    VERB = "visit"
    mode: str
    note: str

    def evolve(self, case: Dispute) -> None:
        case.contacted(self.occurred_at)


class Mediated(DisputeEvent):
    DECISION = False
    TOPIC = "disputes:Dispute.Mediated"
    VERB = "mediate"
    note: str
    result: str
    with_units: list[str]

    def evolve(self, case: Dispute) -> None:
        case.contacted(self.occurred_at)
        if self.result == "failed":
            case.failed_mediations += 1


class Referred(DisputeEvent):
    TOPIC = "disputes:Dispute.Referred"
    VERB = "refer"
    referral: int
    to: str
    reason: str

    def evolve(self, case: Dispute) -> None:
        case.referrals.append(
            {
                "referral": self.referral,
                "to": self.to,
                "reason": self.reason,
                "referred_at": self.occurred_at,
                "outcome": None,
                "answered_at": None,
            }
        )

    def new_referral(self) -> int | None:
        return self.referral


class ReceiptRecorded(DisputeEvent):
    DECISION = False
    TOPIC = "disputes:Dispute.ReceiptRecorded"
    VERB = "receipt"
    referral: int
    outcome: str
    note: str

    def evolve(self, case: Dispute) -> None:
        answered = case.referral(self.referral)
        answered["outcome"] = self.outcome
        answered["answered_at"] = self.occurred_at


class Escalated(DisputeEvent):
    TOPIC = "disputes:Dispute.Escalated"
    VERB = "escalate"
    reason: str

    def evolve(self, case: Dispute) -> None:
        case.current_grade = Grade.RED


class Downgraded(DisputeEvent):
    TOPIC = "disputes:Dispute.Downgraded"
    VERB = "downgrade"
    reason: str

    def evolve(self, case: Dispute) -> None:
        case.current_grade = Grade.YELLOW


class Resolved(DisputeEvent):
    TOPIC = "disputes:Dispute.Resolved"
    VERB = "resolve"
    agreement: str
    form: str
    observe_days: int
    observe_until: datetime
    """The end of observation as first set; the current window's end is the case's
    ``observe_until`` (a broken follow-up chain restarts the window, product.md §3)."""
    follow_up_max_gap_days: int = 30
    """The policy's longest gap between follow-ups when resolved (events recorded before it
    was kept here were recorded under the default policy's 30 days)."""

    def evolve(self, case: Dispute) -> None:
        case.current_grade = Grade.BLUE
        case.become(Status.OBSERVING, self.occurred_at)
        case.resolved_at = self.occurred_at
        case.observe_days = self.observe_days
        case.follow_up_max_gap_days = self.follow_up_max_gap_days


class FollowedUp(DisputeEvent):
    DECISION = False
    TOPIC = "disputes:Dispute.FollowedUp"
    VERB = "follow-up"
    mode: str
    note: str

    def evolve(self, case: Dispute) -> None:
        insort(case.follow_ups, self.occurred_at)
        case.contacted(self.occurred_at)


class Relapsed(DisputeEvent):
    TOPIC = "disputes:Dispute.Relapsed"
    VERB = "relapse"
    grade: str
    reason: str

    def evolve(self, case: Dispute) -> None:
        case.current_grade = self.grade
        case.become(Status.OPEN, self.occurred_at)
        case.relapses += 1
        case.graded_at = self.occurred_at
        case.closed_at = None
        # The latest resolution still governs closure (§3.2, §3.3) until the next one.
        case.failed_mediations = 0


class Closed(DisputeEvent):
    TOPIC = "disputes:Dispute.Closed"
    VERB = "close"
    note: str

    def evolve(self, case: Dispute) -> None:
        case.become(Status.CLOSED, self.occurred_at)
        case.closed_at = self.occurred_at


class Supervised(DisputeEvent):
    """督办: a supervision order (stored as ``SupervisionOrdered``, its name since issue 3)."""

    TOPIC = "disputes:Dispute.SupervisionOrdered"
    VERB = "supervise"
    order: int
    level: str
    note: str

    def evolve(self, case: Dispute) -> None:
        case.supervisions = [
            *case.supervisions,
            {
                "order": self.order,
                "level": self.level,
                "note": self.note,
                "actor": self.actor,
                "ordered_at": self.occurred_at,
                "answered_at": None,
                "answered_by": None,
                "answer": None,
            },
        ]


class OutcomeRecorded(DisputeEvent):
    DECISION = False
    """A serious outcome the case did not prevent (issue 12: 命案零发生 is counted from these)."""

    TOPIC = "disputes:Dispute.OutcomeRecorded"
    VERB = "outcome"
    kind: str
    ref: str
    note: str


class SupervisionAnswered(DisputeEvent):
    DECISION = False
    TOPIC = "disputes:Dispute.SupervisionAnswered"
    VERB = "answer-supervision"
    orders: list[int]
    note: str

    def evolve(self, case: Dispute) -> None:
        answered = set(self.orders)
        case.supervisions = [
            {
                **o,
                "answered_at": self.occurred_at,
                "answered_by": self.actor,
                "answer": self.note,
            }
            if o["order"] in answered
            else o
            for o in case.supervisions
        ]


class Transferred(DisputeEvent):
    """跨所移交 (issue 11): the case moves to another station, with its new responsible leader
    and officer; the old station's duties on it end."""

    TOPIC = "disputes:Dispute.Transferred"
    VERB = "transfer"
    from_station: str
    station: str
    leader: str
    officer: str
    reason: str

    def evolve(self, case: Dispute) -> None:
        case.station = self.station
        case.leader = self.leader
        case.officer = self.officer
        if case.assigned_at is None:
            case.assigned_at = self.occurred_at
