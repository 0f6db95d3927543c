"""``disputes due`` and the supervision verbs (issue 3) through the CLI: the sample's board, bad
input and its exit codes, ``supervise`` / ``answer-supervision``, and the due columns of ``show``
and ``ledger``."""

from __future__ import annotations

import pytest

from tests.support.driver import LEADER, OFFICER, OTHER_LEADER, SAMPLES, Disputes, at

CASE_KEYS = {
    "case_no", "status", "grade", "category", "source", "station", "village", "leader",
    "officer", "reported_at", "resolved_at", "observe_until", "closed_at", "relapses",
    "open_referrals",
}  # fmt: skip
DUE_KEYS = {"next_due_at", "overdue_days", "supervision"}


def test_the_sample_board_lists_the_elder_support_case_as_an_overdue_follow_up(
    d: Disputes,
) -> None:
    d("apply", str(SAMPLES / "scenarios.jsonl"), "--json")
    board = d.json("due", "--on", "2022-06-30T18:00+08:00", "--json")
    follow_ups = [i for i in board if (i["case_no"], i["kind"]) == ("HY-2021-0002", "follow-up")]
    assert len(follow_ups) == 1
    assert follow_ups[0]["overdue"] is True
    assert follow_ups[0]["due_at"] == "2022-05-16T09:30:00+08:00"
    assert follow_ups[0]["overdue_days"] == 45
    closed = {r["case_no"] for r in d.ledger("--status", "closed")}
    assert closed == {"HY-2021-0001", "HY-2022-0001"}
    assert not closed & {i["case_no"] for i in board}


def test_board_rows_carry_the_contract_keys(d: Disputes) -> None:
    case = d.open_case("red")  # graded day 1 10:00: first contact due day 2 10:00
    (row,) = d.json("due", "--on", at(5, 10), "--json")
    assert row == {
        "case_no": case,
        "kind": "first-contact",
        "due_at": "2024-03-02T10:00:00+08:00",
        "overdue": True,
        "overdue_days": 3,
        "supervision": "yellow-card",
        "officer": OFFICER,
        "leader": LEADER,
        "station": "WD",
        "grade": "red",
        "referral": None,
        "supervision_order": None,
    }


def test_overdue_and_filters(d: Disputes) -> None:
    case = d.open_case("yellow")  # first contact due day 3 10:00
    assert d.json("due", "--on", at(3, 9), "--overdue", "--json") == []
    assert [i["case_no"] for i in d.json("due", "--on", at(3, 9), "--json")] == [case]
    assert d.json("due", "--on", at(4), "--officer", "P-WD-02", "--json") == []
    assert [i["case_no"] for i in d.json("due", "--on", at(4), "--leader", LEADER, "--json")] == [
        case
    ]
    assert len(d.json("due", "--on", at(4), "--station", "WD", "--overdue", "--json")) == 1


def test_the_table_speaks_chinese_by_default(d: Disputes) -> None:
    d.open_case("red")
    text = d("due", "--on", at(10)).stdout  # 7 days 23 hours late
    assert "首次接触" in text
    assert "红牌" in text
    assert "逾期 1 项" in text


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--on", "yesterday"], "--on"),
        (["--station", "NOPE"], "--station"),
        (["--station", "WD-V01"], "--station"),
        (["--officer", "NOBODY"], "--officer"),
        (["--officer", "G-WD-V01-G1"], "--officer"),
        (["--leader", "NOBODY"], "--leader"),
        (["--leader", OFFICER], "--leader"),
    ],
)
def test_bad_input_exits_2_naming_the_option(d: Disputes, args: list[str], option: str) -> None:
    error = d.fails("due", *args, code=2)
    assert error.startswith(f"error: {option}:")


def test_supervise_and_answer(d: Disputes) -> None:
    case = d.open_case("yellow")
    ordered = d.write(
        "supervise", case, "--level", "red-card", "--note", "三日内走访", actor=OTHER_LEADER,
        when=at(2),
    )  # fmt: skip
    assert (ordered["event"], ordered["case_no"]) == ("SupervisionOrdered", case)
    (row,) = [i for i in d.json("due", "--on", at(2), "--json") if i["kind"] == "first-contact"]
    assert (row["supervision"], row["supervision_order"], row["overdue"]) == (
        "red-card",
        "red-card",
        False,
    )
    shown = d.show(case)
    assert [o["level"] for o in shown["supervision_orders"]] == ["red-card"]
    assert shown["supervision_orders"][0]["answered_at"] is None
    answered = d.write("answer-supervision", case, "--note", "已走访", actor=OFFICER, when=at(3))
    assert answered["event"] == "SupervisionAnswered"
    assert d.show(case)["supervision_orders"][0]["answered_by"] == OFFICER
    assert [e["event"] for e in d.history(case)][-2:] == [
        "SupervisionOrdered",
        "SupervisionAnswered",
    ]


def test_supervise_by_a_non_leader_is_refused(d: Disputes) -> None:
    case = d.open_case()
    error = d.fails(
        "supervise", case, "--level", "yellow-card", "--note", "x", "--at", at(2),
        actor=OFFICER, code=1,
    )  # fmt: skip
    assert "may not supervise" in error


def test_answering_with_no_open_order_is_refused(d: Disputes) -> None:
    case = d.open_case()
    error = d.fails("answer-supervision", case, "--note", "x", "--at", at(2), actor=OFFICER, code=1)
    assert "no open supervision order" in error


def test_an_unknown_level_is_a_usage_error(d: Disputes) -> None:
    case = d.open_case()
    d.fails("supervise", case, "--level", "blue-card", "--note", "x", actor=LEADER, code=2)


def test_show_and_ledger_carry_the_due_columns(d: Disputes) -> None:
    case = d.open_case()
    shown = d.show(case)
    assert shown["next_due_at"] == "2024-03-02T10:00:00+08:00"
    assert shown["supervision"] == "red-card"  # the CLI's clock is long after 2024-03-02
    assert shown["overdue_days"] > 7
    (row,) = d.ledger()
    assert set(row) >= CASE_KEYS | DUE_KEYS
    assert {k: row[k] for k in DUE_KEYS} == {k: shown[k] for k in DUE_KEYS}
    assert "督办" in d("ledger").stdout
