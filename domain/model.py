"""The dispute aggregate (矛盾纠纷): the rules of product.md §2, one public method per verb.

Each method checks its rule and raises a :mod:`disputes.domain.errors` error before anything
changes, then triggers its event; what the event does to the case is the event's own
(:mod:`disputes.domain.events`). Every verb takes :class:`~disputes.domain.values.Meta`: who,
when (occurred time), under which policy, for which command.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, ClassVar, TypeAlias
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from disputes.domain import events
from disputes.domain.closure import closure_failures
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
from disputes.domain.values import NAMESPACE, Answer, Grade, Meta, Status

RED_OR_YELLOW = (Grade.RED, Grade.YELLOW)


@lru_cache(maxsize=65536)
def dispute_id(case_no: str) -> UUID:
    """The aggregate id of a case number (deterministic, so a case number needs no look-up).

    Remembered: a command computes it twice, and a uuid5 costs as much as a ledger row."""
    return uuid5(NAMESPACE, f"dispute:{case_no}")


class Dispute(Aggregate):
    """One major dispute (重大矛盾纠纷), from report (登记) to closure (销号) and relapse (反弹).

    State: ``status`` (reported/open/observing/closed) and ``current_grade``
    (None/red/yellow/blue) are separate fields. Times are timezone-aware datetimes.
    """

    TOPIC: ClassVar[str] = "disputes:Dispute"
    class_version: ClassVar[int] = 2
    """Version of the state kept in snapshots; :meth:`upcast_v1_v2` reads older ones."""

    Event: TypeAlias = events.DisputeEvent
    Reported: TypeAlias = events.Reported
    Graded: TypeAlias = events.Graded
    Assigned: TypeAlias = events.Assigned
    Deliberated: TypeAlias = events.Deliberated
    Visited: TypeAlias = events.Visited
    Mediated: TypeAlias = events.Mediated
    Referred: TypeAlias = events.Referred
    ReceiptRecorded: TypeAlias = events.ReceiptRecorded
    Escalated: TypeAlias = events.Escalated
    Downgraded: TypeAlias = events.Downgraded
    Resolved: TypeAlias = events.Resolved
    FollowedUp: TypeAlias = events.FollowedUp
    Relapsed: TypeAlias = events.Relapsed
    Closed: TypeAlias = events.Closed
    Supervised: TypeAlias = events.Supervised
    SupervisionAnswered: TypeAlias = events.SupervisionAnswered
    OutcomeRecorded: TypeAlias = events.OutcomeRecorded

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
        """登记: a new case, status reported, not graded yet."""
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
        self.current_grade: str | None = None
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
        self.command_ids: dict[str, dict[str, Any]] = {}
        """Command id → its first answer (:meth:`Answer.as_state`)."""
        self.supervisions: list[dict[str, Any]] = []

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Snapshots taken before the redesign: the grade was kept as ``grade``, answers as
        ``[verb, version, status, grade, referral]`` lists, and snapshots older than
        supervision (issue 3) have no ``supervisions``."""
        state["current_grade"] = state.pop("grade", None)
        state["command_ids"] = {
            command_id: Answer(*answer).as_state() if isinstance(answer, list) else answer
            for command_id, answer in state.get("command_ids", {}).items()
        }
        state.setdefault("supervisions", [])

    # -- queries -------------------------------------------------------------------------------

    @property
    def open_referrals(self) -> int:
        """Number of referrals without a receipt (回执)."""
        return sum(1 for r in self.referrals if r.get("outcome") is None)

    @property
    def open_supervisions(self) -> list[dict[str, Any]]:
        """Supervision orders (督办) not answered yet, oldest first."""
        return [o for o in self.supervisions if o["answered_at"] is None]

    def answer_of(self, command_id: str) -> Answer | None:
        """The first answer to a command id recorded on this case, or None."""
        state = self.command_ids.get(command_id)
        return None if state is None else Answer.from_state(state)

    def referral(self, number: int) -> dict[str, Any]:
        """Referral ``number`` (1, 2, …). Raises :class:`ReferralNotFound`."""
        for referral in self.referrals:
            if referral["referral"] == number:
                return referral
        raise ReferralNotFound(self.case_no, number)

    def closure_failures(self, actor: str, at: datetime, max_gap_days: int) -> list[str]:
        """See :func:`disputes.domain.closure.closure_failures`."""
        return closure_failures(self, actor, at, max_gap_days)

    # -- rule helpers --------------------------------------------------------------------------

    def _require_status(self, verb: str, *allowed: Status) -> None:
        if self.status not in allowed:
            raise WrongStatus(self.case_no, verb, self.status, [str(s) for s in allowed])

    def _require_after_previous(self, meta: Meta) -> None:
        if meta.occurred_at < self.last_occurred_at:
            raise OccurredOutOfOrder(
                self.case_no, meta.occurred_at.isoformat(), self.last_occurred_at.isoformat()
            )

    # -- verbs (product.md §2) -----------------------------------------------------------------

    def grade(self, grade: Grade, reason: str, signals: Sequence[str], meta: Meta) -> None:
        """研判定级: first risk grade, red or yellow. Needs status reported; opens the case."""
        self._require_after_previous(meta)
        self._require_status("grade", Status.REPORTED)
        if grade not in RED_OR_YELLOW:
            raise WrongGrade(self.case_no, "grade", "red or yellow", grade)
        self.trigger_event(
            self.Graded, grade=str(grade), reason=reason, signals=list(signals), **meta.fields()
        )

    def assign(
        self, leader: str, officer: str, auxiliary: str | None, grid_worker: str | None, meta: Meta
    ) -> None:
        """Name the responsible leader and officer (分包责任领导 + 责任人); later a hand-over."""
        self._require_after_previous(meta)
        self._require_status("assign", Status.REPORTED, Status.OPEN, Status.OBSERVING)
        self.trigger_event(
            self.Assigned,
            leader=leader,
            officer=officer,
            auxiliary=auxiliary,
            grid_worker=grid_worker,
            **meta.fields(),
        )

    def deliberate(self, plan: str, attendees: Sequence[str], meta: Meta) -> None:
        """一案一议: the case conference and its plan. Needs an assignment; not when closed."""
        self._require_after_previous(meta)
        self._require_status("deliberate", Status.REPORTED, Status.OPEN, Status.OBSERVING)
        if self.leader is None:
            raise NotAssigned(self.case_no)
        self.trigger_event(self.Deliberated, plan=plan, attendees=list(attendees), **meta.fields())

    def visit(self, mode: str, note: str, meta: Meta) -> None:
        """走访 or phone contact while the case is open."""
        self._require_after_previous(meta)
        self._require_status("visit", Status.OPEN)
        self.trigger_event(self.Visited, mode=mode, note=note, **meta.fields())

    def mediate(self, note: str, result: str, with_units: Sequence[str], meta: Meta) -> None:
        """调解 session (with partner units); result ``progress`` or ``failed``. Needs open."""
        self._require_after_previous(meta)
        self._require_status("mediate", Status.OPEN)
        self.trigger_event(
            self.Mediated, note=note, result=result, with_units=list(with_units), **meta.fields()
        )

    def refer(self, to: str, reason: str, meta: Meta) -> int:
        """分流移交 to a partner unit. Needs open. Returns the new referral's number (1, 2, …)."""
        self._require_after_previous(meta)
        self._require_status("refer", Status.OPEN)
        number = len(self.referrals) + 1
        self.trigger_event(self.Referred, referral=number, to=to, reason=reason, **meta.fields())
        return number

    def record_receipt(self, referral: int, outcome: str, note: str, meta: Meta) -> None:
        """回执: the partner's answer to referral ``referral`` (accepted, handled or returned).

        Raises ReferralNotFound (no such referral) or ReferralAlreadyAnswered."""
        self._require_after_previous(meta)
        if self.referral(referral).get("outcome") is not None:
            raise ReferralAlreadyAnswered(self.case_no, referral)
        self.trigger_event(
            self.ReceiptRecorded, referral=referral, outcome=outcome, note=note, **meta.fields()
        )

    def escalate(self, reason: str, meta: Meta) -> None:
        """升级 yellow → red. Needs open and yellow."""
        self._require_after_previous(meta)
        self._require_status("escalate", Status.OPEN)
        if self.current_grade != Grade.YELLOW:
            raise WrongGrade(self.case_no, "escalate", "yellow", self.current_grade)
        self.trigger_event(self.Escalated, reason=reason, **meta.fields())

    def downgrade(self, reason: str, meta: Meta) -> None:
        """降级 red → yellow. Only the case's responsible leader; needs open and red."""
        self._require_after_previous(meta)
        if meta.actor != self.leader:
            raise NotResponsibleLeader(self.case_no, meta.actor, self.leader, "downgrade")
        self._require_status("downgrade", Status.OPEN)
        if self.current_grade != Grade.RED:
            raise WrongGrade(self.case_no, "downgrade", "red", self.current_grade)
        self.trigger_event(self.Downgraded, reason=reason, **meta.fields())

    def resolve(self, agreement: str, form: str, observe_days: int, meta: Meta) -> None:
        """化解: agreement reached; grade blue, status observing, observation starts."""
        self._require_after_previous(meta)
        self._require_status("resolve", Status.OPEN)
        self.trigger_event(
            self.Resolved,
            agreement=agreement,
            form=form,
            observe_days=observe_days,
            observe_until=meta.occurred_at + timedelta(days=observe_days),
            **meta.fields(),
        )

    def follow_up(self, mode: str, note: str, meta: Meta) -> None:
        """回访 during observation."""
        self._require_after_previous(meta)
        self._require_status("follow-up", Status.OBSERVING)
        self.trigger_event(self.FollowedUp, mode=mode, note=note, **meta.fields())

    def relapse(self, grade: Grade, reason: str, meta: Meta) -> None:
        """反弹: flare-up during observation or after closure; back to red or yellow, reopened."""
        self._require_after_previous(meta)
        self._require_status("relapse", Status.OBSERVING, Status.CLOSED)
        if grade not in RED_OR_YELLOW:
            raise WrongGrade(self.case_no, "relapse", "red or yellow", grade)
        self.trigger_event(self.Relapsed, grade=str(grade), reason=reason, **meta.fields())

    def close(self, note: str, max_gap_days: int, meta: Meta) -> None:
        """销号 (product.md §3 不化解不销案). Raises ClosureRefused naming every failure."""
        self._require_after_previous(meta)
        failures = self.closure_failures(meta.actor, meta.occurred_at, max_gap_days)
        if failures:
            raise ClosureRefused(self.case_no, failures)
        self.trigger_event(self.Closed, note=note, **meta.fields())

    def supervise(self, level: str, note: str, meta: Meta) -> int:
        """督办: a leader orders follow-through at ``level`` (``yellow-card`` or ``red-card``).

        Needs open or observing. Returns the new order's number (1, 2, …).
        """
        self._require_after_previous(meta)
        self._require_status("supervise", Status.OPEN, Status.OBSERVING)
        number = len(self.supervisions) + 1
        self.trigger_event(self.Supervised, order=number, level=level, note=note, **meta.fields())
        return number

    def answer_supervision(self, note: str, meta: Meta) -> list[int]:
        """督办反馈: the officers' answer to every open supervision order (raises
        NoOpenSupervision when none is open). Returns the numbers of the orders answered."""
        self._require_after_previous(meta)
        orders = [o["order"] for o in self.open_supervisions]
        if not orders:
            raise NoOpenSupervision(self.case_no)
        self.trigger_event(self.SupervisionAnswered, orders=orders, note=note, **meta.fields())
        return orders

    def record_outcome(self, kind: str, ref: str, note: str, meta: Meta) -> None:
        """严重后果: a serious outcome (issue 12), in any status: it is a fact about the
        dispute, whether the case is open, observing or already closed."""
        self._require_after_previous(meta)
        self.trigger_event(self.OutcomeRecorded, kind=kind, ref=ref, note=note, **meta.fields())


def dispute_events() -> Iterator[type[Dispute.Event]]:
    """Every concrete dispute event class, in the order the model declares them."""
    for value in vars(Dispute).values():
        if isinstance(value, type) and issubclass(value, Dispute.Event) and value.VERB:
            yield value


VERB_EVENTS: dict[str, str] = {cls.VERB: cls.event_name() for cls in dispute_events()}
"""CLI verb → the name of the event it records (one word per concept, product.md §2)."""
