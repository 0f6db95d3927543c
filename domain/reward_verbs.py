"""The reward verbs of the application (issue 13): propose, approve, reject, pay, cancel.

Each is declared with ``@handles`` like the case verbs (:mod:`disputes.domain.application`):
what all verbs share — command ids, the actor's role and the clock, retries on a version
conflict — is done around it. Jurisdiction is judged with the roster of the occurred time:
proposing needs a police role in scope of the case, approving and rejecting a leader in scope,
paying the policy's paying role (``[rewards] payer_role``) of the case's station or district.
"""

from __future__ import annotations

from eventsourcing.application import AggregateNotFoundError

from disputes.domain import commands as c
from disputes.domain.clock import SHANGHAI
from disputes.domain.errors import CommandIdReused, InvalidInput, OutOfScope
from disputes.domain.jurisdiction import CaseScope, check_act, station_of
from disputes.domain.model import Dispute
from disputes.domain.policy import RewardKind
from disputes.domain.reward_refusals import (
    AmountOutOfRange,
    CaseNotGraded,
    NotTheInformant,
    OnePerInformantPerCase,
    PayerRoleRequired,
    RewardNotFound,
)
from disputes.domain.rewards import (
    REWARD_VERB_EVENTS,
    CaseRewards,
    Reward,
    RewardNumbers,
    case_rewards_id,
    reward_id,
    reward_numbers_id,
    standing_reward,
)
from disputes.domain.roster import Role, Roster, UnitKind
from disputes.domain.service import CommandService, Outcome, handles


class RewardVerbs(CommandService):
    """The reward verbs, and the reads they need (a reward, a case's informant)."""

    name = "disputes"

    @handles(c.ProposeReward)
    def propose_reward(self, command: c.ProposeReward) -> Outcome:
        """申报奖励: on a graded case, for its informant, an amount in the policy's range, at
        most one reward of a once-per-case kind (prevention) per informant and case."""
        case = self.case_for(command)
        kind = self.reward_kind(command.kind)
        meta = self.meta(command)
        informant = self.informant_of(case)
        named = command.informant or informant
        if named is None or named != informant:
            raise NotTheInformant(case.case_no, named or "?", informant)
        if case.graded_at is None or case.graded_at > meta.occurred_at:
            raise CaseNotGraded(case.case_no)
        if not kind.minimum_yuan <= command.amount <= kind.maximum_yuan:
            raise AmountOutOfRange(
                command.kind, kind.zh, command.amount, kind.minimum_yuan, kind.maximum_yuan
            )
        book = self._case_rewards(case.case_no)
        if kind.once_per_informant_per_case:
            earlier = [self.get_reward(number) for number in book.rewards]
            standing = standing_reward(earlier, named, command.kind)
            if standing is not None:
                raise OnePerInformantPerCase(
                    case.case_no, named, kind.zh, standing.reward_no, standing.status
                )
        numbers = self._reward_numbers(case.district, meta.occurred_at.astimezone(SHANGHAI).year)
        reward = Reward(
            reward_no=numbers.allocate(),
            case_no=case.case_no,
            district=case.district,
            station=case.station,
            village=case.village,
            informant=named,
            kind=command.kind,
            amount=command.amount,
            reason=command.reason,
            **meta.fields(),
        )
        book.list_reward(reward.reward_no, command.command_id)
        return self._save_reward(command, reward, numbers, book)

    @handles(c.ApproveReward)
    def approve_reward(self, command: c.ApproveReward) -> Outcome:
        """审批: a leader in scope of the case, not the proposer (four eyes)."""
        reward = self.reward_for(command)
        reward.approve(command.note, self.meta(command))
        return self._save_reward(command, reward)

    @handles(c.RejectReward)
    def reject_reward(self, command: c.RejectReward) -> Outcome:
        """驳回: a leader in scope of the case, not the proposer."""
        reward = self.reward_for(command)
        reward.reject(command.reason, self.meta(command))
        return self._save_reward(command, reward)

    @handles(c.PayReward)
    def pay_reward(self, command: c.PayReward) -> Outcome:
        """发放: the policy's paying role of the case's station or district, neither proposer
        nor approver, after approval, the approved amount."""
        reward = self.get_reward(command.reward_no)
        self.check_payer(self.roster_for(command), command.actor, reward)
        reward.pay(command.voucher, command.paid_amount, self.meta(command))
        return self._save_reward(command, reward)

    @handles(c.CancelReward)
    def cancel_reward(self, command: c.CancelReward) -> Outcome:
        """撤销: police roles in scope of the case, before payment."""
        reward = self.reward_for(command)
        reward.cancel(command.reason, self.meta(command))
        return self._save_reward(command, reward)

    # -- what the reward verbs share -----------------------------------------------------------

    def reward_kind(self, kind: str) -> RewardKind:
        """The policy's reward kind; raises InvalidInput (field ``kind``) for an unknown one."""
        kinds = self.policy.rewards.kinds
        if kind not in kinds:
            raise InvalidInput("kind", f"'{kind}' is not in the policy; known: {', '.join(kinds)}")
        return kinds[kind]

    def informant_of(self, case: Dispute) -> str | None:
        """The case's informant: the one its report names, else (reports recorded before
        informants were kept) its reporter when a grid worker, else None."""
        if case.informant:
            return case.informant
        reporter = self.roster_at(case.reported_at).people.get(case.reporter)
        return case.reporter if reporter and reporter.role is Role.GRID_WORKER else None

    def get_reward(self, reward_no: str) -> Reward:
        """Replay a reward. Raises :class:`RewardNotFound`."""
        try:
            reward: Reward = self.repository.get(reward_id(reward_no))
        except AggregateNotFoundError:
            raise RewardNotFound(reward_no) from None
        return reward

    def reward_for(self, command: c.RewardCommand) -> Reward:
        """The command's reward, once the actor's jurisdiction over its case is checked with
        the roster of the occurred time (the case's owning station now)."""
        reward = self.get_reward(command.reward_no)
        case = self.get_case(reward.case_no)
        check_act(self.roster_for(command), command.actor, command.verb, CaseScope.of(case))
        return reward

    def check_payer(self, roster: Roster, actor: str, reward: Reward) -> None:
        """The payer has the policy's paying role, in the district or the case's station."""
        person = roster.person(actor)
        payer_role = self.policy.rewards.payer_role
        if person.role != payer_role:
            raise PayerRoleRequired(reward.reward_no, actor, str(person.role), payer_role)
        unit = roster.units.get(person.unit)
        if unit is not None and unit.kind is UnitKind.DISTRICT and unit.code == reward.district:
            return
        station = station_of(roster, person)
        if station == reward.station:
            return
        owner = roster.units.get(reward.station)
        owner_name = owner.name if owner else reward.station
        raise OutOfScope(
            actor,
            f"pay-reward {reward.reward_no}",
            f"the reward is of station {reward.station}, they pay for {station or person.unit}",
            zh_who=person.name,
            zh_what=f"发放奖励 {reward.reward_no}（该奖励属{owner_name}）",
            zh_fix=f"请由{owner_name}或区局的财务人员发放",
        )

    def earlier_reward_answer(self, command: c.Command) -> Outcome | None:
        """The first answer to a reward command id recorded before (nothing is stored again);
        CommandIdReused when the id recorded another verb."""
        if isinstance(command, c.ProposeReward):
            try:
                book: CaseRewards = self.repository.get(case_rewards_id(command.case_no))
            except AggregateNotFoundError:
                return None
            number = book.proposals.get(command.command_id)
            if number is None:
                return None
            reward = self.get_reward(number)
        else:
            assert isinstance(command, c.RewardCommand)
            try:
                reward = self.get_reward(command.reward_no)
            except RewardNotFound:
                return None
        answer = reward.command_ids.get(command.command_id)
        if answer is None:
            return None
        if answer["verb"] != command.verb:
            raise CommandIdReused(command.command_id, f"`{answer['verb']}` on {reward.reward_no}")
        return Outcome(
            reward.case_no,
            command.verb,
            REWARD_VERB_EVENTS[command.verb],
            int(answer["version"]),
            str(answer["status"]),
            None,
            duplicate=True,
            reward=reward.reward_no,
        )

    def _case_rewards(self, case_no: str) -> CaseRewards:
        try:
            book: CaseRewards = self.repository.get(case_rewards_id(case_no))
        except AggregateNotFoundError:
            book = CaseRewards(case_no=case_no)
        return book

    def _reward_numbers(self, district: str, year: int) -> RewardNumbers:
        try:
            numbers: RewardNumbers = self.repository.get(reward_numbers_id(district, year))
        except AggregateNotFoundError:
            numbers = RewardNumbers(district=district, year=year)
        return numbers

    def _save_reward(
        self, command: c.Command, reward: Reward, *others: RewardNumbers | CaseRewards
    ) -> Outcome:
        """Save the reward (with ``others`` and, the first time, the policy record) in one
        transaction; answer with its event and status."""
        event = reward.pending_events[-1]
        assert isinstance(event, Reward.Event)
        self.save(*others, reward, self._adopt_policy())
        return Outcome(
            reward.case_no,
            command.verb,
            event.name,
            reward.version,
            str(reward.status),
            None,
            reward=reward.reward_no,
        )
