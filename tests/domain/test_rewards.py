"""Issue 13: informants and their rewards, through the application on the in-memory store —
given events, when a reward command, expect its events or its refusal (nothing stored)."""

from __future__ import annotations

from typing import Any

import pytest

from disputes.domain.application import DisputesApp
from disputes.domain.errors import (
    CommandIdReused,
    InvalidInput,
    OccurredOutOfOrder,
    OutOfScope,
    RoleNotAllowed,
)
from disputes.domain.policy import Policy, load_policy
from disputes.domain.reward_refusals import (
    AmountOutOfRange,
    ApproverIsProposer,
    CaseNotGraded,
    NotTheInformant,
    OnePerInformantPerCase,
    PaidAmountDiffers,
    PayerRoleRequired,
    PayerTookPart,
    RewardNotFound,
    RewardWrongStatus,
)
from disputes.domain.rewards import Reward
from disputes.domain.roster import RosterChange
from tests.domain.support import (
    GRID,
    LEADER,
    OTHER_LEADER,
    POLICE,
    T0,
    Driver,
    day,
    new_app,
)

FINANCE = "F-HY-01"
STATION_FINANCE = "F-DM-01"
INFORMANT = "I-WD-V01-01"


def enrol(app: DisputesApp) -> None:
    """The finance people (district, and station DM) and an enrolled informant of WD-V01."""
    for person in (
        {"id": FINANCE, "name": "钱会计", "role": "finance", "unit": "HY"},
        {"id": STATION_FINANCE, "name": "赵出纳", "role": "finance", "unit": "DM"},
        {"id": INFORMANT, "name": "周信息", "role": "informant", "unit": "WD-V01"},
    ):
        app.change_roster(RosterChange(T0.replace(year=2020), "person-added", {"person": person}))


@pytest.fixture
def r(app: DisputesApp, d: Driver) -> Driver:
    enrol(app)
    return d


def graded(d: Driver, **report: Any) -> str:
    case = d.act("report", **report).case_no
    d.act("grade", case)
    return case


def propose(d: Driver, case: str, **args: Any) -> str:
    data = {"kind": "prevention", "amount": 300, "reason": "及时报告", **args}
    actor = data.pop("actor", POLICE)
    reward = d.do("propose-reward", case=case, actor=actor, **data).reward
    assert reward is not None
    return reward


def test_a_grid_worker_reporting_is_the_informant(r: Driver) -> None:
    case = r.act("report").case_no
    assert r.app.get_case(case).informant == GRID


def test_an_officer_names_the_informant_of_a_tip(r: Driver) -> None:
    case = r.act("report", actor=POLICE, informant=INFORMANT).case_no
    assert r.app.get_case(case).informant == INFORMANT


def test_the_informant_named_must_be_a_grid_worker_or_an_enrolled_informant(r: Driver) -> None:
    with r.nothing_stored(), pytest.raises(InvalidInput) as refused:
        r.act("report", actor=POLICE, informant=LEADER)
    assert refused.value.field == "informant"


def test_an_officer_reporting_without_a_tip_names_no_informant(r: Driver) -> None:
    case = r.act("report", actor=POLICE).case_no
    assert r.app.get_case(case).informant is None
    r.act("grade", case)
    with r.nothing_stored(), pytest.raises(NotTheInformant) as refused:
        propose(r, case, informant=GRID)
    assert "未填写信息员" in (refused.value.zh or "")


def test_the_whole_workflow_records_one_event_each(r: Driver) -> None:
    case = graded(r, actor=POLICE, informant=INFORMANT)
    before = r.position()
    reward = propose(r, case)
    assert reward == "HY-2021-R0001"
    r.do("approve-reward", reward=reward, actor=OTHER_LEADER, note="同意")
    r.do("pay-reward", reward=reward, actor=FINANCE, voucher="PZ-1", paid_amount=300)
    names = [type(e).__name__ for e in r.stored_since(before)]
    assert names.count("RewardProposed") == 1
    assert names[-2:] == ["RewardApproved", "RewardPaid"]
    stored: Reward = r.app.get_reward(reward)  # type: ignore[attr-defined]
    assert (stored.status, stored.informant, stored.approved_by, stored.paid_by) == (
        "paid",
        INFORMANT,
        OTHER_LEADER,
        FINANCE,
    )


def test_reward_numbers_count_per_district_and_year(r: Driver) -> None:
    first = graded(r)
    second = graded(r)
    assert [propose(r, first), propose(r, second)] == ["HY-2021-R0001", "HY-2021-R0002"]


@pytest.mark.parametrize("amount", [199, 501])
def test_prevention_amount_outside_the_policy_range(r: Driver, amount: int) -> None:
    case = graded(r)
    with r.nothing_stored(), pytest.raises(AmountOutOfRange):
        propose(r, case, amount=amount)


def test_serious_crime_has_its_own_higher_range(r: Driver) -> None:
    case = graded(r)
    propose(r, case, kind="serious-crime", amount=5000)
    with r.nothing_stored(), pytest.raises(AmountOutOfRange):
        propose(r, case, kind="serious-crime", amount=300)


def test_an_unknown_kind_names_the_field(r: Driver) -> None:
    case = graded(r)
    with r.nothing_stored(), pytest.raises(InvalidInput) as refused:
        propose(r, case, kind="bonus")
    assert refused.value.field == "kind"


def test_not_before_grading(r: Driver) -> None:
    case = r.act("report").case_no
    with r.nothing_stored(), pytest.raises(CaseNotGraded):
        propose(r, case)


def test_one_prevention_reward_per_informant_per_case_but_many_serious_crime(r: Driver) -> None:
    case = graded(r)
    first = propose(r, case)
    with r.nothing_stored(), pytest.raises(OnePerInformantPerCase):
        propose(r, case, amount=200)
    propose(r, case, kind="serious-crime", amount=800)
    propose(r, case, kind="serious-crime", amount=900)
    r.do("reject-reward", reward=first, actor=OTHER_LEADER, reason="不足")
    propose(r, case, amount=250)  # a rejected reward no longer counts


def test_a_grid_worker_cannot_propose(r: Driver) -> None:
    case = graded(r)
    with r.nothing_stored(), pytest.raises(RoleNotAllowed):
        propose(r, case, actor=GRID)


def test_police_of_another_station_cannot_propose(r: Driver) -> None:
    case = graded(r)
    with r.nothing_stored(), pytest.raises(OutOfScope):
        propose(r, case, actor="P-DM-01")


def test_four_eyes(r: Driver) -> None:
    case = graded(r)
    reward = propose(r, case, actor=LEADER)
    with r.nothing_stored(), pytest.raises(ApproverIsProposer):
        r.do("approve-reward", reward=reward, actor=LEADER)
    with r.nothing_stored(), pytest.raises(ApproverIsProposer):
        r.do("reject-reward", reward=reward, actor=LEADER, reason="x")
    with r.nothing_stored(), pytest.raises(RoleNotAllowed):
        r.do("approve-reward", reward=reward, actor=POLICE)
    with r.nothing_stored(), pytest.raises(OutOfScope):
        r.do("approve-reward", reward=reward, actor="L-DM-01")
    r.do("approve-reward", reward=reward, actor="L-HY-01")  # a district leader may decide


def test_payment_only_after_approval_by_finance_of_the_station_or_district(r: Driver) -> None:
    case = graded(r)
    reward = propose(r, case)
    pay = {"voucher": "PZ-1", "paid_amount": 300}
    with r.nothing_stored(), pytest.raises(RewardWrongStatus):
        r.do("pay-reward", reward=reward, actor=FINANCE, **pay)
    r.do("approve-reward", reward=reward, actor=LEADER)
    with r.nothing_stored(), pytest.raises(PayerRoleRequired):
        r.do("pay-reward", reward=reward, actor=OTHER_LEADER, **pay)
    with r.nothing_stored(), pytest.raises(OutOfScope):
        r.do("pay-reward", reward=reward, actor=STATION_FINANCE, **pay)
    with r.nothing_stored(), pytest.raises(PaidAmountDiffers):
        r.do("pay-reward", reward=reward, actor=FINANCE, voucher="PZ-1", paid_amount=299)
    r.do("pay-reward", reward=reward, actor=FINANCE, **pay)
    with r.nothing_stored(), pytest.raises(RewardWrongStatus):
        r.do("cancel-reward", reward=reward, actor=POLICE, reason="x")


def test_the_policy_names_the_paying_role_and_the_payer_took_no_part() -> None:
    bundled = load_policy()
    policy: Policy = bundled.model_copy(
        update={"rewards": bundled.rewards.model_copy(update={"payer_role": "leader"})}
    )
    app = new_app(policy)
    d = Driver(app, app.execute)
    case = graded(d)
    reward = propose(d, case, actor=LEADER)
    d.do("approve-reward", reward=reward, actor=OTHER_LEADER)
    pay = {"voucher": "PZ-1", "paid_amount": 300}
    for took_part in (LEADER, OTHER_LEADER):
        with d.nothing_stored(), pytest.raises(PayerTookPart):
            d.do("pay-reward", reward=reward, actor=took_part, **pay)
    d.do("pay-reward", reward=reward, actor="L-HY-01", **pay)
    app.close()


def test_a_retry_answers_as_the_first_time_and_records_nothing(r: Driver) -> None:
    case = graded(r)
    first = r.do(
        "propose-reward", case=case, kind="prevention", amount=300, reason="x", command_id="p"
    )
    with r.nothing_stored():
        again = r.do(
            "propose-reward", case=case, kind="prevention", amount=300, reason="x", command_id="p"
        )
    assert (again.reward, again.duplicate, first.duplicate) == (first.reward, True, False)
    r.do("approve-reward", reward=first.reward, actor=OTHER_LEADER, command_id="a")
    with r.nothing_stored():
        assert r.do(
            "approve-reward", reward=first.reward, actor=OTHER_LEADER, command_id="a"
        ).duplicate
    with r.nothing_stored(), pytest.raises(CommandIdReused):
        r.do("cancel-reward", reward=first.reward, reason="x", command_id="a")


def test_a_decision_not_before_the_proposal(r: Driver) -> None:
    case = graded(r)
    reward = propose(r, case, at=day(3))
    with r.nothing_stored(), pytest.raises(OccurredOutOfOrder):
        r.do("approve-reward", reward=reward, actor=OTHER_LEADER, at=day(2))


def test_an_unknown_reward_is_not_found(r: Driver) -> None:
    with r.nothing_stored(), pytest.raises(RewardNotFound):
        r.do("approve-reward", reward="HY-2021-R0099", actor=OTHER_LEADER)


def test_a_case_reported_before_informants_were_kept_still_has_its_grid_worker(
    r: Driver,
) -> None:
    """Journals recorded before issue 13 have no informant on the report: a grid worker's
    report is still theirs."""
    case = graded(r)
    dispute = r.app.get_case(case)
    dispute.informant = None  # as replayed from a Reported event without the field
    assert r.app.informant_of(dispute) == GRID
