"""Writes the sample office 台账 of the import tests (synthetic people only): the same sheet as
an Excel workbook (``wangdian-2021.xlsx``) and as a GB18030 CSV file
(``wangdian-2021-gb18030.csv``), as 王店派出所 might keep it — a title and a 填报 line above the
header, headers as offices write them (序号, 所属村, 矛盾类别, 当事人姓名 …), dates in every form
an office types (a real date cell, 2021年3月4日, 2021.4.2, 2021/5/6, 2021-05-20 14:30, an Excel
serial, full-width digits), a phone column the import does not use, a numbered blank row and a
填表人 line below.

Run ``python tests/data/ledger/make_sample.py`` to write them again; tests/cli/test_import_ledger.py
checks that the committed files hold what this script writes. Villages and officers are those
of samples/huaiyang; parties are named by the 'surname + 某' convention; phone numbers are not
real (138 0000 00xx).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

# Excel cells hold no offset: the sample's times are naive, as an office's workbook holds them
# (the import reads them as Asia/Shanghai).
# ruff: noqa: DTZ001

HERE = Path(__file__).resolve().parent
XLSX = HERE / "wangdian-2021.xlsx"
CSV = HERE / "wangdian-2021-gb18030.csv"

TITLE = "王店派出所重大矛盾纠纷排查化解工作台账（2021年）"
FILED = "填报单位：王店派出所    填报时间：2021年12月31日"
HEADER = (
    "序号",
    "案件编号",
    "登记时间",
    "所属村",
    "矛盾类别",
    "来源",
    "当事人姓名",
    "涉及人数（人）",
    "简要情况",
    "等级",
    "责任领导",
    "责任民警",
    "包村辅警",
    "化解情况",
    "化解时间",
    "回访情况",
    "备注",
    "联系电话",
)
Value = str | int | datetime | date | None
ROWS: list[tuple[Value, ...]] = [
    (
        1,
        "WD-2021-001",
        datetime(2021, 3, 4, 8, 30),
        "东岗村",
        "邻里纠纷",
        "走访排查",
        "梁某（申请人）、田某（被申请人）",
        7,
        "两家因排水沟改道争执，手持农具对峙",
        "红",
        "萧卫东",
        "冯桂芝",
        "傅桂芝",
        "已化解，签订调解协议书",
        "2021年3月20日",
        "2021.4.18电话回访；2021年5月16日入户回访",
        "",
        "13800000001",
    ),
    (
        2,
        "WD-2021-002",
        "２０２１年３月１５日",
        "李楼村",
        "婚姻家庭纠纷",
        "信息员",
        "韩某、韩某某",
        "７人",
        "夫妻因家庭琐事长期不和，男方酒后扬言报复",
        "黄色",
        "萧卫东",
        "程志强",
        "郑翠花",
        "化解中",
        None,
        "2021.3.20",
        "",
        "13800000002",
    ),
    (
        3,
        "WD-2021-003",
        "2021.4.2",
        "前营村",
        "土地承包及宅基地纠纷",
        "群众来访",
        "陈某、孙某",
        4,
        "两户宅基地界址争议，拆墙引发口角",
        "蓝",
        "韩新民",
        "冯桂芝",
        "陈建国",
        "已化解",
        "2021/4/28",
        None,
        "经村委会实地勘界",
        "13800000003",
    ),
    (
        4,
        "WD-2021-004",
        "2021/5/6",
        "WD-V04",
        "劳资纠纷",
        "异常警情研判",
        "李某（申请人）、某建材厂（被申请人）",
        12,
        "十二名工人被拖欠工资，多次报警",
        "红色",
        "韩新民",
        "程志强",
        "曾建国",
        "已调处，双方达成口头协议",
        "2021-06-01 10:00",
        None,
        "",
        "13800000004",
    ),
    (
        5,
        "WD-2021-005",
        "2021-05-20 14:30",
        "马庄",
        "债务及民间借贷纠纷",
        "警法联调",
        "宋某、胡某",
        2,
        "民间借贷到期未还，法院诉前告知",
        "黄",
        "萧卫东",
        "冯桂芝",
        "宋晓明",
        "已销号",
        "2021年6月10日",
        "2021.7.9；2021.8.8；2021.9.7",
        "",
        "13800000005",
    ),
    (
        6,
        "WD-2021-006",
        44350,
        "东岗村",
        "赡养",
        "走访",
        "傅某、傅某某",
        3,
        "三子女互相推诿老人赡养",
        "黄",
        "萧卫东",
        "冯桂芝",
        "傅桂芝",
        "未化解",
        None,
        None,
        "",
        "13800000006",
    ),
    (
        7,
        "WD-2021-007",
        "2021年7月8日 下午3时",
        "李楼村",
        "人身损害赔偿纠纷",
        None,
        "郑某、杨某",
        5,
        "打架致一人轻伤，赔偿未谈拢",
        "红",
        "萧卫东",
        "程志强",
        "郑翠花",
        "调解中",
        None,
        None,
        "",
        "13800000007",
    ),
    (
        8,
        "WD-2021-008",
        date(2021, 8, 1),
        "后刘村",
        "征地拆迁",
        "走访排查",
        "曾某等二十户",
        20,
        "征地补偿分配不均，部分村民聚集",
        "红",
        "韩新民",
        "程志强",
        "曾建国",
        "已化解（司法确认）",
        "2021.9.30",
        "2021年10月28日",
        "",
        "13800000008",
    ),
    (
        9,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    ),
]
FOOTER = "填表人：冯桂芝　　审核人：萧卫东"


def as_text(value: Value) -> str:
    """A cell as a CSV export writes it (as Excel/WPS save a date cell)."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def write_xlsx(path: Path = XLSX) -> None:
    from openpyxl import Workbook  # type: ignore[import-untyped, unused-ignore]

    book = Workbook()
    sheet = book.active
    sheet.title = "台账"
    sheet.append([TITLE])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet.append([FILED])
    sheet.append(list(HEADER))
    for row in ROWS:
        sheet.append(list(row))
    sheet.append([FOOTER])
    for cell in sheet["C"]:
        if isinstance(cell.value, datetime):
            cell.number_format = "yyyy-mm-dd hh:mm" if cell.value.hour else "yyyy-mm-dd"
    sheet.freeze_panes = "A4"
    for column, width in zip(
        "ABCDEFGHIJKLMNOPQR",
        (5, 12, 18, 8, 18, 12, 24, 8, 36, 6, 8, 8, 8, 22, 14, 30, 16, 13),
        strict=True,
    ):
        sheet.column_dimensions[column].width = width
    book.properties.creator = "disputes tests"
    book.properties.created = datetime(2021, 12, 31)  # fixed, so the file is the same each time
    book.properties.modified = datetime(2021, 12, 31)
    book.save(path)


def csv_text() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([TITLE])
    writer.writerow([FILED])
    writer.writerow(HEADER)
    for row in ROWS:
        writer.writerow([as_text(v) for v in row])
    writer.writerow([FOOTER])
    return out.getvalue()


def write_csv(path: Path = CSV) -> None:
    path.write_bytes(csv_text().encode("gb18030"))


if __name__ == "__main__":
    write_xlsx()
    write_csv()
