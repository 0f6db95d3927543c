"""Issue 11 §1 on the command line: roster changes with an effective time (``roster add``,
``transfer``, ``depart``, ``move-village``, ``roster show --at``), ``transfer`` of a case by a
district leader, and ``handover`` of a departing person's open cases."""

from __future__ import annotations

import json

from tests.support.driver import LEADER, OFFICER, Disputes, at

DISTRICT_LEADER = "L-HY-01"


def _people(d: Disputes, when: str) -> dict[str, str]:
    rows = d.json("roster", "show", "--at", when, "--json")
    return {row["id"]: row["unit"] for row in rows}


def test_roster_changes_take_effect_at_their_time(d: Disputes) -> None:
    d("roster", "add", "P-WD-09", "--name", "新人", "--role", "community-police", "--unit", "WD",
      "--at", at(10))  # fmt: skip
    d("roster", "transfer", OFFICER, "--unit", "DM", "--at", at(20))
    d("roster", "depart", "P-WD-09", "--at", at(25))
    assert "P-WD-09" not in _people(d, at(9))
    assert _people(d, at(11))["P-WD-09"] == "WD"
    assert _people(d, at(19))[OFFICER] == "WD"
    assert _people(d, at(21))[OFFICER] == "DM"
    assert "P-WD-09" not in _people(d, at(26))


def test_a_village_moves_station_and_new_reports_follow_it(d: Disputes) -> None:
    d("roster", "move-village", "WD-V01", "--to", "DM", "--at", at(10))
    units = {u["code"]: u["parent"] for u in d.json("roster", "show", "--kind", "units",
                                                    "--at", at(11), "--json")}  # fmt: skip
    assert units["WD-V01"] == "DM"
    before = d.report(when=at(9))
    after = d.report(when=at(12))
    assert d.show(before)["station"] == "WD"
    assert d.show(after)["station"] == "DM"


def test_a_roster_change_that_breaks_the_roster_is_refused(d: Disputes) -> None:
    error = d.fails("roster", "depart", "NOBODY", "--at", at(10), code=2)
    assert "NOBODY is not on the roster" in error
    error = d.fails("roster", "transfer", OFFICER, "--unit", "NOWHERE", "--at", at(10), code=2)
    assert "unknown unit NOWHERE" in error


def test_the_transferred_officers_late_entry_is_judged_by_the_roster_of_its_day(
    d: Disputes,
) -> None:
    case = d.open_case()
    d("roster", "transfer", OFFICER, "--unit", "DM", "--at", at(10))
    d.write("visit", case, actor=OFFICER, when=at(5))  # 补录: before the transfer
    error = d.fails("visit", case, "--at", at(11), actor=OFFICER, code=1, lang=None)
    assert "冯桂芝无权办理" in error


def test_transfer_moves_the_case_and_the_ledger_follows(d: Disputes) -> None:
    case = d.open_case()
    args = ("transfer", case, "--station", "DM", "--leader", "L-DM-01", "--officer", "P-DM-01",
            "--reason", "跨所管辖", "--at", at(3))  # fmt: skip
    error = d.fails(*args, actor=LEADER, code=1, lang=None)
    assert "跨所移交由区局领导办理" in error
    assert d.json(*args, "--json", actor=DISTRICT_LEADER)["event"] == "Transferred"
    (row,) = d.ledger()
    assert (row["station"], row["leader"], row["officer"]) == ("DM", "L-DM-01", "P-DM-01")
    assert row["reported_by"] == "G-WD-V01-G1"
    d.fails("visit", case, "--at", at(4), actor=LEADER, code=1)
    d.write("visit", case, actor="P-DM-01", when=at(4))
    assert d.json("verify", "--json")["intact"] is True  # the views agree with a replay
    d("rebuild")
    (rebuilt,) = d.ledger()
    keys = ("station", "leader", "officer", "reported_by")
    assert [rebuilt[k] for k in keys] == ["DM", "L-DM-01", "P-DM-01", "G-WD-V01-G1"]


def test_handover_lists_then_reassigns_within_the_station(d: Disputes) -> None:
    first, second = d.open_case(), d.open_case()
    d("roster", "depart", OFFICER, "--at", at(10))
    listed = d.json("handover", OFFICER, "--dry-run", "--json")
    assert [(c["case_no"], c["duty"], c["result"]) for c in listed["cases"]] == [
        (first, "officer", "listed"),
        (second, "officer", "listed"),
    ]
    done = d.json("handover", OFFICER, "--to", "P-WD-02", "--at", at(11), "--json", actor=LEADER)
    assert [c["result"] for c in done["cases"]] == ["Assigned", "Assigned"]
    assert {row["officer"] for row in d.ledger()} == {"P-WD-02"}
    assert d.json("handover", OFFICER, "--json")["cases"] == []


def test_handover_by_transfer_and_a_refusal_exits_1(d: Disputes) -> None:
    d.open_case()
    d("roster", "depart", LEADER, "--at", at(10))
    refused = d(
        "handover", LEADER, "--station", "DM", "--leader", "L-DM-01", "--officer", "P-DM-01",
        "--at", at(11), "--json", actor="L-WD-02", code=1,
    )  # fmt: skip
    (entry,) = json.loads(refused.stdout)["cases"]
    assert entry["result"] == "refused"
    assert "跨所移交由区局领导办理" in entry["error"]
    d("handover", LEADER, "--station", "DM", "--leader", "L-DM-01", "--officer", "P-DM-01",
      "--at", at(11), actor=DISTRICT_LEADER)  # fmt: skip
    (row,) = d.ledger()
    assert (row["station"], row["leader"]) == ("DM", "L-DM-01")


def test_depart_names_the_open_cases_and_the_handover_command(d: Disputes) -> None:
    first, second = d.open_case(), d.open_case()
    told = d("roster", "depart", OFFICER, "--at", at(10)).stdout  # Chinese by default
    assert "2 件未结案件" in told
    assert first in told
    assert second in told
    assert f"disputes handover {OFFICER} --to" in told
    assert "责任民警" in told
    done = d.json("roster", "depart", LEADER, "--at", at(11), "--json")
    assert [(c["case_no"], c["as"]) for c in done["open_cases"]] == [
        (first, "leader"),
        (second, "leader"),
    ]


def test_depart_in_english_and_without_open_cases(d: Disputes) -> None:
    case = d.open_case()
    told = d("--lang", "en", "roster", "depart", LEADER, "--at", at(10)).stdout
    assert f"{LEADER} still holds 1 open case" in told
    assert case in told
    assert f"disputes handover {LEADER} --station" in told
    quiet = d("--lang", "en", "roster", "depart", "P-WD-02", "--at", at(10)).stdout
    assert "open case" not in quiet
    assert "handover" not in quiet
    assert d.json("roster", "depart", "L-DM-01", "--at", at(10), "--json")["open_cases"] == []


def test_departing_twice_says_when_they_left(d: Disputes) -> None:
    d("roster", "depart", "L-DM-01", "--at", at(10))
    error = d.fails("roster", "depart", "L-DM-01", "--at", at(12), code=2)
    assert "L-DM-01 already departed" in error
    assert "not on the roster" not in error
    zh = d.fails("roster", "depart", "L-DM-01", "--at", at(12), code=2, lang=None)
    assert "已于" in zh
    assert "离职" in zh
