"""Every write verb of product.md §2 from the command line: what it answers (``--json``), the
state it leaves, and the event it adds to the audit trail with the options as its fields."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.support.driver import AUX, GRID, LEADER, OFFICER, VILLAGE, Disputes, at, report_args


def test_report_allocates_a_case_number_and_records_the_options(d: Disputes) -> None:
    outcome = d.write(
        "report",
        "--category",
        "neighbour",
        "--source",
        "informant",
        "--village",
        VILLAGE,
        "--summary",
        "两家因排水争执",
        "--parties",
        "梁某:applicant",
        "--parties",
        "田某:respondent",
        "--parties",
        "王某",
        "--people-involved",
        "4",
        actor=GRID,
        when=at(1),
    )
    assert outcome["case_no"] == "HY-2024-0001"
    assert (outcome["event"], outcome["status"], outcome["grade"]) == ("Reported", "reported", None)
    assert outcome["duplicate"] is False

    [event] = d.history("HY-2024-0001")
    assert event["event"] == "Reported"
    assert event["actor"] == GRID
    assert event["occurred_at"] == "2024-03-01T09:00:00+08:00"
    assert (event["category"], event["source"], event["village"]) == (
        "neighbour",
        "informant",
        VILLAGE,
    )
    assert (event["station"], event["district"]) == ("WD", "HY")
    assert event["parties"] == [
        {"name": "梁某", "role": "applicant"},
        {"name": "田某", "role": "respondent"},
        {"name": "王某", "role": "related"},
    ]
    assert event["people_involved"] == 4


def test_case_numbers_follow_recording_order_within_the_year_of_the_report(d: Disputes) -> None:
    first = d.report(when=at(2))
    second = d.report(when=at(1))  # occurred earlier, recorded later
    other_year = d.report(when="2023-12-31T23:30")
    utc_new_year = d.report(when="2024-12-31T17:00Z")  # 2025-01-01 01:00 in Shanghai
    assert (first, second) == ("HY-2024-0001", "HY-2024-0002")
    assert other_year == "HY-2023-0001"
    assert utc_new_year == "HY-2025-0001"


def test_grade_opens_the_case_with_its_risk_signals(d: Disputes) -> None:
    case = d.report()
    outcome = d.write(
        "grade",
        case,
        "--grade",
        "yellow",
        "--reason",
        "扬言报复",
        "--signals",
        "threat-of-violence",
        "--signals",
        "drinking",
        actor=OFFICER,
        when=at(1, 10),
    )
    assert (outcome["event"], outcome["status"], outcome["grade"]) == ("Graded", "open", "yellow")
    event = d.history(case)[-1]
    assert event["signals"] == ["threat-of-violence", "drinking"]
    assert event["reason"] == "扬言报复"
    assert d.show(case)["signals"] == ["threat-of-violence", "drinking"]


def test_assign_names_leader_officer_auxiliary_and_grid_worker(d: Disputes) -> None:
    case = d.report()
    outcome = d.write(
        "assign",
        case,
        "--leader",
        LEADER,
        "--officer",
        OFFICER,
        "--auxiliary",
        AUX,
        "--grid-worker",
        GRID,
        actor=LEADER,
        when=at(1, 10),
    )
    assert (outcome["event"], outcome["status"]) == ("Assigned", "reported")
    shown = d.show(case)
    assert (shown["leader"], shown["officer"], shown["auxiliary"], shown["grid_worker"]) == (
        LEADER,
        OFFICER,
        AUX,
        GRID,
    )


def test_a_later_assign_hands_the_case_over(d: Disputes) -> None:
    case = d.open_case()
    d.write("assign", case, "--leader", "L-WD-02", "--officer", "P-WD-02", actor=LEADER, when=at(3))
    shown = d.show(case)
    assert (shown["leader"], shown["officer"]) == ("L-WD-02", "P-WD-02")
    assert [e["event"] for e in d.history(case)].count("Assigned") == 2


@pytest.mark.parametrize(
    ("verb", "args", "actor", "event", "fields"),
    [
        (
            "deliberate",
            ["--plan", "所长包案", "--attendees", LEADER, "--attendees", OFFICER],
            LEADER,
            "Deliberated",
            {"plan": "所长包案", "attendees": [LEADER, OFFICER]},
        ),
        (
            "visit",
            ["--mode", "phone", "--note", "电话回访双方"],
            AUX,
            "Visited",
            {"mode": "phone", "note": "电话回访双方"},
        ),
        ("visit", [], AUX, "Visited", {"mode": "in-person", "note": ""}),
        (
            "mediate",
            ["--result", "failed", "--note", "未谈拢", "--with-units", "SFS", "--with-units", "FL"],
            OFFICER,
            "Mediated",
            {"result": "failed", "note": "未谈拢", "with_units": ["SFS", "FL"]},
        ),
        (
            "refer",
            ["--to", "RS", "--reason", "欠薪，移交劳动监察"],
            OFFICER,
            "Referred",
            {"to": "RS", "reason": "欠薪，移交劳动监察", "referral": 1},
        ),
    ],
)
def test_work_on_an_open_case(
    d: Disputes, verb: str, args: list[str], actor: str, event: str, fields: dict[str, object]
) -> None:
    case = d.open_case()
    outcome = d.write(verb, case, *args, actor=actor, when=at(2))
    assert (outcome["event"], outcome["status"], outcome["grade"]) == (event, "open", "red")
    recorded = d.history(case)[-1]
    assert recorded["event"] == event
    assert recorded["actor"] == actor
    assert {key: recorded[key] for key in fields} == fields


def test_refer_numbers_referrals_and_receipt_answers_one(d: Disputes) -> None:
    case = d.open_case()
    first = d.write("refer", case, "--to", "SFS", "--reason", "调解", actor=OFFICER, when=at(2))
    second = d.write("refer", case, "--to", "FT", "--reason", "诉前", actor=OFFICER, when=at(3))
    assert (first["referral"], second["referral"]) == (1, 2)
    assert d.show(case)["open_referrals"] == 2

    outcome = d.write(
        "receipt",
        case,
        "--referral",
        "2",
        "--outcome",
        "handled",
        "--note",
        "已办结",
        actor=OFFICER,
        when=at(4),
    )
    assert outcome["event"] == "ReceiptRecorded"
    shown = d.show(case)
    assert shown["open_referrals"] == 1
    answered = {r["referral"]: r["outcome"] for r in shown["referrals"]}
    assert answered == {1: None, 2: "handled"}
    assert d.ledger()[0]["open_referrals"] == 1


def test_escalate_and_downgrade_move_between_red_and_yellow(d: Disputes) -> None:
    case = d.open_case("yellow")
    up = d.write("escalate", case, "--reason", "再次冲突", actor=OFFICER, when=at(2))
    assert (up["event"], up["grade"]) == ("Escalated", "red")
    down = d.write("downgrade", case, "--reason", "情绪稳定", actor=LEADER, when=at(3))
    assert (down["event"], down["grade"], down["status"]) == ("Downgraded", "yellow", "open")
    assert [e["reason"] for e in d.history(case)[-2:]] == ["再次冲突", "情绪稳定"]


def test_resolve_starts_the_observation_period(d: Disputes) -> None:
    case = d.open_case()
    outcome = d.write(
        "resolve",
        case,
        "--agreement",
        "排水沟改道",
        "--form",
        "judicial-confirmation",
        "--observe-days",
        "45",
        actor=OFFICER,
        when=at(2, 15),
    )
    assert (outcome["event"], outcome["status"], outcome["grade"]) == (
        "Resolved",
        "observing",
        "blue",
    )
    shown = d.show(case)
    resolved = datetime.fromisoformat(shown["resolved_at"])
    assert shown["resolved_at"] == "2024-03-02T15:00:00+08:00"
    assert datetime.fromisoformat(shown["observe_until"]) - resolved == timedelta(days=45)
    event = d.history(case)[-1]
    assert (event["form"], event["observe_days"]) == ("judicial-confirmation", 45)
    assert event["observe_until"] == shown["observe_until"]


def test_resolve_without_observe_days_takes_the_policy_default(d: Disputes) -> None:
    from disputes.domain.policy import load_policy

    case = d.open_case()
    d.write("resolve", case, "--agreement", "口头协议", "--form", "oral", actor=OFFICER, when=at(2))
    shown = d.show(case)
    assert shown["observe_days"] == load_policy().observation.default_days
    assert datetime.fromisoformat(shown["observe_until"]) - datetime.fromisoformat(
        shown["resolved_at"]
    ) == timedelta(days=load_policy().observation.default_days)


def test_follow_up_during_observation(d: Disputes) -> None:
    case = d.observing_case()
    outcome = d.write("follow-up", case, "--mode", "phone", actor=AUX, when=at(20))
    assert (outcome["event"], outcome["status"], outcome["grade"]) == (
        "FollowedUp",
        "observing",
        "blue",
    )
    assert d.history(case)[-1]["mode"] == "phone"


def closable(d: Disputes) -> str:
    """Resolved on 03-02 for 30 days, followed up on 03-20 and 04-01: closable from 04-01 09:00."""
    case = d.observing_case(observe_days=30)
    d.write("follow-up", case, actor=AUX, when=at(20))
    d.write("follow-up", case, actor=AUX, when=at(1, month=4))
    return case


def test_close_when_every_condition_holds(d: Disputes) -> None:
    case = closable(d)
    outcome = d.write("close", case, "--note", "观察期满无反复", actor=LEADER, when=at(2, month=4))
    assert (outcome["event"], outcome["status"], outcome["grade"]) == ("Closed", "closed", "blue")
    shown = d.show(case)
    assert shown["closed_at"] == "2024-04-02T09:00:00+08:00"
    assert d.ledger("--status", "closed")[0]["case_no"] == case


def test_relapse_during_observation_reopens_the_case(d: Disputes) -> None:
    case = d.observing_case()
    outcome = d.write(
        "relapse", case, "--grade", "yellow", "--reason", "又起争执", actor=OFFICER, when=at(10)
    )
    assert (outcome["event"], outcome["status"], outcome["grade"]) == (
        "Relapsed",
        "open",
        "yellow",
    )
    assert d.show(case)["relapses"] == 1


def test_relapse_after_closure_reopens_and_the_history_keeps_both(d: Disputes) -> None:
    case = closable(d)
    d.write("close", case, actor=LEADER, when=at(2, month=4))
    outcome = d.write(
        "relapse", case, "--grade", "red", "--reason", "持械", actor=OFFICER, when=at(1, month=5)
    )
    assert (outcome["status"], outcome["grade"]) == ("open", "red")
    shown = d.show(case)
    assert (shown["relapses"], shown["closed_at"]) == (1, None)
    assert [e["event"] for e in d.history(case)][-2:] == ["Closed", "Relapsed"]


def test_the_whole_lifecycle_in_the_audit_trail(d: Disputes) -> None:
    """Every verb once, in the order of product.md §2; versions count up from 1."""
    case = d.report()
    steps: list[tuple[str, list[str], str]] = [
        ("grade", ["--grade", "red", "--reason", "持械", "--signals", "weapons"], OFFICER),
        ("assign", ["--leader", LEADER, "--officer", OFFICER], LEADER),
        ("deliberate", ["--plan", "包案"], LEADER),
        ("visit", [], AUX),
        ("mediate", ["--result", "progress", "--with-units", "SFS"], OFFICER),
        ("refer", ["--to", "SFS", "--reason", "联调"], OFFICER),
        ("receipt", ["--referral", "1", "--outcome", "accepted"], OFFICER),
        ("downgrade", ["--reason", "稳定"], LEADER),
        ("escalate", ["--reason", "反复"], OFFICER),
        ("downgrade", ["--reason", "稳定"], LEADER),
        ("resolve", ["--agreement", "协议", "--form", "written", "--observe-days", "30"], OFFICER),
        ("follow-up", [], AUX),
        ("follow-up", [], AUX),
        ("close", [], LEADER),
        ("relapse", ["--grade", "yellow", "--reason", "又吵"], OFFICER),
    ]
    times = [at(1, 10), at(1, 11), *(at(day) for day in range(2, 11)), at(25)]
    times += [at(8, month=4), at(10, month=4), at(20, month=4)]
    for (verb, args, actor), when in zip(steps, times, strict=True):
        d.write(verb, case, *args, actor=actor, when=when)
    trail = d.history(case)
    assert [e["version"] for e in trail] == list(range(1, len(steps) + 2))
    assert [e["event"] for e in trail] == [
        "Reported",
        "Graded",
        "Assigned",
        "Deliberated",
        "Visited",
        "Mediated",
        "Referred",
        "ReceiptRecorded",
        "Downgraded",
        "Escalated",
        "Downgraded",
        "Resolved",
        "FollowedUp",
        "FollowedUp",
        "Closed",
        "Relapsed",
    ]
    assert [e["actor"] for e in trail[1:]] == [actor for _verb, _args, actor in steps]
    shown = d.show(case)
    assert (shown["status"], shown["grade"], shown["relapses"]) == ("open", "yellow", 1)


def test_human_output_names_the_case_event_and_state(d: Disputes) -> None:
    case = d.report()
    text = d("grade", case, "--grade", "red", "--reason", "x", "--at", at(2), actor=OFFICER).stdout
    assert case in text
    assert "Graded v2" in text
    assert "红" in text
    english = d.runner.invoke(
        d.cli,
        ["--db", str(d.db), "--as", AUX, "--lang", "en", "visit", case, "--at", at(3)],
        catch_exceptions=False,
    )
    assert english.exit_code == 0
    assert "Visited v3" in english.stdout
    assert "open red" in english.stdout


def test_actor_and_store_may_follow_the_verb(d: Disputes) -> None:
    result = d.runner.invoke(
        d.cli,
        ["report", "--db", str(d.db), "--as", GRID, *report_args(summary="s")[1:], "--json"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    assert d.ledger()[0]["case_no"] == "HY-2024-0001"


def test_actor_from_the_environment(d: Disputes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPUTES_ACTOR", GRID)
    d.report()
    # Read at the trusted desk: with DISPUTES_ACTOR the grid worker's read is scoped, and a
    # grid worker sees of their own report only its standing (docs/trust.md §1).
    monkeypatch.delenv("DISPUTES_ACTOR")
    assert d.history("HY-2024-0001")[0]["actor"] == GRID


def test_without_at_the_occurred_time_is_now(d: Disputes) -> None:
    before = datetime.now().astimezone()
    case = d.json(*report_args(summary="s", at=None), "--json", actor=GRID)["case_no"]
    occurred = datetime.fromisoformat(d.history(case)[0]["occurred_at"])
    assert before - timedelta(seconds=1) <= occurred <= datetime.now().astimezone()
    assert case.startswith(f"HY-{occurred.year}-")
