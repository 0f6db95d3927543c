"""Informant rewards (治安信息员奖励, issue 13): a reward is its own aggregate.

A reward is proposed on a graded case for the case's informant (the grid worker who reported
it, or the informant the report names), approved or rejected by a leader who is not the
proposer, and paid by the policy's paying role (``[rewards] payer_role``, finance) — a person
who neither proposed nor approved it — only after approval. It may be cancelled before payment.

::

    proposed ──approve──▶ approved ──pay──▶ paid
       │  └──reject──▶ rejected       │
       └──cancel──▶ cancelled ◀──cancel┘

Beside each reward: :class:`RewardNumbers` numbers rewards per district and year
(``HY-2021-R0001``), and :class:`CaseRewards` lists the rewards of one case, so that "at most
one prevention reward per informant per case" is decided on stored state, not a read model
(saved in the same transaction as the new reward: two proposals at once meet a version conflict
and the loser is decided again).

The refusals name the rule, in Chinese (``zh``) and English, and say what would make the
command succeed; they are in :mod:`disputes.domain.reward_refusals`, with the reward statuses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import field
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from disputes.domain.clock import local_text
from disputes.domain.errors import OccurredOutOfOrder
from disputes.domain.reward_refusals import (
    STANDING,
    ApproverIsProposer,
    PaidAmountDiffers,
    PayerTookPart,
    RewardStatus,
    RewardWrongStatus,
)
from disputes.domain.values import NAMESPACE, Meta

REWARD_NO = r"^[A-Za-z0-9]+-\d{4}-R\d{4,}$"
"""A reward number: ``<district>-<year>-R<NNNN>`` (``HY-2021-R0001``)."""


def reward_id(reward_no: str) -> UUID:
    """The aggregate id of a reward number (deterministic: no look-up needed)."""
    return uuid5(NAMESPACE, f"reward:{reward_no}")


def reward_numbers_id(district: str, year: int) -> UUID:
    """The aggregate id of a district's reward-number sequence for one year."""
    return uuid5(NAMESPACE, f"reward-numbers:{district}:{year}")


def case_rewards_id(case_no: str) -> UUID:
    """The aggregate id of the list of one case's rewards."""
    return uuid5(NAMESPACE, f"case-rewards:{case_no}")


# -- the aggregates ------------------------------------------------------------------------------


class RewardNumbers(Aggregate):
    """The reward-number sequence of one district and year: ``HY-2021-R0001`` …"""

    TOPIC: ClassVar[str] = "disputes:RewardNumbers"

    class Event(Aggregate.Event):
        TOPIC = "disputes:RewardNumbers.Event"

    class Started(Event, Aggregate.Created):
        TOPIC = "disputes:RewardNumbers.Started"
        district: str
        year: int

    class Allocated(Event):
        TOPIC = "disputes:RewardNumbers.Allocated"
        number: int

    @staticmethod
    def create_id(district: str, year: int) -> UUID:
        return reward_numbers_id(district, year)

    @event(Started)
    def __init__(self, district: str, year: int) -> None:
        self.district = district
        self.year = year
        self.last = 0

    def allocate(self) -> str:
        """Take the next number; returns the reward number ``<district>-<year>-R<NNNN>``."""
        self._allocated(number=self.last + 1)
        return f"{self.district}-{self.year}-R{self.last:04d}"

    @event(Allocated)
    def _allocated(self, number: int) -> None:
        self.last = number


class CaseRewards(Aggregate):
    """The rewards proposed on one case, with the command id that proposed each (a retried
    proposal answers as the first time)."""

    TOPIC: ClassVar[str] = "disputes:CaseRewards"

    class Event(Aggregate.Event):
        TOPIC = "disputes:CaseRewards.Event"

    class Started(Event, Aggregate.Created):
        TOPIC = "disputes:CaseRewards.Started"
        case_no: str

    class Listed(Event):
        TOPIC = "disputes:CaseRewards.Listed"
        reward_no: str
        command_id: str

    @staticmethod
    def create_id(case_no: str) -> UUID:
        return case_rewards_id(case_no)

    @event(Started)
    def __init__(self, case_no: str) -> None:
        self.case_no = case_no
        self.rewards: list[str] = []
        self.proposals: dict[str, str] = {}
        """Command id → the reward it proposed."""

    def list_reward(self, reward_no: str, command_id: str) -> None:
        self._listed(reward_no=reward_no, command_id=command_id)

    @event(Listed)
    def _listed(self, reward_no: str, command_id: str) -> None:
        self.rewards = [*self.rewards, reward_no]
        self.proposals = {**self.proposals, command_id: reward_no}


class RewardEvent(Aggregate.Event):
    """Every reward event: who, when, under which policy, for which command."""

    TOPIC = "disputes:Reward.Event"
    VERB: ClassVar[str] = ""

    actor: str
    occurred_at: datetime
    policy_version: str
    command_id: str
    os_user: str | None = field(default=None, kw_only=True)
    """Local mode: the operating-system account beside the actor (docs/trust.md §3)."""

    @property
    def name(self) -> str:
        """The event's stable name: the last part of its topic (``RewardProposed``)."""
        topic: str = getattr(type(self), "TOPIC", type(self).__name__)
        return topic.rsplit(".", 1)[-1]

    def apply(self, aggregate: Any) -> None:
        assert isinstance(aggregate, Reward)
        self.evolve(aggregate)
        aggregate.last_occurred_at = self.occurred_at
        aggregate.command_ids = {
            **aggregate.command_ids,
            self.command_id: {
                "verb": self.VERB,
                "version": self.originator_version,
                "status": str(aggregate.status),
            },
        }

    def evolve(self, reward: Reward) -> None:
        """This event's change to the reward's state."""


class RewardProposed(RewardEvent, Aggregate.Created):
    TOPIC = "disputes:Reward.RewardProposed"
    VERB = "propose-reward"
    reward_no: str
    case_no: str
    district: str
    station: str
    village: str
    informant: str
    kind: str
    amount: int
    reason: str


class RewardApproved(RewardEvent):
    TOPIC = "disputes:Reward.RewardApproved"
    VERB = "approve-reward"
    note: str

    def evolve(self, reward: Reward) -> None:
        reward.status = RewardStatus.APPROVED
        reward.approved_by = self.actor


class RewardRejected(RewardEvent):
    TOPIC = "disputes:Reward.RewardRejected"
    VERB = "reject-reward"
    reason: str

    def evolve(self, reward: Reward) -> None:
        reward.status = RewardStatus.REJECTED
        reward.rejected_by = self.actor


class RewardPaid(RewardEvent):
    TOPIC = "disputes:Reward.RewardPaid"
    VERB = "pay-reward"
    voucher: str
    paid_amount: int

    def evolve(self, reward: Reward) -> None:
        reward.status = RewardStatus.PAID
        reward.paid_by = self.actor


class RewardCancelled(RewardEvent):
    TOPIC = "disputes:Reward.RewardCancelled"
    VERB = "cancel-reward"
    reason: str

    def evolve(self, reward: Reward) -> None:
        reward.status = RewardStatus.CANCELLED


class Reward(Aggregate):
    """One informant reward (治安信息员奖励), from proposal to payment."""

    TOPIC: ClassVar[str] = "disputes:Reward"

    Event = RewardEvent
    Proposed = RewardProposed
    Approved = RewardApproved
    Rejected = RewardRejected
    Paid = RewardPaid
    Cancelled = RewardCancelled

    @staticmethod
    def create_id(reward_no: str, **_: Any) -> UUID:
        return reward_id(reward_no)

    @event(RewardProposed)
    def __init__(
        self,
        *,
        reward_no: str,
        case_no: str,
        district: str,
        station: str,
        village: str,
        informant: str,
        kind: str,
        amount: int,
        reason: str,
        actor: str,
        occurred_at: datetime,
        policy_version: str,
        command_id: str,
        os_user: str | None = None,
    ) -> None:
        """Proposed: the application has checked the case, the informant and the policy."""
        self.reward_no = reward_no
        self.case_no = case_no
        self.district = district
        self.station = station
        self.village = village
        self.informant = informant
        self.kind = kind
        self.amount = amount
        self.reason = reason
        self.proposed_by = actor
        self.proposed_at = occurred_at
        self.last_occurred_at = occurred_at
        self.status: str = RewardStatus.PROPOSED
        self.approved_by: str | None = None
        self.rejected_by: str | None = None
        self.paid_by: str | None = None
        self.command_ids: dict[str, dict[str, Any]] = {}

    # -- verbs ---------------------------------------------------------------------------------

    def _require(self, verb: str, meta: Meta, *allowed: RewardStatus) -> None:
        """The reward's status allows ``verb``, and it occurs no earlier than the reward's
        latest event."""
        if self.status not in allowed:
            raise RewardWrongStatus(self.reward_no, verb, self.status)
        if meta.occurred_at < self.last_occurred_at:
            raise OccurredOutOfOrder(
                self.reward_no,
                local_text(meta.occurred_at),
                local_text(self.last_occurred_at),
                f"the latest event of reward {self.reward_no}",
            )

    def approve(self, note: str, meta: Meta) -> None:
        """审批通过: a proposed reward, by a leader who did not propose it."""
        self._require("approve-reward", meta, RewardStatus.PROPOSED)
        if meta.actor == self.proposed_by:
            raise ApproverIsProposer(self.reward_no, meta.actor)
        self.trigger_event(RewardApproved, note=note, **meta.fields())

    def reject(self, reason: str, meta: Meta) -> None:
        """驳回: a proposed reward, by a leader who did not propose it."""
        self._require("reject-reward", meta, RewardStatus.PROPOSED)
        if meta.actor == self.proposed_by:
            raise ApproverIsProposer(self.reward_no, meta.actor)
        self.trigger_event(RewardRejected, reason=reason, **meta.fields())

    def pay(self, voucher: str, paid_amount: int, meta: Meta) -> None:
        """发放: an approved reward, the approved amount, by someone who neither proposed nor
        approved it (the paying role is the application's check)."""
        self._require("pay-reward", meta, RewardStatus.APPROVED)
        if meta.actor == self.proposed_by:
            raise PayerTookPart(self.reward_no, meta.actor, "proposed")
        if meta.actor == self.approved_by:
            raise PayerTookPart(self.reward_no, meta.actor, "approved")
        if paid_amount != self.amount:
            raise PaidAmountDiffers(self.reward_no, self.amount, paid_amount)
        self.trigger_event(RewardPaid, voucher=voucher, paid_amount=paid_amount, **meta.fields())

    def cancel(self, reason: str, meta: Meta) -> None:
        """撤销: a proposed or approved reward (not once paid)."""
        self._require("cancel-reward", meta, RewardStatus.PROPOSED, RewardStatus.APPROVED)
        self.trigger_event(RewardCancelled, reason=reason, **meta.fields())


def standing_reward(rewards: Sequence[Reward], informant: str, kind: str) -> Reward | None:
    """The reward of ``kind`` for ``informant`` among ``rewards`` that still stands (proposed,
    approved or paid), or None."""
    for reward in rewards:
        if reward.informant == informant and reward.kind == kind and reward.status in STANDING:
            return reward
    return None


def reward_events() -> list[type[RewardEvent]]:
    """Every concrete reward event class."""
    return [RewardProposed, RewardApproved, RewardRejected, RewardPaid, RewardCancelled]


REWARD_VERB_EVENTS: dict[str, str] = {
    cls.VERB: cls.TOPIC.rsplit(".", 1)[-1] for cls in reward_events()
}
"""Reward verb → the name of the event it records."""
