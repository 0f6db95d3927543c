"""Executable policy: features/rewards.feature (信息员奖励, issue 13).

The steps of rewards live here, beside the shared library of conftest.py: people the sample
roster lacks (a finance person, an enrolled informant) join it in Given steps; a When step
issues one reward command and keeps its answer or its refusal on the duty desk, so the shared
refusal steps (被拒绝：…, 拒绝理由为：…) read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from disputes.domain.application import Outcome
from disputes.domain.clock import parse_time
from disputes.domain.commands import build_command
from disputes.domain.errors import DisputesError
from disputes.domain.reward_refusals import STATUS_ZH
from disputes.domain.roster import RosterChange
from tests.features.desk import Desk
from tests.features.words import NAMES, POLICY, TYPES, Word, chinese_number

scenarios("rewards.feature")

JOINED = parse_time("2022-01-01 08:00")
"""When the people a scenario adds join the roster (before any scenario's clock)."""

NEWCOMERS = {
    "钱会计": ("F-HY-01", "finance", "HY"),
    "赵出纳": ("F-DM-01", "finance", "DM"),
    "周信息": ("I-WD-V01-01", "informant", "WD-V01"),
}
"""People the sample roster lacks: 区局财务 钱会计, 豆门派出所财务 赵出纳, 东岗村信息员 周信息."""

EVERYONE = {**NAMES, **{name: person_id for name, (person_id, _, _) in NEWCOMERS.items()}}
POSTS = ("区局领导", "分包领导", "领导", "社区民警", "专职辅警", "网格员", "财务人员", "信息员")
KINDS = {label.zh: code for code, label in POLICY.rewards.kinds.items()}
STATUSES = {zh: str(status) for status, zh in STATUS_ZH.items()}


def _anyone(text: str) -> str:
    post = next((p for p in sorted(POSTS, key=len, reverse=True) if text.startswith(p)), "")
    return EVERYONE[text.removeprefix(post)]


def _alternatives(words: Any) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


STEP_TYPES = {
    **TYPES,
    "Anyone": Word(f"(?:{_alternatives(POSTS)})?(?:{_alternatives(EVERYONE)})", _anyone),
    "Kind": Word(_alternatives(KINDS), KINDS.__getitem__),
    "RewardStatus": Word(_alternatives(STATUSES), STATUSES.__getitem__),
    "Yuan": Word(r"\d+", int),
}


def says(text: str) -> parsers.parse:
    return parsers.parse(text, extra_types=STEP_TYPES)


@dataclass
class Rewards:
    """The reward in hand (the last proposed) and the events of rewards before the When step."""

    reward_no: str | None = None
    ids: Any = field(default_factory=lambda: count(1))
    rows_before: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def rewards() -> Rewards:
    return Rewards()


def send(desk: Desk, rewards: Rewards, verb: str, actor: str, **args: Any) -> Outcome:
    """Issue one reward command now on the case or the reward in hand; raises when refused."""
    data: dict[str, Any] = {
        "actor": actor,
        "at": desk.clock.now.isoformat(),
        "command_id": f"reward-{next(rewards.ids)}",
        **args,
    }
    if verb == "propose-reward":
        data["case"] = desk.case_no
    else:
        data["reward"] = rewards.reward_no
    outcome = desk.store.execute(build_command(verb, data, desk.store.policy.limits))
    desk.answers.append(outcome)
    rewards.reward_no = outcome.reward
    return outcome


def attempt(desk: Desk, rewards: Rewards, verb: str, actor: str, **args: Any) -> None:
    """A When step: keep the answer or the refusal (on the desk, for the shared steps)."""
    rewards.rows_before = desk.store.rewards()
    try:
        send(desk, rewards, verb, actor, **args)
    except DisputesError as error:
        desk.refusal = error


# == Given ======================================================================================


@given(says("花名册上有{name}"))
def joined(desk: Desk, name: str) -> None:
    """``花名册上有区局财务人员钱会计`` (the post is said, the newcomer known by name)."""
    person_id, role, unit = NEWCOMERS[name[-3:]]
    person = {"id": person_id, "name": name[-3:], "role": role, "unit": unit}
    desk.store.app.change_roster(RosterChange(JOINED, "person-added", {"person": person}))


@given(says("{actor:Anyone}根据{informant:Anyone}提供的线索登记了一起{village:Village}的纠纷"))
def reported_from_tip(desk: Desk, actor: str, informant: str, village: str) -> None:
    desk.record(
        "report",
        actor,
        village=village,
        category="neighbour",
        source="informant",
        summary="电话举报：两家因宅基地争执，扬言动手",
        informant=informant,
    )


@given(says("{actor:Anyone}已为该案信息员申报{amount:Yuan}元的{kind:Kind}奖励"))
def proposed(desk: Desk, rewards: Rewards, actor: str, amount: int, kind: str) -> None:
    send(desk, rewards, "propose-reward", actor, kind=kind, amount=amount, reason="及时报告")


@given(says("{actor:Anyone}已批准该奖励"))
def approved(desk: Desk, rewards: Rewards, actor: str) -> None:
    send(desk, rewards, "approve-reward", actor, note="同意")


@given(says("{actor:Anyone}已驳回该奖励"))
def rejected(desk: Desk, rewards: Rewards, actor: str) -> None:
    send(desk, rewards, "reject-reward", actor, reason="线索与案件关联不足")


@given(says("{actor:Anyone}已撤销该奖励"))
def cancelled(desk: Desk, rewards: Rewards, actor: str) -> None:
    send(desk, rewards, "cancel-reward", actor, reason="申报有误")


@given(says("{actor:Anyone}已发放该奖励{amount:Yuan}元"))
def paid(desk: Desk, rewards: Rewards, actor: str, amount: int) -> None:
    send(desk, rewards, "pay-reward", actor, voucher="PZ-2022-001", paid_amount=amount)


# == When =======================================================================================


@when(says("{actor:Anyone}为该案信息员申报{amount:Yuan}元的{kind:Kind}奖励"))
def propose(desk: Desk, rewards: Rewards, actor: str, amount: int, kind: str) -> None:
    attempt(desk, rewards, "propose-reward", actor, kind=kind, amount=amount, reason="及时报告")


@when(says("{actor:Anyone}为{informant:Anyone}申报{amount:Yuan}元的{kind:Kind}奖励"))
def propose_for(
    desk: Desk, rewards: Rewards, actor: str, informant: str, amount: int, kind: str
) -> None:
    attempt(
        desk,
        rewards,
        "propose-reward",
        actor,
        informant=informant,
        kind=kind,
        amount=amount,
        reason="及时报告",
    )


@when(says("{actor:Anyone}批准该奖励"))
def approve(desk: Desk, rewards: Rewards, actor: str) -> None:
    attempt(desk, rewards, "approve-reward", actor, note="同意")


@when(says("{actor:Anyone}驳回该奖励"))
def reject(desk: Desk, rewards: Rewards, actor: str) -> None:
    attempt(desk, rewards, "reject-reward", actor, reason="线索与案件关联不足")


@when(says("{actor:Anyone}撤销该奖励"))
def cancel(desk: Desk, rewards: Rewards, actor: str) -> None:
    attempt(desk, rewards, "cancel-reward", actor, reason="申报有误")


@when(says("{actor:Anyone}发放该奖励{amount:Yuan}元，凭证号 {voucher}"))
def pay(desk: Desk, rewards: Rewards, actor: str, amount: int, voucher: str) -> None:
    attempt(desk, rewards, "pay-reward", actor, voucher=voucher.strip(), paid_amount=amount)


# == Then =======================================================================================


@then(says("奖励编号为 {reward_no}"))
def reward_number_is(desk: Desk, rewards: Rewards, reward_no: str) -> None:
    assert desk.refusal is None, desk.refusal.message
    assert rewards.reward_no == reward_no.strip()


@then(says("奖励状态为{status:RewardStatus}"))
def reward_status_is(desk: Desk, rewards: Rewards, status: str) -> None:
    assert desk.refusal is None, desk.refusal.message
    [row] = [r for r in desk.store.rewards() if r["reward_no"] == rewards.reward_no]
    assert row["status"] == status


@then(says("奖励名单上有{count:Number}笔奖励"))
def rewards_listed(desk: Desk, count: int) -> None:
    assert len(desk.store.rewards()) == count


@then(says("奖励名单上该笔奖励为 {amount:Yuan} 元，已发放 {paid_amount:Yuan} 元，凭证号 {voucher}"))
def reward_row(desk: Desk, rewards: Rewards, amount: int, paid_amount: int, voucher: str) -> None:
    [row] = [r for r in desk.store.rewards() if r["reward_no"] == rewards.reward_no]
    assert (row["amount"], row["paid_amount"], row["voucher"]) == (amount, paid_amount, voucher)


@then("奖励没有新增记录")
def no_reward_recorded(desk: Desk, rewards: Rewards) -> None:
    assert desk.store.rewards() == rewards.rows_before


@then(says("{reader:Anyone}在奖励名单上看到的信息员为{shown}"))
def informant_seen_as(desk: Desk, reader: str, shown: str) -> None:
    [row] = desk.store.rewards(reader)
    seen = " ".join(part for part in (row["informant"], row["informant_name"]) if part)
    assert seen == shown.strip()


@then(says("{reader:Anyone}按信息员{informant:Anyone}查找奖励名单，找到{count:Number}笔"))
def found_by_informant(desk: Desk, reader: str, informant: str, count: int) -> None:
    assert len(desk.store.rewards(reader, informant=informant)) == count


_ = chinese_number  # the Number word of the shared library reads 三百 as well as 300
