"""An office that speaks Chinese (issue 12 §5): refusals, validation errors, not-found and
progress in Chinese by default and in English with ``--lang en`` (before or after the verb);
the 台账 as CSV and xlsx for Excel/WPS; the ledger table at 100 columns; ``due --within``."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.support.driver import GRID, LEADER, OFFICER, Disputes, at


def width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


# -- refusals --------------------------------------------------------------------------------


def test_a_refusal_is_in_chinese_by_default(d: Disputes) -> None:
    case = d.report()
    err = d.fails(
        "grade", case, "--grade", "red", "--reason", "对峙", actor=GRID, code=1, lang=None
    )
    assert err == (
        "error: 岗位规则：网格员郭翠花（G-WD-V01-G1）无权办理研判定级；请由领导、社区民警办理\n"
    )


@pytest.mark.parametrize("where", ["before", "after"])
def test_a_refusal_is_in_english_with_lang_en_before_or_after_the_verb(
    d: Disputes, where: str
) -> None:
    case = d.report()
    args = ["grade", case, "--grade", "red", "--reason", "对峙"]
    args = ["--lang", "en", *args] if where == "before" else [*args, "--lang", "en"]
    err = d.fails(*args, actor=GRID, code=1, lang=None)
    assert err.startswith("error: role rule: G-WD-V01-G1 (grid-worker) may not grade")


def test_a_closure_refusal_says_in_chinese_what_would_let_the_case_close(d: Disputes) -> None:
    case = d.observing_case(observe_days=30)
    args = ["close", case, "--at", at(3)]
    zh = d.fails(*args, actor=LEADER, code=1, lang=None)
    assert zh.startswith("error: 销号规则（不化解不销案）：")
    assert "观察期至 2024-04-01 09:00 届满（还剩 29.0 天）；请在观察期满后销号" in zh
    assert "最早可于 2024-04-01 09:00 销号" in zh
    en = d.fails(*args, "--lang", "en", actor=LEADER, code=1, lang=None)
    assert "the observation period runs until 2024-04-01 09:00 (29.0 days left)" in en


def test_a_late_follow_up_refusal_asks_for_a_follow_up(d: Disputes) -> None:
    case = d.observing_case(observe_days=30)
    zh = d.fails("close", case, "--at", at(5, month=4), actor=LEADER, code=1, lang=None)
    assert "还需回访：最近一次回访已超过 30 天" in zh


def test_not_found_in_both_languages(d: Disputes) -> None:
    zh = d.fails("show", "HY-2099-0001", code=3, lang=None)
    assert zh.startswith("error: 找不到案件 HY-2099-0001；请核对案件编号")
    en = d.fails("show", "HY-2099-0001", "--lang", "en", code=3, lang=None)
    assert en == "error: case HY-2099-0001 not found\n"


def test_validation_errors_name_the_fields_officers_know(d: Disputes) -> None:
    args = ["report", "--village", "WD-V01", "--category", "neighbour", "--source", "visit"]
    args += ["--summary", " ", "--at", "2024-13-01"]
    zh = d.fails(*args, actor=GRID, code=2, lang=None)
    assert "发生时间：“2024-13-01”不是有效的时间" in zh
    assert "简要情况：不能为空" in zh
    en = d.fails(*args, actor=GRID, code=2)
    assert "summary: must not be empty" in en


def test_a_write_says_what_it_recorded_in_chinese(d: Disputes) -> None:
    case = d.report()
    args = ["grade", case, "--grade", "red", "--reason", "对峙", "--command-id", "x1"]
    out = d(*args, "--at", at(1, 10), actor=OFFICER).stdout
    assert out == f"{case}：已研判定级（第 2 条记录） — 在办 红\n"
    again = d(*args, "--at", at(1, 10), actor=OFFICER).stdout
    assert again == f"{case}：该指令编号已记录过，本次未新增记录 — 在办 红\n"
    en = d(*args, "--at", at(1, 10), "--lang", "en", actor=OFFICER).stdout
    assert en.startswith(f"{case}: already recorded (command id)")


# -- the 台账 for Excel/WPS ----------------------------------------------------------------------


def test_ledger_csv_is_chinese_with_a_bom_by_default(d: Disputes) -> None:
    d.open_case()
    raw = d("ledger", "--format", "csv").stdout_bytes
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["案件编号", "派出所", "村", "类别"]
    assert rows[1][1:4] == ["王店派出所", "东岗村", "邻里纠纷"]
    assert rows[1][rows[0].index("登记时间")] == "2024-03-01 09:00"
    assert rows[1][rows[0].index("责任领导")] == "萧卫东"


def test_ledger_csv_in_english_keeps_the_codes(d: Disputes) -> None:
    d.open_case()
    raw = d("ledger", "--format", "csv", "--lang", "en").stdout_bytes
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0]["station"] == "WD"
    assert rows[0]["category"] == "neighbour"
    assert rows[0]["reported_at"] == "2024-03-01T09:00:00+08:00"


def test_ledger_csv_to_a_new_file_never_overwrites(d: Disputes, tmp_path: Path) -> None:
    d.open_case()
    out = tmp_path / "台账.csv"
    d("ledger", "--format", "csv", "--out", str(out))
    assert out.read_bytes().startswith(b"\xef\xbb\xbf\xe6\xa1\x88")  # BOM, 案
    err = d.fails("ledger", "--format", "csv", "--out", str(out), code=2, lang=None)
    assert "已存在，未写入任何内容" in err


def test_ledger_json_goes_to_out_and_a_table_refuses_it(d: Disputes, tmp_path: Path) -> None:
    """``--out`` is never silently ignored: json is written there, a table is refused."""
    d.open_case()
    out = tmp_path / "ledger.json"
    said = d("ledger", "--format", "json", "--out", str(out)).stdout
    assert said == f"已写入 {out}\n"
    assert json.loads(out.read_text(encoding="utf-8")) == d.json("ledger", "--json")
    err = d.fails("ledger", "--out", str(tmp_path / "t.txt"), code=2, lang=None)
    assert "表格直接显示在屏幕上" in err
    assert not (tmp_path / "t.txt").exists()


@pytest.mark.parametrize(
    ("lang", "title", "header", "station"),
    [("zh", "台账", "案件编号", "王店派出所"), ("en", "ledger", "case", "王店派出所")],
)
def test_ledger_xlsx_reads_back(
    d: Disputes, tmp_path: Path, lang: str, title: str, header: str, station: str
) -> None:
    d.open_case()
    out = tmp_path / "ledger.xlsx"
    d("--lang", lang, "ledger", "--format", "xlsx", "--out", str(out))
    sheet = load_workbook(out)[title]
    assert sheet.cell(1, 1).value == header
    assert sheet.cell(2, 2).value == station
    headers = [c.value for c in sheet[1]]
    reported = sheet.cell(2, headers.index("登记时间" if lang == "zh" else "reported") + 1)
    # a real date cell: Asia/Shanghai wall time, without an offset (as Excel keeps dates)
    assert reported.value == datetime(2024, 3, 1, 9, 0)  # noqa: DTZ001
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(headers)).column_letter}2"
    assert (sheet.column_dimensions["A"].width or 0) >= len("HY-2024-0001")
    err = d.fails("ledger", "--format", "xlsx", "--out", str(out), code=2)
    assert "already exists" in err


def test_ledger_xlsx_needs_out(d: Disputes) -> None:
    assert "--out" in d.fails("ledger", "--format", "xlsx", code=2, lang=None)


# -- the ledger in a terminal --------------------------------------------------------------------


def test_ledger_fits_100_columns_with_names_not_codes(
    d: Disputes, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(3):
        d.open_case()
    monkeypatch.setenv("COLUMNS", "100")
    out = d("ledger").stdout
    assert max(width(line) for line in out.splitlines()) <= 100, out
    assert "王店派出所" in out
    assert "冯桂芝" in out  # the responsible officer, by name
    assert " WD " not in out


def test_ledger_columns_picks_the_columns(d: Disputes) -> None:
    d.open_case()
    out = d("ledger", "--columns", "case_no,village,leader").stdout
    header = next(line for line in out.splitlines() if "案件编号" in line)
    assert "村" in header
    assert "责任领导" in header
    assert "状态" not in header
    assert "东岗村" in out
    err = d.fails("ledger", "--columns", "case_no,nope", code=2, lang=None)
    assert "没有这一列：nope" in err


def test_ledger_json_keeps_codes(d: Disputes) -> None:
    d.open_case()
    (row,) = d.ledger()
    assert (row["station"], row["village"], row["leader"]) == ("WD", "WD-V01", LEADER)


# -- due --within --------------------------------------------------------------------------------


def test_due_within_lists_every_deadline_of_the_coming_days(d: Disputes) -> None:
    case = d.observing_case(observe_days=60)  # resolved 2024-03-02 09:00
    on = "2024-03-28T09:00"
    assert d.json("due", "--on", on, "--json") == []
    week = d.json("due", "--on", on, "--within", "7", "--json")
    assert [(i["case_no"], i["kind"]) for i in week] == [(case, "follow-up")]
    later = d.json("due", "--on", on, "--within", "40", "--json")
    assert sorted(i["kind"] for i in later) == ["follow-up", "observation-end"]
    table = d("due", "--on", on, "--within", "7").stdout
    assert "回访" in table
    assert "王店派出所" in table
    assert "冯桂芝" in table


def test_due_within_and_overdue_do_not_go_together(d: Disputes) -> None:
    err = d.fails("due", "--within", "7", "--overdue", code=2, lang=None)
    assert "二者只能选一个" in err


def test_json_is_unchanged_by_the_language(d: Disputes) -> None:
    d.open_case()
    zh = d("ledger", "--format", "json").stdout
    en = d("--lang", "en", "ledger", "--format", "json").stdout
    assert json.loads(zh) == json.loads(en)


def test_history_and_show_name_people_and_units(d: Disputes) -> None:
    case = d.open_case()
    history = d("history", case).stdout
    assert "分包领导: 萧卫东；责任人: 冯桂芝" in history
    assert "王店派出所 / 东岗村" in d("show", case).stdout
    assert f'"leader": "{LEADER}"' in d("history", case, "--json").stdout  # JSON keeps codes
