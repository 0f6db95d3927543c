"""``stats --by informant`` (issue 13 §3) and ``stats --by station`` after a transfer (issue 11),
through the CLI on the backend under test. Expectations are worked out by hand from the story
each test tells (who reported what, when it was graded, what was paid), not read from output."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from openpyxl import load_workbook

from tests.support.driver import GRID, LEADER, OFFICER, OTHER_LEADER, Disputes, at

if TYPE_CHECKING:
    from pathlib import Path

INVALID = 2
FINANCE = "F-HY-01"
INFORMANT = "I-WD-V01-01"
OTHER_VILLAGE_GRID = "G-WD-V02-G1"
MARCH = ("--from", "2024-03-01", "--to", "2024-03-31")


@pytest.fixture
def r(d: Disputes) -> Disputes:
    """The sample roster, a district finance person and an enrolled informant of WD-V01."""
    when = "2024-01-01T08:00"
    d("roster", "add", FINANCE, "--name", "钱会计", "--role", "finance", "--unit", "HY",
      "--at", when)  # fmt: skip
    d("roster", "add", INFORMANT, "--name", "周信息", "--role", "informant", "--unit", "WD-V01",
      "--at", when)  # fmt: skip
    return d


def story(r: Disputes) -> tuple[str, str]:
    """An officer records 周信息's tip (1 March), graded on the 2nd; a reward of 280 yuan is
    proposed (3rd), approved (4th) and paid (5th). The grid worker of WD-V01 reports a case on the
    6th (an informant by default), never graded."""
    tip = r.report(actor=OFFICER, informant=INFORMANT)
    r.write("grade", tip, "--grade", "red", "--reason", "扬言动手", actor=LEADER, when=at(2))
    reward = r.write(
        "propose-reward", tip, "--kind", "prevention", "--amount", "280",
        "--reason", "及时报告，避免冲突", actor=OFFICER, when=at(3),
    )["reward"]  # fmt: skip
    r.write("approve-reward", reward, "--note", "同意", actor=OTHER_LEADER, when=at(4))
    r.write("pay-reward", reward, "--voucher", "PZ-1", "--paid-amount", "280",
            actor=FINANCE, when=at(5))  # fmt: skip
    grid_case = r.report(actor=GRID, when=at(6))
    return tip, grid_case


def by_key(data: dict[str, Any]) -> dict[Any, dict[str, Any]]:
    return {g["key"]: g for g in data["groups"]}


def figures(group: dict[str, Any]) -> tuple[int, ...]:
    return tuple(group[k] for k in ("reports", "graded", "resolved", "rewards", "amount"))


def test_the_desk_sees_every_informant_and_their_figures(r: Disputes) -> None:
    story(r)
    data = r.json("stats", *MARCH, "--by", "informant", "--format", "json")
    assert data["by"] == "informant"
    groups = by_key(data)
    assert set(groups) == {INFORMANT, GRID}
    assert figures(groups[INFORMANT]) == (1, 1, 0, 1, 280)
    assert (groups[INFORMANT]["name"], groups[INFORMANT]["masked"]) == ("周信息", False)
    assert groups[INFORMANT]["station"] == "WD"
    assert figures(groups[GRID]) == (1, 0, 0, 0, 0)
    assert data["total"] == {"reports": 2, "graded": 1, "resolved": 0, "rewards": 1, "amount": 280}
    # The same rows as ``disputes informants`` (one projection, counted once).
    rows = r.json("informants", "--from", "2024-03-01", "--to", "2024-04-01", "--format", "json")
    assert {(x["informant"], x["reports"], x["amount"]) for x in rows} == {
        (g["key"], g["reports"], g["amount"]) for g in data["groups"]
    }


def test_the_period_counts_reports_by_report_and_rewards_by_payment(r: Disputes) -> None:
    story(r)
    data = r.json("stats", "--from", "2024-03-05", "--to", "2024-03-31", "--by", "informant",
                  "--format", "json")  # fmt: skip
    groups = by_key(data)
    # 周信息's report (1 March) is outside; the payment (5 March) is inside.
    assert figures(groups[INFORMANT]) == (0, 0, 0, 1, 280)
    assert figures(groups[GRID]) == (1, 0, 0, 0, 0)
    assert r.json("stats", *MARCH, "--by", "informant", "--station", "DM",
                  "--format", "json")["groups"] == []  # fmt: skip


def test_a_grid_worker_of_another_village_never_learns_who_the_informant_was(
    r: Disputes,
) -> None:
    story(r)
    data = r.json("stats", *MARCH, "--by", "informant", "--format", "json",
                  actor=OTHER_VILLAGE_GRID)  # fmt: skip
    assert {(g["key"], g["masked"]) for g in data["groups"]} == {(None, True)}
    names = {g["name"] for g in data["groups"]}
    assert "周**" in names
    assert "周信息" not in names
    for fmt in ("table", "csv"):
        out = r("stats", *MARCH, "--by", "informant", "--format", fmt,
                actor=OTHER_VILLAGE_GRID).stdout  # fmt: skip
        for secret in (INFORMANT, "周信息", GRID):
            assert secret not in out, (fmt, secret)
    # Police of the station see the names; police of another station do not.
    seen = by_key(r.json("stats", *MARCH, "--by", "informant", "--format", "json",
                         actor="P-WD-02"))  # fmt: skip
    assert seen[INFORMANT]["name"] == "周信息"
    other = r.json("stats", *MARCH, "--by", "informant", "--format", "json", actor="L-DM-01")
    assert all(g["masked"] and g["key"] is None for g in other["groups"])
    # The informant themself sees their own row.
    own = r.json("stats", *MARCH, "--by", "informant", "--format", "json", actor=INFORMANT)
    assert INFORMANT in by_key(own)


def test_formats_and_refusals(r: Disputes, tmp_path: Path) -> None:
    story(r)
    table = r("stats", *MARCH, "--by", "informant").stdout
    for text in ("周信息", "280", "合计"):
        assert text in table
    csv_text = r("stats", *MARCH, "--by", "informant", "--format", "csv").stdout
    assert csv_text.startswith("\ufeff信息员,派出所,报告")
    out = tmp_path / "informants.xlsx"
    r("stats", *MARCH, "--by", "informant", "--format", "xlsx", "--out", str(out))
    sheet = load_workbook(out).active
    assert sheet is not None
    values = [c for row in sheet.iter_rows(values_only=True) for c in row]
    assert "周信息" in values
    assert 280 in values
    refused = r("stats", *MARCH, "--by", "informant", "--as-of", "2024-03-10T00:00",
                code=INVALID)  # fmt: skip
    assert "--as-of" in refused.stderr


def test_stats_by_station_follows_a_transfer(r: Disputes) -> None:
    """Two WD cases in March; one is handed to 豆门 (DM) on the 10th and resolved there on
    the 12th: both reports stay WD's, the resolution is DM's, and at the month's end DM holds
    the transferred case (blue: resolved, observing) and WD the other (red)."""
    moved = r.report(actor=GRID, when=at(1))
    r.write("grade", moved, "--grade", "yellow", "--reason", "r", actor=LEADER, when=at(2))
    stays = r.report(actor=GRID, when=at(3))
    r.write("grade", stays, "--grade", "red", "--reason", "r", actor=LEADER, when=at(4))
    r.write("transfer", moved, "--station", "DM", "--leader", "L-DM-01", "--officer", "P-DM-01",
            "--reason", "跨所管辖", actor="L-HY-01", when=at(10))  # fmt: skip
    r.write("resolve", moved, "--agreement", "签订书面调解协议", "--form", "written",
            "--observe-days", "30", actor="P-DM-01", when=at(12))  # fmt: skip
    data = r.json("stats", *MARCH, "--by", "station", "--format", "json")
    groups = by_key(data)
    wd, dm = groups["WD"], groups["DM"]
    assert (wd["reported"], dm["reported"]) == (2, 0)
    assert (wd["resolved"], dm["resolved"]) == (0, 1)
    assert (wd["in_hand_red"], wd["in_hand_yellow"], wd["in_hand_blue"]) == (1, 0, 0)
    assert (dm["in_hand_red"], dm["in_hand_yellow"], dm["in_hand_blue"]) == (0, 0, 1)
    for key in ("reported", "resolved", "in_hand_red", "in_hand_blue", "overdue_items"):
        assert sum(g[key] for g in data["groups"]) == data["total"][key], key
    only_dm = r.json("stats", *MARCH, "--station", "DM", "--format", "json")
    assert only_dm["total"] == {k: v for k, v in dm.items() if k not in ("key", "name")}
