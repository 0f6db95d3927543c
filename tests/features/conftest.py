"""The step library shared by every feature in features/ (zh-CN Gherkin).

Given steps record a case's history through the application (each must succeed); When steps
issue one command as a named person and keep the answer or the refusal; Then steps read the
ledger, the case history or the refusal. The clock is the scenario's: ``现在是 2021-10-06 21:40``
sets it, ``三十一天后`` moves it on, and every command occurs "now" unless the step names a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from pytest_bdd import given, then, when

from disputes.domain.clock import parse_time
from disputes.domain.errors import ClosureRefused, DisputesError
from disputes.domain.roster import RosterChange
from disputes.storage.store import Store
from tests.features.desk import Desk, ScenarioClock, fields_named
from tests.features.words import POLICY, ROSTER, moment, says

START = parse_time("2022-06-30 18:00")
""""Now" when a scenario does not set the clock."""


@pytest.fixture
def desk() -> Iterator[Desk]:
    """A fresh in-memory store with the sample roster, on the scenario's clock."""
    clock = ScenarioClock(START)
    store = Store(":memory:", policy=POLICY, clock=clock)
    store.app.load_roster(ROSTER)
    yield Desk(store, clock)
    store.close()


# == Given: the clock ===========================================================================


@given(says("现在是 {now:Time}"))
def now_is(desk: Desk, now: datetime) -> None:
    desk.clock.now = now


@given(says("{days:Number}天后"))
def days_later(desk: Desk, days: int) -> None:
    desk.clock.advance(days)


# == Given: a case's history ====================================================================


@given(says("{actor:Person}登记了一起{village:Village}的{category:Category}"))
def reported(desk: Desk, actor: str, village: str, category: str) -> None:
    desk.record("report", actor, **report(village, category))


@given(says("已登记一起发生于 {at:Time} 的纠纷"))
def reported_at(desk: Desk, at: datetime) -> None:
    desk.record("report", "G-WD-V01-G1", **report("WD-V01", "neighbour"), at=at.isoformat())


@given(says("{village:Village}有一起{grade:Grade}的{category:Category}在办"))
def open_case(desk: Desk, village: str, grade: str, category: str) -> None:
    desk.record("report", "G-WD-V01-G1", **report(village, category))
    desk.record("grade", "P-WD-01", grade=grade, reason="研判", signals=["threat-of-violence"])


@given(says("分包领导为{leader:Name}，责任人为{officer:Name}"))
def assigned(desk: Desk, leader: str, officer: str) -> None:
    desk.record("assign", leader, leader=leader, officer=officer, auxiliary="A-WD-V01")
    desk.leader, desk.officer = leader, officer


@given(says("{actor:Person}已把案件定为{grade:Grade}"))
def graded(desk: Desk, actor: str, grade: str) -> None:
    desk.record("grade", actor, grade=grade, reason="研判", signals=["threat-of-violence"])


@given(says("{actor:Person}已走访当事人"))
def visited(desk: Desk, actor: str) -> None:
    desk.record("visit", actor, mode="in-person", note="走访当事人")


@given(says("案件已移交{unit:Partner}"))
def referred(desk: Desk, unit: str) -> None:
    desk.record("refer", desk.officer, to=unit, reason="超出公安职责")


@given(says("第{referral:Number}号移交已回执"))
def receipt_recorded(desk: Desk, referral: int) -> None:
    desk.record("receipt", desk.officer, referral=referral, outcome="handled", note="已处理")


@given(says("案件已化解，观察期{days:Number}天"))
def resolved(desk: Desk, days: int) -> None:
    desk.record("resolve", desk.officer, agreement="协议", form="written", observe_days=days)


@given("案件已回访")
def followed_up(desk: Desk) -> None:
    desk.record("follow-up", desk.officer, mode="in-person", note="双方无异常")


@given(says("案件已反弹为{grade:Grade}"))
def relapsed(desk: Desk, grade: str) -> None:
    desk.record("relapse", desk.officer, grade=grade, reason="双方再起冲突")


@given("案件已销号")
def closed(desk: Desk) -> None:
    assert desk.leader is not None, "name the responsible leader first (分包领导为…)"
    desk.record("close", desk.leader, note="矛盾化解，观察期满")


@given(
    says(
        "{actor:Person}已将案件跨所移交{station:Station}，分包领导为{leader:Name}，责任人为{officer:Name}"
    )
)
def transferred(desk: Desk, actor: str, station: str, leader: str, officer: str) -> None:
    desk.record(
        "transfer", actor, station=station, leader=leader, officer=officer, reason="跨所管辖"
    )
    desk.leader, desk.officer = leader, officer


@given(says("{actor:Person}下达过一次督办"))
def supervised_once(desk: Desk, actor: str) -> None:
    desk.record("supervise", actor, level="yellow-card", note="三日内走访并报告")


@given(says("{person:Name}于 {at:Time} 调往{station:Station}"))
def person_transferred(desk: Desk, person: str, at: datetime, station: str) -> None:
    change = RosterChange(at, "person-transferred", {"person_id": person, "unit": station})
    desk.store.app.change_roster(change)


@given(says("{person:Name}于 {at:Time} 离职"))
def person_departed(desk: Desk, person: str, at: datetime) -> None:
    desk.store.app.change_roster(RosterChange(at, "person-departed", {"person_id": person}))


def report(village: str, category: str) -> dict[str, object]:
    """The arguments of a report from a village: an informant's report of a two-party dispute."""
    return {
        "village": village,
        "category": category,
        "source": "informant",
        "summary": "两家因排水沟争执，扬言动手",
        "parties": [{"name": "梁某", "role": "applicant"}, {"name": "王某", "role": "respondent"}],
        "people_involved": 7,
    }


# == When: one command ==========================================================================


@when(says("{actor:Person}登记一起{village:Village}的{category:Category}"))
def report_dispute(desk: Desk, actor: str, village: str, category: str) -> None:
    desk.attempt("report", actor, **report(village, category))


@when(says("{actor:Person}登记一起发生于 {at:Time} 的纠纷"))
def report_dispute_at(desk: Desk, actor: str, at: datetime) -> None:
    desk.attempt("report", actor, **report("WD-V01", "neighbour"), at=at.isoformat())


@when(says("{actor:Person}把案件定为{grade:Grade}"))
def grade(desk: Desk, actor: str, grade: str) -> None:
    desk.attempt("grade", actor, grade=grade, reason="双方积怨已久", signals=["threat-of-violence"])


@when(says("{actor:Person}走访当事人"))
def visit(desk: Desk, actor: str) -> None:
    desk.attempt("visit", actor, mode="in-person", note="走访当事人")


@when(says("{actor:Person}补登一次发生于 {at:Time} 的走访"))
def visit_at(desk: Desk, actor: str, at: datetime) -> None:
    desk.attempt("visit", actor, mode="in-person", note="补登走访", at=at.isoformat())


@when(says("{actor:Person}补登一次发生于 {at:Time} 的回访"))
def follow_up_at(desk: Desk, actor: str, at: datetime) -> None:
    desk.attempt("follow-up", actor, mode="phone", note="补登回访", at=at.isoformat())


@given(says("{actor:Person}已将案件升级，发生于 {at:Time}"))
def escalated_at(desk: Desk, actor: str, at: datetime) -> None:
    desk.record("escalate", actor, reason="一方扬言报复", at=at.isoformat())


@when(says("{actor:Person}将案件升级，发生于 {at:Time}"))
def escalate_at(desk: Desk, actor: str, at: datetime) -> None:
    desk.attempt("escalate", actor, reason="一方扬言报复", at=at.isoformat())


@when(says("{actor:Person}组织一次调解"))
def mediate(desk: Desk, actor: str) -> None:
    desk.attempt("mediate", actor, note="双方到场", result="progress", with_units=["SFS"])


@when(says("{actor:Person}将案件移交{unit:Partner}"))
def refer(desk: Desk, actor: str, unit: str) -> None:
    desk.attempt("refer", actor, to=unit, reason="超出公安职责")


@when(says("{actor:Person}登记第{referral:Number}号移交的回执"))
def record_receipt(desk: Desk, actor: str, referral: int) -> None:
    desk.attempt("receipt", actor, referral=referral, outcome="handled", note="已处理")


@when(says("{actor:Person}将案件升级"))
def escalate(desk: Desk, actor: str) -> None:
    desk.attempt("escalate", actor, reason="一方扬言报复")


@when(says("{actor:Person}将案件降级"))
def downgrade(desk: Desk, actor: str) -> None:
    desk.attempt("downgrade", actor, reason="经调解，事态可控")


@when(says("{actor:Person}登记案件已化解，观察期{days:Number}天"))
def resolve(desk: Desk, actor: str, days: int) -> None:
    desk.attempt("resolve", actor, agreement="达成调解协议", form="written", observe_days=days)


@when(says("{actor:Person}登记案件已化解，未填观察期"))
def resolve_by_default(desk: Desk, actor: str) -> None:
    desk.attempt("resolve", actor, agreement="达成调解协议", form="oral")


@when(says("{actor:Person}回访当事人"))
def follow_up(desk: Desk, actor: str) -> None:
    desk.attempt("follow-up", actor, mode="phone", note="双方无异常")


@when(says("{actor:Person}登记案件反弹，重新定为{grade:Grade}"))
def relapse(desk: Desk, actor: str, grade: str) -> None:
    desk.attempt("relapse", actor, grade=grade, reason="双方再起冲突")


@when(says("{actor:Person}将案件销号"))
def close(desk: Desk, actor: str) -> None:
    desk.attempt("close", actor, note="矛盾化解，观察期满")


@when(says("{actor:Person}登记严重后果{kind:OutcomeKind}，警情编号 {ref:PoliceCaseNo}"))
def outcome_with_ref(desk: Desk, actor: str, kind: str, ref: str) -> None:
    desk.attempt("outcome", actor, kind=kind, ref=ref)


@when(says("{actor:Person}登记严重后果{kind:OutcomeKind}"))
def outcome(desk: Desk, actor: str, kind: str) -> None:
    desk.attempt("outcome", actor, kind=kind)


@when(
    says(
        "{actor:Person}将案件跨所移交{station:Station}，分包领导为{leader:Name}，责任人为{officer:Name}"
    )
)
def transfer(desk: Desk, actor: str, station: str, leader: str, officer: str) -> None:
    desk.attempt(
        "transfer", actor, station=station, leader=leader, officer=officer, reason="跨所管辖"
    )


@when(says("{actor:Person}分包给分包领导{leader:Name}，责任人{officer:Name}"))
def assign(desk: Desk, actor: str, leader: str, officer: str) -> None:
    desk.attempt("assign", actor, leader=leader, officer=officer)


@when(says("{actor:Person}反馈该案的督办"))
def answer_supervision(desk: Desk, actor: str) -> None:
    desk.attempt("answer-supervision", actor, note="已走访，双方情绪稳定")


@when(says("{verb:Verb}指令因网络中断被重新提交"))
def resend(desk: Desk, verb: str) -> None:
    desk.resend(verb)


# == Then: the ledger and the case history ======================================================


@then(says("案件编号为 {case_no:CaseNo}"))
def case_number_is(desk: Desk, case_no: str) -> None:
    assert desk.answer().case_no == case_no
    assert desk.row()["case_no"] == case_no


@then(says("台账上依次有案件 {case_nos:CaseNos}"))
def ledger_lists(desk: Desk, case_nos: list[str]) -> None:
    assert [row["case_no"] for row in desk.store.ledger()] == case_nos


@then("没有登记任何案件")
def ledger_empty(desk: Desk) -> None:
    assert desk.store.ledger() == []


@then(says("案件状态为{status:Status}"))
def status_is(desk: Desk, status: str) -> None:
    assert desk.row()["status"] == status


@then(says("案件颜色为{grade:Grade}"))
def grade_is(desk: Desk, grade: str) -> None:
    assert desk.row()["grade"] == grade


@then("案件尚未定级")
def not_graded(desk: Desk) -> None:
    assert desk.row()["grade"] is None


@then(says("观察期至 {until:Time}"))
def observed_until(desk: Desk, until: datetime) -> None:
    assert moment(desk.row()["observe_until"]) == until


@then(says("销号时间为 {at:Time}"))
def closed_at(desk: Desk, at: datetime) -> None:
    assert moment(desk.row()["closed_at"]) == at


@then("台账上没有销号时间")
def no_closed_at(desk: Desk) -> None:
    assert desk.row()["closed_at"] is None


@then(says("反弹次数为{relapses:Number}"))
def relapses_are(desk: Desk, relapses: int) -> None:
    assert desk.row()["relapses"] == relapses


@then(says("未回执的移交有{referrals:Number}件"))
def open_referrals_are(desk: Desk, referrals: int) -> None:
    assert desk.row()["open_referrals"] == referrals


@then(says("案件历史依次为{events:Events}"))
def history_is(desk: Desk, events: list[str]) -> None:
    desk.answer()
    assert desk.history() == events


@then(says("答复第{referral:Number}号移交"))
def answered_referral(desk: Desk, referral: int) -> None:
    assert desk.answer().referral == referral


@then("案件没有新增记录")
def nothing_recorded(desk: Desk) -> None:
    assert desk.events() == desk.events_before


# == Then: the refusal ==========================================================================


@then(says("被拒绝：{rule:Rule}"))
def refused_by(desk: Desk, rule: type[DisputesError] | tuple[type[DisputesError], ...]) -> None:
    refusal = desk.refused()
    assert isinstance(refusal, rule), f"refused by another rule: {refusal.message}"


@then(says("拒绝理由为：{text}"))
def refusal_text(desk: Desk, text: str) -> None:
    """The Chinese message the officer reads, word for word."""
    assert desk.refused().text("zh") == text.strip()


@then(says("案件归属{station:Station}"))
def owned_by(desk: Desk, station: str) -> None:
    assert desk.row()["station"] == station


@then(says("台账上分包领导为{leader:Name}，责任人为{officer:Name}"))
def ledger_assignees(desk: Desk, leader: str, officer: str) -> None:
    row = desk.row()
    assert (row["leader"], row["officer"]) == (leader, officer)


@then(says("销号被拒绝，未满足的条件为第{conditions:Conditions}条"))
def closure_refused(desk: Desk, conditions: list[str]) -> None:
    refusal = desk.refused()
    assert isinstance(refusal, ClosureRefused), f"refused by another rule: {refusal.message}"
    assert [failure.split(".")[0] for failure in refusal.failures] == conditions, refusal.message


@then(says("拒绝理由指出最早可于 {at:Time} 销号"))
def earliest_close(desk: Desk, at: datetime) -> None:
    refusal = desk.refused()
    assert isinstance(refusal, ClosureRefused), f"refused by another rule: {refusal.message}"
    assert refusal.earliest == at, refusal.message


@then(says("拒绝理由指出{field:Field}有误"))
def refusal_names_field(desk: Desk, field: str) -> None:
    assert fields_named(desk.refused()) == [field], desk.refused().message


# == Ratings (五星警务室, features/rating.feature) =================================================


@given(says("{village:Village}有一起{source:Source}的{grade:Grade}{category:Category}在办"))
def open_case_from(desk: Desk, village: str, source: str, grade: str, category: str) -> None:
    desk.record("report", "G-WD-V01-G1", **{**report(village, category), "source": source})
    desk.record("grade", "P-WD-01", grade=grade, reason="研判", signals=["threat-of-violence"])


@given(says("{actor:Person}已登记严重后果{kind:OutcomeKind}，警情编号 {ref:PoliceCaseNo}"))
def outcome_recorded(desk: Desk, actor: str, kind: str, ref: str) -> None:
    desk.record("outcome", actor, kind=kind, ref=ref, note="")


@given(says("{actor:Person}已对案件下达督办令"))
def supervised(desk: Desk, actor: str) -> None:
    desk.record("supervise", actor, level="yellow-card", note="限期回访")


@then(says("{half:Half}{village:Village}警务室得{points:Number}分，{stars:Stars}"))
def rated(desk: Desk, half: str, village: str, points: int, stars: int) -> None:
    room = desk.rating(half, village)
    assert (room.score.points, room.score.stars) == (points, stars), room.score.parts


@then(says("{half:Half}{village:Village}警务室的评比注明所用政策版本"))
def rating_names_policy(desk: Desk, half: str, village: str) -> None:
    assert desk.rating(half, village).policy_version == POLICY.version
