"""The refusals of the reward verbs (issue 13): each names the rule, in Chinese (``zh``) and
English, and says what would make the command succeed."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from disputes.domain.errors import NotFound, RuleViolation
from disputes.domain.jurisdiction import ROLE_ZH
from disputes.domain.roster import Role


class RewardStatus(StrEnum):
    """Where a reward stands."""

    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    PAID = "paid"
    CANCELLED = "cancelled"


STATUS_ZH = {
    RewardStatus.PROPOSED: "待审批",
    RewardStatus.APPROVED: "已批准",
    RewardStatus.REJECTED: "已驳回",
    RewardStatus.PAID: "已发放",
    RewardStatus.CANCELLED: "已撤销",
}

STANDING = (RewardStatus.PROPOSED, RewardStatus.APPROVED, RewardStatus.PAID)
"""The statuses in which a reward counts against "one per informant per case"."""


class RewardNotFound(NotFound):
    def __init__(self, reward_no: str) -> None:
        super().__init__(f"reward {reward_no} not found", zh=f"找不到奖励 {reward_no}")
        self.reward_no = reward_no


class RewardRuleViolation(RuleViolation):
    """A reward command refused by a rule of issue 13."""


class NotTheInformant(RewardRuleViolation):
    """A reward goes to the case's informant: the grid worker who reported it, or the informant
    the report named (an officer recording a tip)."""

    def __init__(self, case_no: str, informant: str, actual: str | None) -> None:
        whose = f"its informant is {actual}" if actual else "it names no informant"
        zh_whose = f"该案信息员为 {actual}" if actual else "该案登记时未填写信息员"
        super().__init__(
            f"informant rule: {case_no} was not reported by {informant} nor from their tip "
            f"({whose}); propose the reward for the case's informant",
            zh=f"信息员规则：{case_no} 不是 {informant} 报告或提供线索的（{zh_whose}）；"
            "奖励只能发给该案的信息员",
        )


class CaseNotGraded(RewardRuleViolation):
    """A reward is proposed only on a case that has been graded (研判定级)."""

    def __init__(self, case_no: str) -> None:
        super().__init__(
            f"grading rule: {case_no} has not been graded; grade it (研判定级) before "
            "proposing a reward",
            zh=f"定级规则：{case_no} 尚未研判定级，不能申报奖励；请先研判定级",
        )


class AmountOutOfRange(RewardRuleViolation):
    """The policy's amount range of the reward's kind (``[rewards.kinds]``)."""

    def __init__(self, kind: str, kind_zh: str, amount: int, low: int, high: int) -> None:
        super().__init__(
            f"amount rule: a {kind} reward is {low}–{high} yuan by the policy, not {amount}; "
            "propose an amount in that range",
            zh=f"奖励金额规则：{kind_zh}奖励金额须在 {low}–{high} 元之间，申报了 {amount} 元；"
            "请按政策范围申报",
        )


class OnePerInformantPerCase(RewardRuleViolation):
    """At most one reward of a kind the policy marks ``once_per_informant_per_case`` (the
    prevention reward) per informant and case; a rejected or cancelled one does not count."""

    def __init__(
        self, case_no: str, informant: str, kind_zh: str, existing: str, status: str
    ) -> None:
        zh_status = STATUS_ZH.get(RewardStatus(status), status)
        super().__init__(
            f"one-per-case rule: {informant} already has reward {existing} ({status}) of this "
            f"kind on {case_no}; cancel it first to propose another",
            zh=f"每案每人一次规则：{informant} 在 {case_no} 已有{kind_zh}奖励 {existing}"
            f"（{zh_status}），不能重复申报；如需更改，请先撤销原奖励",
        )


class ApproverIsProposer(RewardRuleViolation):
    """Four eyes (四眼原则): the leader who approves or rejects is not the proposer."""

    def __init__(self, reward_no: str, actor: str) -> None:
        super().__init__(
            f"four-eyes rule: {actor} proposed {reward_no} and may not approve or reject it; "
            "another leader of the station decides",
            zh=f"四眼原则：{actor} 申报了奖励 {reward_no}，不能自己审批（批准或驳回）；"
            "须由本所另一位领导审批",
        )


class PayerTookPart(RewardRuleViolation):
    """The person who pays neither proposed nor approved the reward."""

    def __init__(self, reward_no: str, actor: str, part: str) -> None:
        zh_part = {"proposed": "申报", "approved": "审批"}.get(part, part)
        super().__init__(
            f"separation of duties: {actor} {part} {reward_no} and may not pay it; a "
            "finance person who took no part in it pays",
            zh=f"职责分离规则：{actor} {zh_part}了奖励 {reward_no}，不能再发放；"
            "须由未参与申报和审批的财务人员发放",
        )


class PayerRoleRequired(RewardRuleViolation):
    """Only the policy's paying role (``[rewards] payer_role``) pays a reward."""

    def __init__(self, reward_no: str, actor: str, role: str, payer_role: str) -> None:
        payer_zh = ROLE_ZH.get(Role(payer_role), payer_role)
        super().__init__(
            f"payment rule: {reward_no} is paid by a person of role {payer_role}; {actor} is "
            f"{role}",
            zh=f"发放规则：奖励 {reward_no} 须由{payer_zh}发放，"
            f"{actor} 是{ROLE_ZH.get(Role(role), role)}；请由{payer_zh}发放",
        )


class RewardWrongStatus(RewardRuleViolation):
    """The reward's status does not allow the verb: approval and rejection need a proposed
    reward, payment an approved one, cancellation one not paid, rejected or cancelled."""

    FIX: ClassVar[dict[str, tuple[str, str]]] = {
        "approve-reward": ("only a proposed reward is approved", "只能审批待审批的奖励"),
        "reject-reward": ("only a proposed reward is rejected", "只能驳回待审批的奖励"),
        "pay-reward": ("a leader approves it first", "须先经领导审批后才能发放"),
        "cancel-reward": (
            "only a proposed or approved reward is cancelled",
            "只能撤销待审批或已批准的奖励",
        ),
    }

    def __init__(self, reward_no: str, verb: str, status: str) -> None:
        fix, zh_fix = self.FIX.get(verb, ("", ""))
        zh_status = STATUS_ZH.get(RewardStatus(status), status)
        super().__init__(
            f"reward status rule: cannot {verb} {reward_no} while it is {status}; {fix}",
            zh=f"奖励状态规则：奖励 {reward_no} 当前{zh_status}，不能办理；{zh_fix}",
        )
        self.status = status


class PaidAmountDiffers(RewardRuleViolation):
    """The amount paid is the amount approved."""

    def __init__(self, reward_no: str, approved: int, paid: int) -> None:
        super().__init__(
            f"payment rule: {reward_no} was approved for {approved} yuan; pay that amount, "
            f"not {paid}",
            zh=f"发放规则：奖励 {reward_no} 批准金额为 {approved} 元，发放金额须与之相同"
            f"（填写了 {paid} 元）",
        )
