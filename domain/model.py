"""The dispute aggregate (矛盾纠纷): the rules of product.md §2, one public method per verb.

Each method checks its rule and raises a :mod:`disputes.domain.errors` error before anything
changes, then triggers its event; what the event does to the case is the event's own
(:mod:`disputes.domain.events`). Every verb takes :class:`~disputes.domain.values.Meta`: who,
when (occurred time), under which policy, for which command.

Longer than 400 lines on purpose: one aggregate's state, its snapshot upcasts, its time rules
and its seventeen verbs are read together (what each event does is in ``events.py``, the
closure rule in ``closure.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, ClassVar, TypeAlias
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from disputes.domain import events
from disputes.domain.clock import local_text
from disputes.domain.closure import Window, closure_failures, earliest_close, observation_window
from disputes.domain.errors import (
    BeforeLatestDecision,
    BeforeReport,
    ClosureRefused,
    NoOpenSupervision,
    NotAssigned,
    NotResponsibleLeader,
    OccurredOutOfOrder,
    OwnSupervisionOrder,
    ReferralAlreadyAnswered,
    ReferralNotFound,
    ReporterCannotClose,
    SameStation,
    WrongGrade,
    WrongStatus,
    word_zh,
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
    class_version: ClassVar[int] = 3
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
    Transferred: TypeAlias = events.Transferred

    # -- creation ------------------------------------------------------------------------------

    @staticmethod
    def create_id(case_no: str, **_: Any) -> UUID:
        return dispute_id(case_no)

    @event(Reported)
    def __init__(
        self,
        attachments: list[dict[str, object]] | None = None,
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
        os_user: str | None = None,  # absent from reports stored before issue 11
        informant: str | None = None,  # absent from reports stored before issue 13
    ) -> None:
        """登记: a new case, status reported, not graded yet. ``attachments`` (photos, issue
        14) stands before the keyword-only fields: the library takes a keyword-only argument
        with a default for a required one, and events recorded before photos have none."""
        self.case_no = case_no
        self.category = category
        self.source = source
        self.district = district
        self.station = station
        self.village = village
        self.summary = summary
        self.parties = parties
        self.people_involved = people_involved
        self.informant = informant
        self.attachments = list(attachments or [])
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
        self.follow_up_max_gap_days = 30
        self.follow_ups: list[datetime] = []
        """Every follow-up's occurred time, in occurred order (late entries slot in)."""
        self.closed_at: datetime | None = None
        self.relapses = 0
        self.failed_mediations = 0
        self.last_contact_at: datetime | None = None
        self.last_occurred_at = occurred_at
        self.last_decision_at = occurred_at
        """The occurred time of the latest decision (see :data:`DECISIONS`)."""
        self.status_history: list[list[Any]] = [[occurred_at, str(Status.REPORTED)]]
        """``[since, status]`` pairs in occurred order: the status the case had at any time."""
        self.assigned_at: datetime | None = None
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

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        """Snapshots taken before late entries (issue 10) kept the observation as a running
        anchor and longest gap, in recording order; the follow-up times it needs now are not
        in them. Such a snapshot is not trusted: the case is replayed from its events
        (:attr:`replay_needed`, read by the application). Until then the state takes the new
        shape, so that the events after the snapshot still apply."""
        state["replay_needed"] = True
        for stale in ("observe_until", "observation_anchor", "longest_gap"):
            state.pop(stale, None)
        state.setdefault("follow_up_max_gap_days", 30)
        state.setdefault("follow_ups", [])
        state.setdefault("last_decision_at", state.get("last_occurred_at"))
        state.setdefault("status_history", [[state.get("reported_at"), state.get("status")]])
        state.setdefault("assigned_at", state.get("reported_at") if state.get("leader") else None)

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

    informant: str | None = None
    """The informant the case came from (issue 13); None on cases (and snapshots) from before
    informants were kept."""

    replay_needed: ClassVar[bool] = False
    """True on a case restored from a snapshot older than its class version 3 (see
    :meth:`upcast_v2_v3`): its state must be replayed from the events."""

    def window(self, at: datetime | None = None) -> Window | None:
        """The current observation window, judged with the follow-ups up to ``at`` (default:
        all); None when the case was never resolved."""
        if self.resolved_at is None or self.observe_days is None:
            return None
        return observation_window(
            self.resolved_at, self.observe_days, self.follow_up_max_gap_days, self.follow_ups, at
        )

    @property
    def observe_until(self) -> datetime | None:
        """When the current observation window is served (product.md §3.2), or None."""
        window = self.window()
        return None if window is None else window.until

    def become(self, status: Status, since: datetime) -> None:
        """Move to ``status`` at occurred time ``since`` (decisions only, so in order)."""
        self.status = status
        self.status_history.append([since, str(status)])

    def contacted(self, at: datetime) -> None:
        """A visit, mediation or follow-up at ``at``: the latest contact is the latest time."""
        if self.last_contact_at is None or at > self.last_contact_at:
            self.last_contact_at = at

    def status_at(self, at: datetime) -> str:
        """The status the case had at occurred time ``at`` (decisions are in occurred order)."""
        status = str(Status.REPORTED)
        for since, then in self.status_history:
            if since > at:
                break
            status = then
        return status

    # -- time rules (product.md §2: late entries, 补录) -------------------------------------------

    def _decision_at(self, verb: str, meta: Meta, *allowed: Status) -> None:
        """A decision may not be placed before the case's latest decision, and needs one of
        the ``allowed`` statuses now."""
        if meta.occurred_at < self.last_decision_at:
            raise BeforeLatestDecision(
                self.case_no,
                local_text(meta.occurred_at),
                local_text(self.last_decision_at),
                f"the latest decision of {self.case_no} (no {verb} may be placed before it)",
                f"{self.case_no} 最近一次决定（{word_zh('VERB', verb)}不能排在其前）",
            )
        self._require_status(verb, *allowed)

    def _require_status(self, verb: str, *allowed: Status) -> None:
        if allowed and self.status not in allowed:
            raise WrongStatus(self.case_no, verb, self.status, [str(s) for s in allowed])

    def _activity_at(self, verb: str, meta: Meta, *allowed: Status) -> None:
        """An activity may be recorded late (补录), before later events, but not before the
        report, and only where the case's status then allowed it."""
        if meta.occurred_at < self.reported_at:
            raise BeforeReport(
                self.case_no,
                local_text(meta.occurred_at),
                local_text(self.reported_at),
                f"the report of {self.case_no}",
                f"{self.case_no} 的登记",
            )
        then = self.status_at(meta.occurred_at)
        if allowed and then not in allowed:
            if meta.occurred_at >= self.last_decision_at:
                raise WrongStatus(self.case_no, verb, then, [str(s) for s in allowed])
            raise WrongStatus(
                self.case_no,
                verb,
                f"{then} at {local_text(meta.occurred_at)}",
                [str(s) for s in allowed],
            )

    # -- verbs (product.md §2) -----------------------------------------------------------------

    def grade(self, grade: Grade, reason: str, signals: Sequence[str], meta: Meta) -> None:
        """研判定级: first risk grade, red or yellow. Needs status reported; opens the case."""
        self._decision_at("grade", meta, Status.REPORTED)
        if grade not in RED_OR_YELLOW:
            raise WrongGrade(self.case_no, "grade", "red or yellow", grade)
        self.trigger_event(
            self.Graded, grade=str(grade), reason=reason, signals=list(signals), **meta.fields()
        )

    def assign(
        self, leader: str, officer: str, auxiliary: str | None, grid_worker: str | None, meta: Meta
    ) -> None:
        """Name the responsible leader and officer (分包责任领导 + 责任人); later a hand-over."""
        self._decision_at("assign", meta, Status.REPORTED, Status.OPEN, Status.OBSERVING)
        self.trigger_event(
            self.Assigned,
            leader=leader,
            officer=officer,
            auxiliary=auxiliary,
            grid_worker=grid_worker,
            **meta.fields(),
        )

    def deliberate(self, plan: str, attendees: Sequence[str], meta: Meta) -> None:
        """一案一议: the case conference and its plan. Needs an assignment by then; not while
        closed. May be recorded late."""
        self._activity_at("deliberate", meta, Status.REPORTED, Status.OPEN, Status.OBSERVING)
        if self.assigned_at is None or self.assigned_at > meta.occurred_at:
            raise NotAssigned(self.case_no)
        self.trigger_event(self.Deliberated, plan=plan, attendees=list(attendees), **meta.fields())

    def visit(self, mode: str, note: str, meta: Meta) -> None:
        """走访 or phone contact while the case is (was) open. May be recorded late."""
        self._activity_at("visit", meta, Status.OPEN)
        self.trigger_event(self.Visited, mode=mode, note=note, **meta.fields())

    def mediate(self, note: str, result: str, with_units: Sequence[str], meta: Meta) -> None:
        """调解 session (with partner units); result ``progress`` or ``failed``, while the case
        is (was) open. May be recorded late."""
        self._activity_at("mediate", meta, Status.OPEN)
        self.trigger_event(
            self.Mediated, note=note, result=result, with_units=list(with_units), **meta.fields()
        )

    def refer(self, to: str, reason: str, meta: Meta) -> int:
        """分流移交 to a partner unit. Needs open. Returns the new referral's number (1, 2, …)."""
        self._decision_at("refer", meta, Status.OPEN)
        number = len(self.referrals) + 1
        self.trigger_event(self.Referred, referral=number, to=to, reason=reason, **meta.fields())
        return number

    def record_receipt(self, referral: int, outcome: str, note: str, meta: Meta) -> None:
        """回执: the partner's answer to referral ``referral`` (accepted, handled or returned),
        not before the referral. May be recorded late.

        Raises ReferralNotFound (no such referral), ReferralAlreadyAnswered or
        OccurredOutOfOrder."""
        self._activity_at("receipt", meta)
        answered = self.referral(referral)
        if answered.get("outcome") is not None:
            raise ReferralAlreadyAnswered(self.case_no, referral)
        if meta.occurred_at < answered["referred_at"]:
            raise OccurredOutOfOrder(
                self.case_no,
                local_text(meta.occurred_at),
                local_text(answered["referred_at"]),
                f"referral {referral} of {self.case_no}",
                f"{self.case_no} 的第 {referral} 号移交",
            )
        self.trigger_event(
            self.ReceiptRecorded, referral=referral, outcome=outcome, note=note, **meta.fields()
        )

    def escalate(self, reason: str, meta: Meta) -> None:
        """升级 yellow → red. Needs open and yellow."""
        self._decision_at("escalate", meta, Status.OPEN)
        if self.current_grade != Grade.YELLOW:
            raise WrongGrade(self.case_no, "escalate", "yellow", self.current_grade)
        self.trigger_event(self.Escalated, reason=reason, **meta.fields())

    def downgrade(self, reason: str, meta: Meta) -> None:
        """降级 red → yellow. Only the case's responsible leader; needs open and red."""
        self._decision_at("downgrade", meta)
        if meta.actor != self.leader:
            raise NotResponsibleLeader(self.case_no, meta.actor, self.leader, "downgrade")
        self._require_status("downgrade", Status.OPEN)
        if self.current_grade != Grade.RED:
            raise WrongGrade(self.case_no, "downgrade", "red", self.current_grade)
        self.trigger_event(self.Downgraded, reason=reason, **meta.fields())

    def resolve(
        self, agreement: str, form: str, observe_days: int, max_gap_days: int, meta: Meta
    ) -> None:
        """化解: agreement reached; grade blue, status observing, observation starts for
        ``observe_days`` with follow-ups at most every ``max_gap_days`` (the policy's, kept with
        the resolution for the closure rule)."""
        self._decision_at("resolve", meta, Status.OPEN)
        self.trigger_event(
            self.Resolved,
            agreement=agreement,
            form=form,
            observe_days=observe_days,
            observe_until=meta.occurred_at + timedelta(days=observe_days),
            follow_up_max_gap_days=max_gap_days,
            **meta.fields(),
        )

    def follow_up(self, mode: str, note: str, meta: Meta) -> None:
        """回访 while the case is (was) observing. May be recorded late."""
        self._activity_at("follow-up", meta, Status.OBSERVING)
        self.trigger_event(self.FollowedUp, mode=mode, note=note, **meta.fields())

    def relapse(self, grade: Grade, reason: str, meta: Meta) -> None:
        """反弹: flare-up during observation or after closure; back to red or yellow, reopened."""
        self._decision_at("relapse", meta, Status.OBSERVING, Status.CLOSED)
        if grade not in RED_OR_YELLOW:
            raise WrongGrade(self.case_no, "relapse", "red or yellow", grade)
        self.trigger_event(self.Relapsed, grade=str(grade), reason=reason, **meta.fields())

    def close(self, note: str, meta: Meta) -> None:
        """销号 (product.md §3 不化解不销案). Raises ClosureRefused naming every failure and the
        earliest time the case could close."""
        self._decision_at("close", meta)
        if meta.actor == self.reporter:
            raise ReporterCannotClose(self.case_no, meta.actor)
        failures = closure_failures(self, meta.actor, meta.occurred_at)
        if failures:
            raise ClosureRefused(self.case_no, failures, earliest_close(self, meta.occurred_at))
        self.trigger_event(self.Closed, note=note, **meta.fields())

    def supervise(self, level: str, note: str, meta: Meta) -> int:
        """督办: a leader orders follow-through at ``level`` (``yellow-card`` or ``red-card``).

        Needs open or observing. Returns the new order's number (1, 2, …).
        """
        self._decision_at("supervise", meta, Status.OPEN, Status.OBSERVING)
        number = len(self.supervisions) + 1
        self.trigger_event(self.Supervised, order=number, level=level, note=note, **meta.fields())
        return number

    def answer_supervision(self, note: str, meta: Meta) -> list[int]:
        """督办反馈: the officers' answer to every supervision order open at its occurred time
        (raises NoOpenSupervision when none was). May be recorded late. Returns the numbers of
        the orders answered."""
        self._activity_at("answer-supervision", meta)
        orders = [o["order"] for o in self.open_supervisions if o["ordered_at"] <= meta.occurred_at]
        if not orders:
            raise NoOpenSupervision(self.case_no)
        own = [
            o["order"]
            for o in self.supervisions
            if o["order"] in orders and o["actor"] == meta.actor
        ]
        if own:
            raise OwnSupervisionOrder(self.case_no, meta.actor, own)
        self.trigger_event(self.SupervisionAnswered, orders=orders, note=note, **meta.fields())
        return orders

    def record_outcome(self, kind: str, ref: str, note: str, meta: Meta) -> None:
        """严重后果: a serious outcome (issue 12), in any status: it is a fact about the
        dispute, whether the case is open, observing or already closed. May be recorded late."""
        self._activity_at("outcome", meta)
        self.trigger_event(self.OutcomeRecorded, kind=kind, ref=ref, note=note, **meta.fields())

    def transfer(self, station: str, leader: str, officer: str, reason: str, meta: Meta) -> None:
        """跨所移交: the case moves to ``station`` with its new responsible leader and officer
        (the application checks they are of that station). Not while closed, not to the
        station that owns it."""
        self._decision_at("transfer", meta, Status.REPORTED, Status.OPEN, Status.OBSERVING)
        if station == self.station:
            raise SameStation(self.case_no, station)
        self.trigger_event(
            self.Transferred,
            from_station=self.station,
            station=station,
            leader=leader,
            officer=officer,
            reason=reason,
            **meta.fields(),
        )


def replay_selected(events: Iterable[Dispute.Event]) -> Dispute | None:
    """A case rebuilt from a selection of its events, in recording order — e.g. those that had
    occurred by some time (``show --as-of``): with late entries (补录) such a selection may
    skip versions, which the library's ``mutate`` refuses, so each event after the report is
    applied through its ``apply`` hook and the case takes the last selected version. None when
    the selection lacks the report."""
    case: Dispute | None = None
    for recorded in events:
        if case is None:
            if not isinstance(recorded, Dispute.Reported):
                return None
            case = recorded.mutate(None)
            continue
        recorded.apply(case)
        case.version = recorded.originator_version
        case.modified_on = recorded.timestamp
    return case


def dispute_events() -> Iterator[type[Dispute.Event]]:
    """Every concrete dispute event class, in the order the model declares them."""
    for value in vars(Dispute).values():
        if isinstance(value, type) and issubclass(value, Dispute.Event) and value.VERB:
            yield value


VERB_EVENTS: dict[str, str] = {cls.VERB: cls.event_name() for cls in dispute_events()}
"""CLI verb → the name of the event it records (one word per concept, product.md §2)."""
