"""``disputes import-ledger``: an office 台账 (.xlsx, GB18030 or UTF-8 CSV) → a command journal
that ``apply`` runs unchanged (issue 12 §3).

The sample sheet (tests/data/ledger, written by make_sample.py there) is 王店派出所's 2021
台账 as an office keeps it; smaller sheets are written here for one rule each.
"""

# The times here are what a workbook's cells hold and what the import reads them as: naive
# times are Asia/Shanghai, as the cells of an office's workbook mean them.
# ruff: noqa: DTZ001

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from disputes.cli.ledger_columns import field_of, status_of
from disputes.cli.sheets import CellProblem, cell_count, cell_time
from disputes.domain.clock import SHANGHAI
from tests.data.ledger import make_sample
from tests.support.driver import PEOPLE, UNITS, Disputes

XLSX = make_sample.XLSX
GB_CSV = make_sample.CSV
HEADER = (
    "案件编号",
    "登记时间",
    "村",
    "类别",
    "当事人",
    "等级",
    "责任领导",
    "责任民警",
    "化解情况",
    "化解时间",
)
GOOD = (
    "T-1",
    "2021-03-04",
    "东岗村",
    "邻里纠纷",
    "梁某、田某",
    "红",
    "萧卫东",
    "冯桂芝",
    "化解中",
    "",
)


def import_ledger(
    d: Disputes, sheet: Path, out: Path, *options: str, code: int = 0
) -> dict[str, Any]:
    result: dict[str, Any] = d.json(
        "import-ledger", str(sheet), "--out", str(out), "--json", *options, code=code
    )
    return result


def journal(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write_csv(
    path: Path,
    rows: list[tuple[str, ...]],
    header: tuple[str, ...] = HEADER,
    encoding: str = "utf-8-sig",
) -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    path.write_bytes(out.getvalue().encode(encoding))
    return path


# -- the sample 台账 ------------------------------------------------------------------------------


def test_the_sample_imports_and_applies(d: Disputes, tmp_path: Path) -> None:
    report = import_ledger(d, XLSX, tmp_path / "j.jsonl")
    assert (report["header_row"], report["rows"], report["mapped"]) == (3, 8, 8)
    assert report["failed"] == []
    assert report["ignored_columns"] == ["联系电话"]
    assert [w["row"] for w in report["warnings"]] == [6, 8]  # 蓝 without a first grade; 销号
    applied = d.json("apply", str(tmp_path / "j.jsonl"), "--json")
    assert (applied["applied"], applied["failed"]) == (report["commands"], [])
    assert applied["cases"]["台账:WD-2021-001"] == "HY-2021-0001"
    rows = {
        r["case_no"]: (r["category"], r["village"], r["source"], r["grade"], r["status"])
        for r in d.ledger()
    }
    assert rows == {
        "HY-2021-0001": ("neighbour", "WD-V01", "visit", "blue", "observing"),
        "HY-2021-0002": ("marriage-family", "WD-V02", "informant", "yellow", "open"),
        "HY-2021-0003": ("land-homestead", "WD-V03", "walk-in", "blue", "observing"),
        "HY-2021-0004": ("labour-wages", "WD-V04", "incident-analysis", "blue", "observing"),
        "HY-2021-0005": ("debt-loan", "WD-V05", "court-notice", "blue", "observing"),
        "HY-2021-0006": ("support-inheritance", "WD-V01", "visit", "yellow", "open"),
        "HY-2021-0007": ("personal-injury", "WD-V02", "visit", "red", "open"),
        "HY-2021-0008": ("group-sensitive", "WD-V04", "visit", "blue", "observing"),
    }


def test_the_sample_case_carries_the_rows_facts(d: Disputes, tmp_path: Path) -> None:
    import_ledger(d, XLSX, tmp_path / "j.jsonl")
    d("apply", "--quiet", str(tmp_path / "j.jsonl"))
    case = d.show("HY-2021-0001")
    assert case["reported_at"] == "2021-03-04T08:30:00+08:00"
    assert case["resolved_at"] == "2021-03-20T00:00:00+08:00"
    assert (case["leader"], case["officer"]) == ("L-WD-01", "P-WD-01")
    assert "原台账编号：WD-2021-001" in case["summary"]
    assert case["parties"] == [
        {"name": "梁某", "role": "applicant"},
        {"name": "田某", "role": "respondent"},
    ]
    history = d.history("HY-2021-0001")
    events = [(e["event"], e.get("mode"), e.get("form")) for e in history]
    assert events == [
        ("Reported", None, None),
        ("Graded", None, None),
        ("Assigned", None, None),
        ("Resolved", None, "written"),
        ("FollowedUp", "phone", None),
        ("FollowedUp", "in-person", None),
    ]
    assert d.show("HY-2021-0002")["people_involved"] == 7  # ７人, full-width
    visits = [e for e in d.history("HY-2021-0002") if e["event"] == "Visited"]
    assert [v["occurred_at"] for v in visits] == ["2021-03-20T00:00:00+08:00"]  # 回访 while open


def test_re_import_and_re_apply_record_nothing_new(d: Disputes, tmp_path: Path) -> None:
    import_ledger(d, XLSX, tmp_path / "first.jsonl")
    d("apply", "--quiet", str(tmp_path / "first.jsonl"))
    stored, ledger = d.stored_events(), d.ledger()
    import_ledger(d, XLSX, tmp_path / "again.jsonl")
    assert (tmp_path / "again.jsonl").read_bytes() == (tmp_path / "first.jsonl").read_bytes()
    again = d.json("apply", str(tmp_path / "again.jsonl"), "--json")
    assert (again["applied"], again["failed"]) == (0, [])
    assert again["skipped"] == len(journal(tmp_path / "first.jsonl"))
    assert (d.stored_events(), d.ledger()) == (stored, ledger)


def test_a_resolution_filled_in_since_is_all_that_is_applied(d: Disputes, tmp_path: Path) -> None:
    import_ledger(d, write_csv(tmp_path / "a.csv", [GOOD]), tmp_path / "a.jsonl")
    d("apply", "--quiet", str(tmp_path / "a.jsonl"))
    resolved = (*GOOD[:8], "已化解，签订调解协议书", "2021年3月9日")
    import_ledger(d, write_csv(tmp_path / "b.csv", [resolved]), tmp_path / "b.jsonl")
    result = d.json("apply", str(tmp_path / "b.jsonl"), "--json")
    assert (result["applied"], result["skipped"], result["failed"]) == (1, 3, [])
    (case,) = d.ledger()
    assert (case["status"], case["resolved_at"]) == ("observing", "2021-03-09T00:00:00+08:00")


def test_follow_up_dates_become_visits_and_follow_ups_in_time_order(
    d: Disputes, tmp_path: Path
) -> None:
    header = (*HEADER, "回访情况")
    resolved = (*GOOD[:8], "已化解", "2021-03-20", "2021.4.18电话回访；2021年3月10日入户")
    undated = ("T-2", *GOOD[1:8], "化解中", "", "已回访")
    report = import_ledger(
        d, write_csv(tmp_path / "s.csv", [resolved, undated], header), tmp_path / "j.jsonl"
    )
    lines = [
        (x["command"], x["at"][:10], x["args"].get("mode")) for x in journal(tmp_path / "j.jsonl")
    ]
    assert lines[3:6] == [
        ("visit", "2021-03-10", "in-person"),
        ("resolve", "2021-03-20", None),
        ("follow-up", "2021-04-18", "phone"),
    ]
    assert [(w["row"], w["warning_zh"]) for w in report["warnings"]] == [
        (3, "回访情况：“已回访”没有日期，未导入")
    ]
    assert d.json("apply", str(tmp_path / "j.jsonl"), "--json")["failed"] == []


def test_ids_come_from_the_case_not_the_rows_position(d: Disputes, tmp_path: Path) -> None:
    """A sheet sorted another way (or with rows inserted) gives the same command ids."""
    rows = [
        (
            "T-1",
            "2021-03-04",
            "东岗村",
            "邻里纠纷",
            "梁某、田某",
            "红",
            "萧卫东",
            "冯桂芝",
            "化解中",
            "",
        ),
        (
            "T-2",
            "2021-03-05",
            "李楼村",
            "邻里纠纷",
            "韩某",
            "黄",
            "萧卫东",
            "程志强",
            "已化解",
            "2021-03-09",
        ),
    ]
    import_ledger(d, write_csv(tmp_path / "a.csv", rows), tmp_path / "a.jsonl")
    import_ledger(d, write_csv(tmp_path / "b.csv", rows[::-1]), tmp_path / "b.jsonl")
    assert journal(tmp_path / "a.jsonl") == journal(tmp_path / "b.jsonl")


def test_the_committed_sample_is_what_the_script_writes() -> None:
    from openpyxl import load_workbook

    assert GB_CSV.read_bytes() == make_sample.csv_text().encode("gb18030")
    book = load_workbook(XLSX, read_only=True)
    values = list(book["台账"].iter_rows(values_only=True))
    book.close()
    assert values[2] == make_sample.HEADER
    expected = [tuple(v if v != "" else None for v in row) for row in make_sample.ROWS[:8]]
    assert [tuple(map(_as_written, row)) for row in values[3:11]] == expected


def _as_written(value: Any) -> Any:
    """A cell as the script wrote it: openpyxl reads a date cell back as midnight, and an
    empty string as no value."""
    if isinstance(value, datetime) and (value.hour, value.minute) == (0, 0):
        return value.date()
    return value


# -- formats and encodings -----------------------------------------------------------------------


def test_the_gb18030_csv_gives_the_workbooks_journal(d: Disputes, tmp_path: Path) -> None:
    import_ledger(d, XLSX, tmp_path / "x.jsonl")
    report = import_ledger(d, GB_CSV, tmp_path / "c.jsonl")
    assert report["failed"] == []
    assert journal(tmp_path / "c.jsonl") == journal(tmp_path / "x.jsonl")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "utf-16", "gb18030"])
def test_csv_encodings(d: Disputes, tmp_path: Path, encoding: str) -> None:
    import_ledger(d, XLSX, tmp_path / "x.jsonl")
    sheet = tmp_path / "sheet.csv"
    sheet.write_bytes(make_sample.csv_text().encode(encoding))
    import_ledger(d, sheet, tmp_path / "c.jsonl")
    assert journal(tmp_path / "c.jsonl") == journal(tmp_path / "x.jsonl")


def test_a_tab_separated_export(d: Disputes, tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.txt"
    sheet.write_bytes(make_sample.csv_text().replace(",", "\t").encode("gb18030"))
    report = import_ledger(d, sheet, tmp_path / "c.jsonl")
    assert (report["mapped"], report["failed"]) == (8, [])


def test_the_worksheet_with_the_header_is_found(d: Disputes, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "填表说明"
    book.active.append(["本表每月5日前报所领导"])
    for title in ("2021年", "2022年"):
        sheet = book.create_sheet(title)
        sheet.append(list(HEADER))
        sheet.append([f"{title}-1", *GOOD[1:]])
    book.save(tmp_path / "book.xlsx")
    report = import_ledger(d, tmp_path / "book.xlsx", tmp_path / "a.jsonl")
    assert (report["sheet"], journal(tmp_path / "a.jsonl")[0]["case"]) == (
        "2021年",
        "台账:2021年-1",
    )
    report = import_ledger(d, tmp_path / "book.xlsx", tmp_path / "b.jsonl", "--sheet", "2022年")
    assert report["sheet"] == "2022年"


# -- headers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("案件编号", "case_ref"),
        ("编号", "case_ref"),
        ("序号", "serial"),
        ("登记时间", "reported_at"),
        ("登记\n时间", "reported_at"),
        ("*登记日期", "reported_at"),
        ("类别", "category"),
        ("矛盾类别", "category"),
        ("纠纷类型", "category"),
        ("村", "village"),
        ("所属村", "village"),
        ("村（社区）", "village"),
        ("当事人姓名", "parties"),
        ("涉及人数（人）", "people_involved"),
        ("化解情况", "status"),
        ("调处结果", "status"),
        ("是否化解", "status"),
        ("化解时间", "resolved_at"),
        ("责任领导", "leader"),
        ("包案领导", "leader"),
        ("责任民警", "officer"),
        ("责任人", "officer"),
        ("包村辅警", "auxiliary"),
        ("回访情况", "follow_ups"),
        ("等级", "grade"),
        ("风险等级", "grade"),
        ("联系电话", None),
        ("", None),
    ],
)
def test_headers_and_their_synonyms(header: str, field: str | None) -> None:
    assert field_of(header) == field


def test_a_sheet_with_other_headers(d: Disputes, tmp_path: Path) -> None:
    header = (
        "编号",
        "排查时间",
        "所属村",
        "纠纷类型",
        "当事人姓名",
        "风险等级",
        "包案领导",
        "责任人",
        "调处结果",
        "办结时间",
    )
    row = (
        "X-9",
        "2021年3月4日",
        "东岗",
        "邻里",
        "梁某",
        "红色（高风险）",
        "萧卫东",
        "冯桂芝",
        "调解成功",
        "2021.3.9",
    )
    report = import_ledger(d, write_csv(tmp_path / "s.csv", [row], header), tmp_path / "j.jsonl")
    assert report["failed"] == []
    assert [line["command"] for line in journal(tmp_path / "j.jsonl")] == [
        "report",
        "grade",
        "assign",
        "resolve",
    ]


def test_the_preferred_of_two_headers_for_one_field(d: Disputes, tmp_path: Path) -> None:
    header = ("序号", "编号", "案件编号", *HEADER[1:])
    report = import_ledger(
        d, write_csv(tmp_path / "s.csv", [("1", "7", *GOOD)], header), tmp_path / "j.jsonl"
    )
    assert report["columns"]["案件编号"] == "case_ref"
    assert "编号" in report["ignored_columns"]
    assert journal(tmp_path / "j.jsonl")[0]["case"] == "台账:T-1"


# -- cell values ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2021年3月4日", datetime(2021, 3, 4)),
        ("2021年3月4日 8时30分", datetime(2021, 3, 4, 8, 30)),
        ("2021年3月4日下午3时", datetime(2021, 3, 4, 15, 0)),
        ("2021.3.4", datetime(2021, 3, 4)),
        ("2021/3/4", datetime(2021, 3, 4)),
        ("2021-3-4", datetime(2021, 3, 4)),
        ("2021-03-04 08:30", datetime(2021, 3, 4, 8, 30)),
        ("2021-03-04T08:30:15", datetime(2021, 3, 4, 8, 30, 15)),
        ("20210304", datetime(2021, 3, 4)),
        ("２０２１年３月４日", datetime(2021, 3, 4)),
        ("２０２１．３．４", datetime(2021, 3, 4)),
        ("44259", datetime(2021, 3, 4)),
        (44259, datetime(2021, 3, 4)),
        (44259.5, datetime(2021, 3, 4, 12, 0)),
        (datetime(2021, 3, 4, 8, 30), datetime(2021, 3, 4, 8, 30)),
        (date(2021, 3, 4), datetime(2021, 3, 4)),
    ],
)
def test_every_date_form(cell: Any, expected: datetime) -> None:
    assert cell_time(cell) == expected.replace(tzinfo=SHANGHAI)


def test_a_time_with_an_offset_keeps_it() -> None:
    assert cell_time("2021-03-04T08:30+00:00") == datetime(2021, 3, 4, 16, 30, tzinfo=SHANGHAI)


def test_a_1904_workbook_serial() -> None:
    assert cell_time(42797, datetime(1904, 1, 1)) == datetime(2021, 3, 4, tzinfo=SHANGHAI)


@pytest.mark.parametrize("cell", ["2021年2月30日", "昨天", "2021年3月", "3/4/2021", True, 0])
def test_what_is_not_a_date(cell: Any) -> None:
    with pytest.raises(CellProblem):
        cell_time(cell)


@pytest.mark.parametrize(
    ("cell", "count"), [(7, 7), ("7", 7), ("７", 7), ("７人", 7), ("12 人", 12), (3.0, 3)]
)
def test_counts(cell: Any, count: int) -> None:
    assert cell_count(cell) == count


@pytest.mark.parametrize(
    ("text", "resolved"),
    [
        ("已化解", True),
        ("化解", True),
        ("调解成功", True),
        ("是", True),
        ("已销号", True),
        ("化解中", False),
        ("未化解", False),
        ("调处中", False),
        ("否", False),
        ("", False),
    ],
)
def test_status_words(text: str, resolved: bool) -> None:
    status = status_of(text)
    assert status is not None
    assert status.resolved is resolved


# -- rows that cannot be mapped ------------------------------------------------------------------

BAD_ROWS = [
    (
        ("B-1", "2021-03-04", "东岗村", "打架", "梁某", "红", "萧卫东", "冯桂芝", "化解中", ""),
        "类别：“打架”不在政策的类别中",
    ),
    (
        ("B-2", "2021-03-04", "月亮村", "邻里纠纷", "梁某", "红", "萧卫东", "冯桂芝", "化解中", ""),
        "村：“月亮村”不是名册中的村",
    ),
    (
        ("B-3", "", "东岗村", "邻里纠纷", "梁某", "红", "萧卫东", "冯桂芝", "化解中", ""),
        "登记时间为空",
    ),
    (
        (
            "B-4",
            "2021年2月30日",
            "东岗村",
            "邻里纠纷",
            "梁某",
            "红",
            "萧卫东",
            "冯桂芝",
            "化解中",
            "",
        ),
        "不是真实存在的日期",
    ),
    (
        ("B-5", "2021-03-04", "东岗村", "邻里纠纷", "梁某", "蓝", "萧卫东", "冯桂芝", "化解中", ""),
        "等级为蓝色，但化解情况不是已化解",
    ),
    (
        ("B-6", "2021-03-04", "东岗村", "邻里纠纷", "梁某", "红", "萧卫东", "冯桂芝", "已化解", ""),
        "化解情况为已化解，但化解时间为空",
    ),
    (
        ("B-7", "2999-03-04", "东岗村", "邻里纠纷", "梁某", "红", "萧卫东", "冯桂芝", "化解中", ""),
        "是将来的时间",
    ),
    (
        ("B-8", "2021-03-04", "东岗村", "邻里纠纷", "梁某", "紫", "萧卫东", "冯桂芝", "化解中", ""),
        "等级：“紫”不是红、黄、蓝",
    ),
    (
        ("B-9", "2021-03-04", "东岗村", "邻里纠纷", "梁某", "红", "王五", "冯桂芝", "化解中", ""),
        "责任领导：“王五”不在名册中",
    ),
    (
        (
            "B-10",
            "2021-03-04",
            "东岗村",
            "邻里纠纷",
            "梁某",
            "红",
            "冯桂芝",
            "冯桂芝",
            "化解中",
            "",
        ),
        "不是领导",
    ),
    (
        (
            "B-11",
            "2021-03-04",
            "东岗村",
            "邻里纠纷",
            "梁某",
            "红",
            "萧卫东",
            "冯桂芝",
            "看情况",
            "",
        ),
        "看不出是否已化解",
    ),
    (
        (
            "B-12",
            "2021-03-09",
            "东岗村",
            "邻里纠纷",
            "梁某",
            "红",
            "萧卫东",
            "冯桂芝",
            "已化解",
            "2021-03-04",
        ),
        "早于登记时间",
    ),
    (
        ("T-1", "2021-03-04", "东岗村", "邻里纠纷", "梁某", "红", "萧卫东", "冯桂芝", "化解中", ""),
        "与第 2 行是同一案件",
    ),
    (
        ("B-14", "2021-03-04", "东岗村", "纠纷", "梁某", "红", "萧卫东", "冯桂芝", "化解中", ""),
        "可能是",
    ),
]


def test_every_row_that_cannot_be_mapped_is_named(d: Disputes, tmp_path: Path) -> None:
    sheet = write_csv(tmp_path / "s.csv", [GOOD, *(row for row, _ in BAD_ROWS)])
    result = d("import-ledger", str(sheet), "--out", str(tmp_path / "j.jsonl"), code=1)
    for number, (_, reason) in enumerate(BAD_ROWS, start=3):
        line = next(
            line for line in result.stderr.splitlines() if line.startswith(f"  第 {number} 行：")
        )
        assert reason in line
    lines = journal(tmp_path / "j.jsonl")
    assert {line["case"] for line in lines} == {"台账:T-1"}  # nothing of the bad rows
    assert d.json("apply", str(tmp_path / "j.jsonl"), "--json")["failed"] == []


def test_rows_that_cannot_be_mapped_in_english_and_json(d: Disputes, tmp_path: Path) -> None:
    sheet = write_csv(tmp_path / "s.csv", [GOOD, BAD_ROWS[0][0], BAD_ROWS[1][0]])
    text = d(
        "import-ledger", str(sheet), "--out", str(tmp_path / "e.jsonl"), "--lang", "en", code=1
    )
    assert "  row 3: category: '打架' is not in the policy" in text.stderr
    assert "  row 4: village: '月亮村' is not a village on the roster" in text.stderr
    report = import_ledger(d, sheet, tmp_path / "j.jsonl", code=1)
    assert [(f["row"], f["error_zh"][:3]) for f in report["failed"]] == [
        (3, "类别："),
        (4, "村：“"),
    ]
    assert report["mapped"] == 1


def test_no_row_mapped_writes_nothing(d: Disputes, tmp_path: Path) -> None:
    sheet = write_csv(tmp_path / "s.csv", [BAD_ROWS[0][0]])
    result = d("import-ledger", str(sheet), "--out", str(tmp_path / "j.jsonl"), code=2)
    assert "第 2 行" in result.stderr
    assert not (tmp_path / "j.jsonl").exists()


def test_a_cell_over_the_policy_limit_is_the_rows_problem(d: Disputes, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append([*HEADER, "简要情况"])
    book.active.append([*GOOD, "长" * 30_000])
    book.active.append(["T-2", *GOOD[1:], "短"])
    book.save(tmp_path / "s.xlsx")
    result = d(
        "import-ledger", str(tmp_path / "s.xlsx"), "--out", str(tmp_path / "j.jsonl"), code=1
    )
    assert "第 2 行：简要情况：过长" in result.stderr


# -- names the roster shares ---------------------------------------------------------------------


def test_a_shared_village_name_is_settled_by_the_station(d: Disputes, tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    units.write_text(
        UNITS.read_text(encoding="utf-8") + "DM-V09,东岗村,village,DM\n", encoding="utf-8"
    )
    roster = ("--units", str(units), "--people", str(PEOPLE))
    sheet = write_csv(tmp_path / "s.csv", [GOOD])
    report = import_ledger(d, sheet, tmp_path / "a.jsonl", *roster, code=2)
    assert "东岗村（WD-V01）、东岗村（DM-V09）" in report["failed"][0]["error_zh"]
    with_station = write_csv(tmp_path / "t.csv", [("王店派出所", *GOOD)], ("派出所", *HEADER))
    report = import_ledger(d, with_station, tmp_path / "b.jsonl", *roster)
    assert journal(tmp_path / "b.jsonl")[0]["args"]["village"] == "WD-V01"


def test_a_shared_person_name_asks_for_the_id(d: Disputes, tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text(
        PEOPLE.read_text(encoding="utf-8") + "P-WD-09,冯桂芝,community-police,WD\n",
        encoding="utf-8",
    )
    roster = ("--units", str(UNITS), "--people", str(people))
    report = import_ledger(
        d, write_csv(tmp_path / "s.csv", [GOOD]), tmp_path / "a.jsonl", *roster, code=2
    )
    assert "P-WD-01, P-WD-09" in report["failed"][0]["error"]
    by_id = (*GOOD[:7], "P-WD-09", *GOOD[8:])
    import_ledger(d, write_csv(tmp_path / "t.csv", [by_id]), tmp_path / "b.jsonl", *roster)
    assert journal(tmp_path / "b.jsonl")[2]["args"]["officer"] == "P-WD-09"


def test_the_reporter_and_source_options(d: Disputes, tmp_path: Path) -> None:
    header = ("登记时间", "村", "类别")
    sheet = write_csv(tmp_path / "s.csv", [("2021-03-04", "东岗村", "邻里纠纷")], header)
    d("import-ledger", str(sheet), "--out", str(tmp_path / "a.jsonl"), code=2)  # nobody reports
    import_ledger(d, sheet, tmp_path / "b.jsonl", "--as", "A-WD-V01", "--source", "walk-in")
    (line,) = journal(tmp_path / "b.jsonl")
    assert (line["actor"], line["args"]["source"], line["args"]["summary"]) == (
        "A-WD-V01",
        "walk-in",
        "邻里纠纷",
    )


def test_options_that_cannot_be_used(d: Disputes, tmp_path: Path) -> None:
    out = str(tmp_path / "j.jsonl")
    bad_source = d("import-ledger", str(XLSX), "--out", out, "--source", "rumour", code=2)
    assert "--source：“rumour”不是政策中的来源" in bad_source.stderr
    half = d("import-ledger", str(XLSX), "--out", out, "--units", str(UNITS), code=2)
    assert "两个文件都要给" in half.stderr
    stranger = d("import-ledger", str(XLSX), "--out", out, "--as", "NOBODY", code=2)
    assert "NOBODY 不在花名册上" in stranger.stderr
    assert not (tmp_path / "j.jsonl").exists()


# -- files that are not a 台账 ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "文件是空的"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "既不是工作簿，也不是 CSV 文本"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "旧版 Excel 文件（.xls）"),
        (b"PK\x03\x04 not really a zip", "不是可读取的 .xlsx 工作簿"),
        ("你好，这不是台账\n只是一段文字\n".encode(), "找不到表头行"),
        (
            "案件编号,登记时间,村,当事人\nT-1,2021-03-04,东岗村,梁某\n".encode(),
            "缺少必需的列：类别",
        ),
        ("案件编号,登记时间,村,类别\n".encode(), "表头（第 1 行）下没有数据"),
        (
            '登记时间,村,类别\n2021-03-04,东岗村,"'.encode() + b"x" * 200_000 + b'"\n',
            "单元格超过 100000 个字符",
        ),
    ],
)
def test_a_file_that_is_not_a_ledger(
    d: Disputes, tmp_path: Path, content: bytes, message: str
) -> None:
    sheet = tmp_path / "ledger.xlsx"
    sheet.write_bytes(content)
    result = d("import-ledger", str(sheet), "--out", str(tmp_path / "j.jsonl"), code=2)
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "j.jsonl").exists()


def test_a_file_that_is_not_a_ledger_in_english(d: Disputes, tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_bytes(b"")
    result = d(
        "--lang",
        "en",
        "import-ledger",
        str(tmp_path / "x.csv"),
        "--out",
        str(tmp_path / "j"),
        code=2,
    )
    assert result.stderr == "error: x.csv: the file is empty\n"


def test_an_existing_journal_is_never_replaced(d: Disputes, tmp_path: Path) -> None:
    (tmp_path / "j.jsonl").write_text("mine", encoding="utf-8")
    result = d("import-ledger", str(XLSX), "--out", str(tmp_path / "j.jsonl"), code=2)
    assert "已存在，未写入任何内容" in result.stderr
    assert (tmp_path / "j.jsonl").read_text(encoding="utf-8") == "mine"


def test_a_missing_worksheet_is_named(d: Disputes, tmp_path: Path) -> None:
    result = d("import-ledger", str(XLSX), "--sheet", "2022", "--out", str(tmp_path / "j"), code=2)
    assert "没有工作表“2022”；有：台账" in result.stderr


def test_dates_in_the_future_are_judged_by_the_clock(d: Disputes, tmp_path: Path) -> None:
    tomorrow = (datetime.now(tz=SHANGHAI) + timedelta(days=2)).strftime("%Y-%m-%d")
    sheet = write_csv(tmp_path / "s.csv", [(GOOD[0], tomorrow, *GOOD[2:])])
    result = d("import-ledger", str(sheet), "--out", str(tmp_path / "j.jsonl"), code=2)
    assert "是将来的时间" in result.stderr


# -- any sheet at all ----------------------------------------------------------------------------

_CELLS = [
    st.sampled_from([value, "", " "]) | st.text(alphabet=st.characters(exclude_categories=("Cs",)))
    for value in GOOD
]


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # one store serves every example
)
@given(rows=st.lists(st.tuples(*_CELLS), min_size=1, max_size=4))
def test_any_sheet_ends_in_a_documented_exit_and_no_traceback(
    d: Disputes, tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, ...]]
) -> None:
    folder = tmp_path_factory.mktemp("any")
    sheet = write_csv(folder / "s.csv", rows)
    result = d.runner.invoke(
        d.cli,
        ["--db", str(d.db), "import-ledger", str(sheet), "--out", str(folder / "j.jsonl")],
        catch_exceptions=False,
    )
    assert result.exit_code in (0, 1, 2), result.output
    assert (folder / "j.jsonl").exists() == (result.exit_code != 2)
