"""Every verb of product.md §2 on its happy path: given a case → when the verb → the events stored,
their own fields, and the case's status and grade afterwards."""

from __future__ import annotations

from datetime import timedelta

from disputes.domain.application import DisputesApp
from disputes.domain.records import CaseNumbers
from tests.domain.support import (
    AUXILIARY,
    GRID,
    LEADER,
    OTHER_LEADER,
    POLICE,
    T0,
    Driver,
    case_events,
    day,
    dispute_events,
    names,
    own_fields,
)


def test_report_allocates_a_case_number_and_records_reported(d: Driver) -> None:
    before = d.position()
    outcome = d.do(
        "report",
        actor=GRID,
        at=T0,
        category="neighbour",
        source="informant",
        village="WD-V01",
        summary="  梁某与田某因排水争执  ",
        parties=[{"name": "梁某", "role": "applicant"}, {"name": "田某", "role": "respondent"}],
        people_involved=7,
    )
    events = case_events(d.stored_since(before))

    assert names(events) == ["CaseNumbers.Started", "CaseNumbers.Allocated", "Dispute.Reported"]
    assert isinstance(events[1], CaseNumbers.Allocated)
    assert events[1].number == 1
    reported = events[2]
    assert own_fields(reported) == {
        "case_no": "HY-2021-0001",
        "category": "neighbour",
        "source": "informant",
        "district": "HY",
        "station": "WD",
        "village": "WD-V01",
        "summary": "梁某与田某因排水争执",  # stripped
        "parties": [
            {"name": "梁某", "role": "applicant"},
            {"name": "田某", "role": "respondent"},
        ],
        "people_involved": 7,
        "informant": GRID,  # a grid worker reporting is the informant (issue 13)
        "attachments": None,  # photos (issue 14): none sent
    }
    assert (outcome.case_no, outcome.event, outcome.version) == ("HY-2021-0001", "Reported", 1)
    assert (outcome.status, outcome.grade, outcome.duplicate) == ("reported", None, False)


def test_report_without_parties_or_head_count(d: Driver) -> None:
    before = d.position()
    d.do("report", category="debt-loan", source="walk-in", village="WD-V01", summary="欠款未还")
    reported = dispute_events(d.stored_since(before))[0]
    assert reported.parties == []
    assert reported.people_involved is None
    assert reported.source == "walk-in"


def test_grade_opens_the_case_with_grade_reason_and_signals(d: Driver, app: DisputesApp) -> None:
    case = d.reported()
    events = d.when(
        "grade",
        case,
        actor=POLICE,
        grade="yellow",
        reason="涉老、有上访苗头",
        signals=["vulnerable-party", "petition-risk"],
    )

    assert names(events) == ["Dispute.Graded"]
    assert own_fields(events[0]) == {
        "grade": "yellow",
        "reason": "涉老、有上访苗头",
        "signals": ["vulnerable-party", "petition-risk"],
    }
    dispute = app.get_case(case)
    assert (dispute.status, dispute.current_grade) == ("open", "yellow")
    assert dispute.signals == ["vulnerable-party", "petition-risk"]


def test_grade_by_a_leader_as_red(d: Driver, app: DisputesApp) -> None:
    case = d.reported()
    outcome = d.act("grade", case, actor=LEADER, grade="red")
    assert (outcome.event, outcome.status, outcome.grade, outcome.version) == (
        "Graded",
        "open",
        "red",
        2,
    )
    assert app.get_case(case).current_grade == "red"


def test_assign_names_leader_officer_auxiliary_and_grid_worker(d: Driver, app: DisputesApp) -> None:
    case = d.opened(assign=False)
    events = d.when(
        "assign",
        case,
        actor=LEADER,
        leader=LEADER,
        officer=POLICE,
        auxiliary=AUXILIARY,
        grid_worker=GRID,
    )

    assert names(events) == ["Dispute.Assigned"]
    assert own_fields(events[0]) == {
        "leader": LEADER,
        "officer": POLICE,
        "auxiliary": AUXILIARY,
        "grid_worker": GRID,
    }
    dispute = app.get_case(case)
    assert (dispute.leader, dispute.officer, dispute.auxiliary, dispute.grid_worker) == (
        LEADER,
        POLICE,
        AUXILIARY,
        GRID,
    )


def test_assign_again_hands_the_case_over(d: Driver, app: DisputesApp) -> None:
    case = d.opened()
    events = d.when("assign", case, actor=OTHER_LEADER, leader=OTHER_LEADER, officer=AUXILIARY)
    assert own_fields(events[0]) == {
        "leader": OTHER_LEADER,
        "officer": AUXILIARY,
        "auxiliary": None,
        "grid_worker": None,
    }
    assert (app.get_case(case).leader, app.get_case(case).officer) == (OTHER_LEADER, AUXILIARY)


def test_assign_before_grading_keeps_the_case_reported(d: Driver, app: DisputesApp) -> None:
    case = d.reported()
    outcome = d.act("assign", case)
    assert (outcome.event, outcome.status) == ("Assigned", "reported")
    assert app.get_case(case).leader == LEADER


def test_deliberate_records_plan_and_attendees(d: Driver, app: DisputesApp) -> None:
    case = d.opened()
    events = d.when(
        "deliberate",
        case,
        actor=LEADER,
        plan="协调司法所、妇联组成调处小组",
        attendees=[LEADER, POLICE, AUXILIARY],
    )
    assert names(events) == ["Dispute.Deliberated"]
    assert own_fields(events[0]) == {
        "plan": "协调司法所、妇联组成调处小组",
        "attendees": [LEADER, POLICE, AUXILIARY],
    }
    assert app.get_case(case).deliberations == 1


def test_visit_defaults_to_in_person(d: Driver) -> None:
    case = d.opened()
    events = d.when("visit", case, actor=AUXILIARY)
    assert names(events) == ["Dispute.Visited"]
    assert own_fields(events[0]) == {"mode": "in-person", "note": ""}


def test_visit_by_phone_with_a_note(d: Driver, app: DisputesApp) -> None:
    case = d.opened()
    at = d.last_at + timedelta(hours=3)
    events = d.when("visit", case, actor=POLICE, at=at, mode="phone", note="电话询问近况")
    assert own_fields(events[0]) == {"mode": "phone", "note": "电话询问近况"}
    assert app.get_case(case).last_contact_at == at


def test_mediate_records_result_and_partner_units(d: Driver, app: DisputesApp) -> None:
    case = d.opened()
    events = d.when("mediate", case, note="背对背做工作", result="failed", with_units=["SFS", "FL"])
    assert names(events) == ["Dispute.Mediated"]
    assert own_fields(events[0]) == {
        "note": "背对背做工作",
        "result": "failed",
        "with_units": ["SFS", "FL"],
    }
    assert app.get_case(case).failed_mediations == 1
    d.act("mediate", case, result="progress")
    assert app.get_case(case).failed_mediations == 1


def test_refer_opens_numbered_referrals(d: Driver, app: DisputesApp) -> None:
    case = d.opened()
    first = d.act("refer", case, to="SFS", reason="属司法所职责")
    before = d.position()
    second = d.act("refer", case, to="FL", reason="涉及妇女权益")
    events = d.stored_since(before)

    assert (first.referral, second.referral) == (1, 2)
    assert names(events) == ["Dispute.Referred"]
    assert own_fields(events[0]) == {"referral": 2, "to": "FL", "reason": "涉及妇女权益"}
    assert app.get_case(case).open_referrals == 2


def test_receipt_answers_the_named_referral(d: Driver, app: DisputesApp) -> None:
    case = d.opened()
    d.act("refer", case, to="SFS")
    d.act("refer", case, to="FL")
    events = d.when("receipt", case, referral=2, outcome="handled", note="已处理")

    assert names(events) == ["Dispute.ReceiptRecorded"]
    assert own_fields(events[0]) == {"referral": 2, "outcome": "handled", "note": "已处理"}
    referrals = {r["referral"]: r["outcome"] for r in app.get_case(case).referrals}
    assert referrals == {1: None, 2: "handled"}
    assert app.get_case(case).open_referrals == 1


def test_receipt_may_arrive_during_observation(d: Driver, app: DisputesApp) -> None:
    case = d.opened()
    d.act("refer", case)
    d.act("resolve", case)
    outcome = d.act("receipt", case, referral=1, outcome="returned")
    assert (outcome.event, outcome.status) == ("ReceiptRecorded", "observing")
    assert app.get_case(case).open_referrals == 0


def test_escalate_turns_yellow_to_red(d: Driver, app: DisputesApp) -> None:
    case = d.opened("yellow")
    events = d.when("escalate", case, reason="扬言报复")
    assert names(events) == ["Dispute.Escalated"]
    assert own_fields(events[0]) == {"reason": "扬言报复"}
    assert (app.get_case(case).current_grade, app.get_case(case).status) == ("red", "open")


def test_downgrade_by_the_responsible_leader_turns_red_to_yellow(
    d: Driver, app: DisputesApp
) -> None:
    case = d.opened("red")
    events = d.when("downgrade", case, actor=LEADER, reason="连续六日无过激言行")
    assert names(events) == ["Dispute.Downgraded"]
    assert own_fields(events[0]) == {"reason": "连续六日无过激言行"}
    assert (app.get_case(case).current_grade, app.get_case(case).status) == ("yellow", "open")


def test_resolve_starts_observation_for_the_given_days(d: Driver, app: DisputesApp) -> None:
    case = d.opened()
    at = day(3)
    events = d.when(
        "resolve",
        case,
        at=at,
        agreement="排水沟改道",
        form="judicial-confirmation",
        observe_days=45,
    )

    assert names(events) == ["Dispute.Resolved"]
    assert own_fields(events[0]) == {
        "agreement": "排水沟改道",
        "form": "judicial-confirmation",
        "observe_days": 45,
        "observe_until": at + timedelta(days=45),
        "follow_up_max_gap_days": 30,
    }
    dispute = app.get_case(case)
    assert (dispute.status, dispute.current_grade) == ("observing", "blue")
    assert dispute.resolved_at == at
    assert dispute.observe_until == at + timedelta(days=45)


def test_resolve_without_days_observes_for_the_policy_default_of_180(
    d: Driver, app: DisputesApp
) -> None:
    case = d.opened()
    at = day(2)
    d.do("resolve", case=case, at=at, agreement="口头约定", form="oral")
    dispute = app.get_case(case)
    assert dispute.observe_days == 180
    assert dispute.observe_until == at + timedelta(days=180)


def test_resolve_at_the_policy_minimum_of_30_days(d: Driver, app: DisputesApp) -> None:
    case = d.opened()
    outcome = d.act("resolve", case, observe_days=30)
    assert outcome.status == "observing"
    assert app.get_case(case).observe_days == 30


def test_follow_up_during_observation(d: Driver) -> None:
    case = d.observing()
    events = d.when("follow-up", case, actor=AUXILIARY, mode="phone", note="协议履行正常")
    assert names(events) == ["Dispute.FollowedUp"]
    assert own_fields(events[0]) == {"mode": "phone", "note": "协议履行正常"}


def test_relapse_during_observation_reopens_the_case(d: Driver, app: DisputesApp) -> None:
    case = d.observing()
    events = d.when("relapse", case, grade="yellow", reason="二子停止给付赡养费")
    assert names(events) == ["Dispute.Relapsed"]
    assert own_fields(events[0]) == {"grade": "yellow", "reason": "二子停止给付赡养费"}
    dispute = app.get_case(case)
    assert (dispute.status, dispute.current_grade, dispute.relapses) == ("open", "yellow", 1)


def test_close_strikes_the_case_off(d: Driver, app: DisputesApp) -> None:
    case = d.opened()
    resolved = day(1)
    d.act("resolve", case, at=resolved, observe_days=30)
    d.act("follow-up", case, at=resolved + timedelta(days=20))
    events = d.when(
        "close", case, actor=LEADER, at=resolved + timedelta(days=30), note="观察期满无反复"
    )

    assert names(events) == ["Dispute.Closed"]
    assert own_fields(events[0]) == {"note": "观察期满无反复"}
    dispute = app.get_case(case)
    assert dispute.status == "closed"
    assert dispute.closed_at == resolved + timedelta(days=30)
    assert dispute.current_grade == "blue"


def test_relapse_after_closure_reopens_and_keeps_the_closure_in_the_history(
    d: Driver, app: DisputesApp
) -> None:
    case = d.closed()
    outcome = d.act("relapse", case, grade="red", reason="再次持械对峙")
    assert (outcome.event, outcome.status, outcome.grade) == ("Relapsed", "open", "red")

    dispute = app.get_case(case)
    assert dispute.closed_at is None
    assert dispute.relapses == 1
    history = [type(e).__name__ for e in app.events.get(dispute.id)]
    assert history[-2:] == ["Closed", "Relapsed"]


def test_a_relapsed_case_can_be_settled_and_closed_again(d: Driver, app: DisputesApp) -> None:
    case = d.closed()
    d.act("relapse", case, grade="yellow")
    d.act("mediate", case, result="progress")
    second = d.last_at + timedelta(hours=1)
    d.act("resolve", case, at=second, observe_days=30)
    d.act("follow-up", case, at=second + timedelta(days=29))
    d.act("close", case, at=second + timedelta(days=30))

    dispute = app.get_case(case)
    assert (dispute.status, dispute.relapses) == ("closed", 1)
    assert dispute.resolved_at == second
    kinds = [type(e).__name__ for e in app.events.get(dispute.id)]
    assert kinds.count("Closed") == 2
    assert kinds.count("Resolved") == 2
