"""Issue 13 through the CLI, on the backend under test: the story of its "Done when" (an
informant's tip becomes a case; after grading a reward is proposed, approved by another leader
and paid by the finance person; ``rewards`` shows it), refusals (exit 1, Chinese text, nothing
stored), retries, the list's filters and formats, the informant masked for a grid worker of
another village, and the rewards projection equal after a rebuild."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import pytest
from openpyxl import load_workbook

from tests.support.driver import GRID, LEADER, OFFICER, OTHER_LEADER, Disputes, at

if TYPE_CHECKING:
    from pathlib import Path

REFUSED, INVALID, NOT_FOUND = 1, 2, 3
FINANCE = "F-HY-01"
INFORMANT = "I-WD-V01-01"
OTHER_VILLAGE_GRID = "G-WD-V02-G1"


@pytest.fixture
def r(d: Disputes) -> Disputes:
    """The sample roster with a district finance person and an enrolled informant of WD-V01."""
    when = "2024-01-01T08:00"
    d(
        "roster",
        "add",
        FINANCE,
        "--name",
        "钱会计",
        "--role",
        "finance",
        "--unit",
        "HY",
        "--at",
        when,
    )
    d("roster", "add", INFORMANT, "--name", "周信息", "--role", "informant", "--unit", "WD-V01",
      "--at", when)  # fmt: skip
    return d


def tip_case(r: Disputes) -> str:
    """An officer records an informant's phone tip; the case is graded the next day."""
    case = r.report(actor=OFFICER, informant=INFORMANT)
    r.write("grade", case, "--grade", "red", "--reason", "扬言动手", actor=LEADER, when=at(2))
    return case


def propose(r: Disputes, case: str, amount: str = "300", actor: str = OFFICER) -> dict[str, Any]:
    return r.write(
        "propose-reward", case, "--kind", "prevention", "--amount", amount,
        "--reason", "及时报告，避免冲突", actor=actor, when=at(3),
    )  # fmt: skip


def test_the_story_from_a_tip_to_payment(r: Disputes) -> None:
    case = tip_case(r)
    proposed = propose(r, case)
    assert (proposed["reward"], proposed["case_no"], proposed["status"]) == (
        "HY-2024-R0001",
        case,
        "proposed",
    )
    reward = proposed["reward"]
    approved = r.write("approve-reward", reward, "--note", "同意", actor=OTHER_LEADER, when=at(4))
    assert (approved["event"], approved["status"]) == ("RewardApproved", "approved")
    paid = r.write(
        "pay-reward", reward, "--voucher", "PZ-2024-118", "--paid-amount", "300",
        actor=FINANCE, when=at(5),
    )  # fmt: skip
    assert (paid["event"], paid["version"], paid["status"]) == ("RewardPaid", 3, "paid")
    [row] = r.json("rewards", "--format", "json")
    assert row["reward_no"] == reward
    assert (row["informant"], row["informant_name"], row["masked"]) == (INFORMANT, "周信息", False)
    assert (row["status"], row["amount"], row["paid_amount"]) == ("paid", 300, 300)
    assert (row["proposed_by"], row["decided_by"], row["paid_by"]) == (
        OFFICER,
        OTHER_LEADER,
        FINANCE,
    )
    assert row["paid_at"] == "2024-03-05T09:00:00+08:00"
    table = r("rewards").stdout
    assert "已发放" in table
    assert "周信息" in table
    assert "300" in table
    assert r.json("verify", "--json")["intact"] is True


def test_the_answer_line_names_the_reward_and_its_case(r: Disputes) -> None:
    case = tip_case(r)
    out = r("propose-reward", case, "--kind", "prevention", "--amount", "300", "--reason", "x",
            "--at", at(3), actor=OFFICER).stdout  # fmt: skip
    assert out == f"HY-2024-R0001 ({case}): RewardProposed v1 — 待审批\n"


def test_refusals_exit_1_name_the_rule_in_chinese_and_store_nothing(r: Disputes) -> None:
    case = tip_case(r)
    error = r.fails(
        "propose-reward", case, "--kind", "prevention", "--amount", "600", "--reason", "x",
        "--at", at(3), actor=OFFICER, code=REFUSED, lang=None,
    )  # fmt: skip
    assert "奖励金额规则：防范类奖励金额须在 200–500 元之间，申报了 600 元" in error
    reward = propose(r, case, actor=LEADER)["reward"]
    error = r.fails("approve-reward", reward, "--at", at(4), actor=LEADER, code=REFUSED, lang=None)
    assert "四眼原则" in error
    error = r.fails(
        "pay-reward", reward, "--voucher", "V", "--paid-amount", "300", "--at", at(4),
        actor=FINANCE, code=REFUSED, lang=None,
    )  # fmt: skip
    assert "须先经领导审批后才能发放" in error
    english = r.fails(
        "--lang", "en", "pay-reward", reward, "--voucher", "V", "--paid-amount", "300",
        "--at", at(4), actor=FINANCE, code=REFUSED,
    )  # fmt: skip
    assert "reward status rule" in english


def test_an_unknown_reward_is_exit_3_and_a_bad_number_exit_2(r: Disputes) -> None:
    r.fails("approve-reward", "HY-2024-R0042", actor=OTHER_LEADER, code=NOT_FOUND)
    r.fails("approve-reward", "HY-2024-0001", actor=OTHER_LEADER, code=INVALID)


def test_a_retried_payment_records_nothing(r: Disputes) -> None:
    reward = propose(r, tip_case(r))["reward"]
    r.write("approve-reward", reward, actor=OTHER_LEADER, when=at(4))
    args = (
        "pay-reward",
        reward,
        "--voucher",
        "V1",
        "--paid-amount",
        "300",
        "--command-id",
        "pay-1",
    )
    first = r.write(*args, actor=FINANCE, when=at(5))
    before = r.stored_events()
    again = r.write(*args, actor=FINANCE, when=at(5))
    assert r.stored_events() == before
    assert (first["duplicate"], again["duplicate"], again["version"]) == (False, True, 3)


def test_the_rewards_list_keeps_to_the_reader_s_case_scope(r: Disputes) -> None:
    """A reward names its case, village, amount, proposer, approver and voucher: a reader who
    may not read the case (``show`` refused) does not see the reward either."""
    case = tip_case(r)
    reward = propose(r, case)["reward"]
    r.write("approve-reward", reward, "--note", "同意", actor=OTHER_LEADER, when=at(4))
    for outsider in (OTHER_VILLAGE_GRID, GRID, "L-DM-01"):  # grid workers; another station
        r("show", case, "--json", actor=outsider, code=REFUSED)
        assert r.json("rewards", "--format", "json", actor=outsider) == []
        listed = r("rewards", actor=outsider).stdout
        assert case not in listed
        assert "WD-V01" not in listed
        assert "周" not in listed
        assert r("rewards", "--format", "csv", actor=outsider).stdout.count(case) == 0
    for reader in (LEADER, "P-WD-02", FINANCE):  # the station's police; district finance
        [seen] = r.json("rewards", "--format", "json", actor=reader)
        assert (seen["reward_no"], seen["informant_name"]) == (reward, "周信息")
    [own] = r.json("rewards", "--format", "json", actor=INFORMANT)
    assert own["informant"] == INFORMANT


def test_a_grid_worker_s_own_report_is_theirs(r: Disputes) -> None:
    case = r.report(actor=GRID)
    r.write("grade", case, "--grade", "yellow", "--reason", "r", actor=OFFICER, when=at(2))
    assert propose(r, case, amount="200")["status"] == "proposed"
    [row] = r.json("rewards", "--format", "json", "--informant", GRID)
    assert row["informant"] == GRID


def test_filters(r: Disputes) -> None:
    first = propose(r, tip_case(r))["reward"]
    case = r.report(actor=GRID, when=at(6))
    r.write("grade", case, "--grade", "red", "--reason", "r", actor=OFFICER, when=at(7))
    second = r.write(
        "propose-reward", case, "--kind", "serious-crime", "--amount", "2000",
        "--reason", "x", actor=OFFICER, when=at(8),
    )["reward"]  # fmt: skip
    r.write("approve-reward", second, actor=OTHER_LEADER, when=at(9))

    def numbers(*options: str) -> list[str]:
        return [row["reward_no"] for row in r.json("rewards", "--format", "json", *options)]

    assert numbers() == [first, second]
    assert numbers("--status", "approved") == [second]
    assert numbers("--informant", INFORMANT) == [first]
    assert numbers("--station", "WD") == [first, second]
    assert numbers("--station", "DM") == []
    assert numbers("--from", "2024-03-05", "--to", "2024-03-09") == [second]
    assert numbers("--to", "2024-03-05") == [first]
    r.fails("rewards", "--station", "NOPE", code=INVALID)


def test_csv_and_xlsx(r: Disputes, tmp_path: Path) -> None:
    propose(r, tip_case(r))
    out = r("rewards", "--format", "csv").stdout_bytes
    assert out.startswith(b"\xef\xbb\xbf")
    assert "HY-2024-R0001" in out.decode("utf-8-sig")
    path = tmp_path / "rewards.xlsx"
    r("rewards", "--format", "xlsx", "--output", str(path))
    sheet = load_workbook(io.BytesIO(path.read_bytes())).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "reward_no"
    assert rows[1][0] == "HY-2024-R0001"
    before = path.read_bytes()
    r.fails("rewards", "--format", "xlsx", "--output", str(path), code=INVALID)
    assert path.read_bytes() == before
    r.fails("rewards", "--format", "xlsx", code=INVALID)


def test_the_rewards_list_is_the_same_after_a_rebuild(r: Disputes) -> None:
    reward = propose(r, tip_case(r))["reward"]
    r.write("reject-reward", reward, "--reason", "不足", actor=OTHER_LEADER, when=at(4))
    reward = propose(r, tip_case(r))["reward"]
    r.write("cancel-reward", reward, "--reason", "有误", actor=OFFICER, when=at(4))
    before = r.json("rewards", "--format", "json")
    r("rebuild")
    assert r.json("rewards", "--format", "json") == before
    assert [row["status"] for row in before] == ["rejected", "cancelled"]
    assert r.json("verify", "--json")["intact"] is True


def test_a_journal_carries_the_reward_verbs(r: Disputes, tmp_path: Path) -> None:
    """Journal lines of the reward verbs: ``propose-reward`` names its case (or alias), the
    others the reward number; a re-run records nothing new."""
    import json

    lines = [
        {"id": "j1", "at": at(1), "actor": GRID, "command": "report", "case": "C1",
         "args": {"category": "neighbour", "source": "informant", "village": "WD-V01",
                  "summary": "两家因排水争执"}},
        {"id": "j2", "at": at(2), "actor": OFFICER, "command": "grade", "case": "C1",
         "args": {"grade": "red", "reason": "扬言动手"}},
        {"id": "j3", "at": at(3), "actor": OFFICER, "command": "propose-reward", "case": "C1",
         "args": {"kind": "prevention", "amount": 300, "reason": "及时报告"}},
        {"id": "j4", "at": at(4), "actor": OTHER_LEADER, "command": "approve-reward",
         "reward": "HY-2024-R0001", "args": {"note": "同意"}},
        {"id": "j5", "at": at(5), "actor": FINANCE, "command": "pay-reward",
         "reward": "HY-2024-R0001", "args": {"voucher": "PZ-7", "paid_amount": 300}},
        {"id": "j6", "at": at(5), "actor": FINANCE, "command": "pay-reward", "args": {}},
    ]  # fmt: skip
    journal = tmp_path / "rewards.jsonl"
    journal.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n")
    first = r.json("apply", "--json", str(journal), code=REFUSED)
    assert (first["applied"], first["skipped"]) == (5, 0)
    assert [(f["line"], f["id"]) for f in first["failed"]] == [(6, "j6")]
    assert "reward" in first["failed"][0]["error"]
    [row] = r.json("rewards", "--format", "json")
    assert (row["status"], row["voucher"], row["informant"]) == ("paid", "PZ-7", GRID)
    again = r.json("apply", "--json", str(journal), code=REFUSED)
    assert (again["applied"], again["skipped"]) == (0, 5)


def test_a_masked_reader_of_the_case_does_not_learn_the_informant(r: Disputes) -> None:
    """An auditor without a purpose reads the case masked: the informant (and the grid
    worker's report as its actor) withheld; with a purpose, shown."""
    r("roster", "add", "AUD-HY", "--name", "审计甲", "--role", "auditor", "--unit", "HY",
      "--at", "2024-01-01T08:00")  # fmt: skip
    case = r.report(actor=GRID)
    masked = r.json("history", case, "--json", actor="AUD-HY")
    assert (masked[0]["informant"], masked[0]["actor"]) == (None, None)
    assert r.json("show", case, "--json", actor="AUD-HY")["reporter"] is None
    full = r.json("history", case, "--json", "--purpose", "audit", actor="AUD-HY")
    assert (full[0]["informant"], full[0]["actor"]) == (GRID, GRID)
