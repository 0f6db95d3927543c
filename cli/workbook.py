"""Excel workbooks (openpyxl): the ``stats`` table, the monthly report (排查化解情况表) with its
台账 and native charts, and the half-year rating. Chinese headers and labels by default; real
date cells; a frozen, filtered header row; columns as wide as their text.

A workbook is written to a new file only (an existing file is refused, as every verb that
writes a file does).
"""

from __future__ import annotations

import io
import os
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, PieChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.series import SeriesLabel
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from disputes.cli.figures import DAYS, RATES, flat_columns, flatten
from disputes.domain.clock import SHANGHAI

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from disputes.storage.store import Store

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
DATE_FORMAT = "yyyy-mm-dd hh:mm"
PERCENT_FORMAT = "0.0%"


def text_width(value: Any) -> int:
    """Display width of a cell's text: a CJK character is two columns wide."""
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    text = str(value)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def write_table(
    sheet: Worksheet,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    formats: dict[int, str] | None = None,
    title: str | None = None,
) -> int:
    """Headers (bold, filled, frozen, filtered) and rows; dates and shares get their number
    formats; columns as wide as their widest text. Returns the header's row number."""
    formats = formats or {}
    top = 1
    if title:
        sheet.cell(row=1, column=1, value=title).font = Font(bold=True, size=13)
        top = 2
    widths = [text_width(h) for h in headers]
    for col, header in enumerate(headers, start=1):
        cell = sheet.cell(row=top, column=col, value=header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=False)
    count = 0
    for count, row in enumerate(rows, start=1):
        for col, value in enumerate(row, start=1):
            cell = sheet.cell(row=top + count, column=col, value=value)
            if isinstance(value, datetime):
                cell.number_format = DATE_FORMAT
            elif col - 1 in formats and value is not None:
                cell.number_format = formats[col - 1]
            widths[col - 1] = max(widths[col - 1], text_width(value))
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 6), 60)
    sheet.freeze_panes = f"A{top + 1}"
    last = get_column_letter(len(headers))
    sheet.auto_filter.ref = f"A{top}:{last}{top + max(count, 1)}"
    return top


def local_cell(value: str | None) -> datetime | None:
    """A stored UTC time as an Excel date cell: Asia/Shanghai wall time, to the minute."""
    if not value:
        return None
    moment = datetime.fromisoformat(value).astimezone(SHANGHAI)
    return moment.replace(tzinfo=None, second=0, microsecond=0)


def new_out(path: Path, option: str = "--out") -> None:
    """Refuse (exit 2, in Chinese and English) a file that exists or cannot be created: a
    workbook never replaces a file."""
    from disputes.cli.guards import new_file
    from disputes.domain.errors import InvalidInput

    try:
        new_file(path, option)
    except InvalidInput as error:
        if "already exists" in error.message:
            error.zh = f"{option}：{path} 已存在，未写入任何内容；请换一个尚不存在的文件名"
        else:
            error.zh = f"{option}：无法创建 {path}（文件夹不存在或不可用），未写入任何内容"
        raise


def save_new(workbook: Workbook, path: Path, option: str = "--out") -> None:
    """Write ``workbook`` to ``path``, which must not exist yet (exit 2 otherwise)."""
    from disputes.cli.guards import open_new

    new_out(path, option)
    buffer = io.BytesIO()
    workbook.save(buffer)
    fd = open_new(path, option)
    with os.fdopen(fd, "wb") as file:
        file.write(buffer.getvalue())


def figure_formats(columns: Sequence[tuple[str, str]], offset: int = 1) -> dict[int, str]:
    """Number formats of the figure columns: per cent for shares, one decimal for days."""
    formats: dict[int, str] = {}
    for index, (key, _) in enumerate(columns):
        if key in RATES:
            formats[index + offset] = PERCENT_FORMAT
        elif key in DAYS:
            formats[index + offset] = "0.0"
    return formats


def figure_cell(value: Any, lang: str) -> Any:
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else value
    return value


def stats_workbook(
    store: Store, data: dict[str, Any], by: str | None, lang: str, out: Path
) -> None:
    """``stats --format xlsx``: one sheet, a row per group and the total, every figure."""
    from disputes.cli.stats import BY_HEADER

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "统计" if lang == "zh" else "statistics"
    columns = flat_columns(store.policy, lang)
    first = BY_HEADER.get(by or "", ("范围", "scope"))[lang != "zh"]
    rows = [*data["groups"], {"name": "合计" if lang == "zh" else "total", **data["total"]}]
    title = (
        f"统计 {data['from']} 至 {data['to']}"
        if lang == "zh"
        else f"statistics {data['from']} to {data['to']}"
    )
    write_table(
        sheet,
        [first, *(header for _, header in columns)],
        (
            [row["name"], *(figure_cell(flatten(row).get(k), lang) for k, _ in columns)]
            for row in rows
        ),
        formats=figure_formats(columns),
        title=title,
    )
    save_new(book, out)


def _series(chart: BarChart | PieChart, data: Worksheet, rows: tuple[int, int]) -> None:
    """The chart's series: values from column B under its title (the header cell), the
    categories (the labels in column A) as text — a number reference to text cells shows as
    1 … n in Excel and WPS."""
    chart.add_data(
        Reference(data, min_col=2, min_row=rows[0], max_row=rows[1]), titles_from_data=True
    )
    labels = Reference(data, min_col=1, min_row=rows[0] + 1, max_row=rows[1])
    title = Reference(data, min_col=2, min_row=rows[0], max_row=rows[0])
    for series in chart.series:
        series.cat = AxDataSource(strRef=StrRef(f=str(labels)))
        series.tx = SeriesLabel(strRef=StrRef(f=str(title)))


def bar_chart(
    sheet: Worksheet, title: str, data: Worksheet, rows: tuple[int, int], anchor: str
) -> None:
    """A bar chart of ``data``'s column B (labels in column A) over ``rows``."""
    chart = BarChart()
    chart.type = "col"
    chart.title = title
    chart.legend = None
    _series(chart, data, rows)
    chart.width, chart.height = 18, 9
    sheet.add_chart(chart, anchor)


def pie_chart(
    sheet: Worksheet, title: str, data: Worksheet, rows: tuple[int, int], anchor: str
) -> None:
    chart = PieChart()
    chart.title = title
    _series(chart, data, rows)
    chart.dataLabels = DataLabelList()
    chart.dataLabels.showVal = True
    chart.width, chart.height = 12, 9
    sheet.add_chart(chart, anchor)
