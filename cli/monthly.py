"""``report-month`` — the monthly 排查化解情况表 a station or the district office hands in: an
Excel workbook with a summary (one row per station), the 台账 of every case in scope, and
native charts (cases by category, by month, by colour).

The month is counted as of its last moment (what had happened by then, as now recorded), or as
the store knew it at ``--known-at``; its figures are those ``stats`` gives for the same days.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from disputes.cli.common import apply_overrides, store_options
from disputes.cli.stats import begun, not_future, station_option, when, xlsx_out
from disputes.gate.figures import group_name

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from openpyxl import Workbook

    from disputes.storage.statistics import Period, Views
    from disputes.storage.store import Store

SUMMARY = (
    ("reported", "新登记", "new"),
    ("graded_red", "首次定级红", "first graded red"),
    ("graded_yellow", "首次定级黄", "first graded yellow"),
    ("in_hand_red", "月末在办红", "red at month end"),
    ("in_hand_yellow", "月末在办黄", "yellow at month end"),
    ("in_hand_blue", "月末观察蓝", "blue at month end"),
    ("resolved", "化解", "resolved"),
    ("closed", "销号", "closed"),
    ("relapses", "反弹", "relapses"),
    ("overdue_items", "月末逾期", "overdue at month end"),
    ("settlement_rate", "化解率", "settlement rate"),
    ("outcomes.criminal-case", "民转刑", "criminal cases"),
    ("outcomes.public-order-case", "民转治安", "public-order cases"),
    ("outcomes.homicide", "命案", "homicides"),
    ("outcomes.mass-incident", "群体性事件", "mass incidents"),
    ("outcomes.petition", "越级上访", "petitions"),
)
"""The summary sheet's figure columns: (figure key, 中文, English)."""

LEDGER = (
    ("case_no", "案件编号", "case"),
    ("station", "派出所", "station"),
    ("village", "村", "village"),
    ("category", "类别", "category"),
    ("source", "来源", "source"),
    ("grade", "等级", "grade"),
    ("status", "状态", "status"),
    ("reported_at", "登记时间", "reported"),
    ("graded_at", "定级时间", "graded"),
    ("resolved_at", "化解时间", "resolved"),
    ("observe_until", "观察期至", "observe until"),
    ("closed_at", "销号时间", "closed"),
    ("relapses", "反弹次数", "relapses"),
    ("referrals", "分流移交", "referrals"),
    ("open_referrals", "未回执移交", "open referrals"),
    ("leader", "责任领导", "leader"),
    ("officer", "责任人", "officer"),
)
"""The 台账 sheet's columns: (ledger key, 中文, English)."""


@click.command("report-month")
@click.argument("month")
@click.option(
    "--out", required=True, type=click.Path(path_type=Path), help="The workbook to write."
)
@click.option(
    "--station",
    metavar="STATION",
    help="Only this station, by code or name (default: every station).",
)
@click.option("--known-at", metavar="TIME", help="As the store knew it at this recorded time.")
@store_options
@click.pass_context
def report_month(
    ctx: click.Context,
    /,
    month: str,
    out: Path,
    station: str | None,
    known_at: str | None,
    **kwargs: str | None,
) -> None:
    """排查化解情况表 — the monthly report (MONTH as 2021-11) as an Excel workbook: summary per
    station, 台账 of every case in scope, charts by category, month and colour."""
    from disputes.cli.workbook import new_out
    from disputes.storage.statistics import counting_views, month_period

    settings = apply_overrides(ctx, kwargs)
    lang = settings.lang
    period = month_period(month)
    partial = begun("MONTH", month, period)
    recorded = when("--known-at", known_at)
    not_future("--known-at", recorded)
    xlsx_out(out)
    new_out(out)
    store = settings.store()
    station = station_option(store, station)
    occurred, _ = store.first_times()
    as_of = period.end - timedelta(microseconds=1)
    with counting_views(store, as_of if occurred and occurred <= as_of else None, recorded) as db:
        book = monthly_workbook(store, db, period, station, lang)
    from disputes.cli.workbook import save_new

    save_new(book, out)
    click.echo(f"已写入 {out}" if lang == "zh" else f"wrote {out}")
    if partial:
        click.echo(
            f"{month} 尚未结束：数字截至目前，并非整月"
            if lang == "zh"
            else f"{month} is still in progress: the figures are partial, not the whole month"
        )


def monthly_workbook(
    store: Store, db: Views, period: Period, station: str | None, lang: str
) -> Workbook:
    """The workbook: 汇总 (summary), 台账, 图表 (charts) and 图表数据 (the charts' figures)."""
    from openpyxl import Workbook

    from disputes.cli.figures import flatten
    from disputes.cli.workbook import PERCENT_FORMAT, write_table
    from disputes.storage.statistics import Period, statistics

    zh = lang == "zh"
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "汇总" if zh else "summary"
    groups, total = statistics(store, db, period, by="station", station=station)
    month = period.first.strftime("%Y-%m")
    scope = group_name(store, "station", station, lang) if station else ""
    rows = [
        [group_name(store, "station", g.key, lang), *_figures(flatten(g.figures.as_json()))]
        for g in groups
    ]
    rows.append(["合计" if zh else "total", *_figures(flatten(total.as_json()))])
    write_table(
        summary,
        ["派出所" if zh else "station", *(c[1] if zh else c[2] for c in SUMMARY)],
        rows,
        formats={1 + i: PERCENT_FORMAT for i, c in enumerate(SUMMARY) if c[0].endswith("rate")},
        title=(
            f"{scope}重大矛盾纠纷排查化解情况表（{month}）"
            if zh
            else f"{scope} major disputes found and settled, {month}".strip()
        ),
    )
    ledger = book.create_sheet("台账" if zh else "ledger")
    _ledger_sheet(store, db, ledger, period, station, lang)
    year_first = date(period.first.year - (period.first.month < 12), period.first.month % 12 + 1, 1)
    by_month, _ = statistics(
        store, db, Period(year_first, period.last), by="month", station=station
    )
    by_category, _ = statistics(store, db, period, by="category", station=station)
    _charts(book, store, lang, by_category, by_month, total.as_json())
    return book


def _figures(flat: dict[str, Any]) -> list[Any]:
    return [flat.get(key) for key, _, _ in SUMMARY]


def _ledger_sheet(
    store: Store, db: Views, sheet: Any, period: Period, station: str | None, lang: str
) -> None:
    from disputes.cli.workbook import write_table
    from disputes.storage.statistics import cases_in_scope

    headers, cells = ledger_cells(store, cases_in_scope(db, period, station=station), lang)
    write_table(sheet, headers, cells)


def ledger_cells(
    store: Any, rows: Iterable[dict[str, Any]], lang: str
) -> tuple[list[str], Iterator[list[Any]]]:
    """The 台账 as a sheet shows it (the monthly report's 台账 sheet, ``ledger --format
    xlsx|csv``): headers and rows of :data:`LEDGER`, stations, villages and people by name,
    labels in ``lang``, times as date cells (Asia/Shanghai wall time, to the minute)."""
    from disputes.cli.render import GRADE, STATUS, Names, label, policy_label
    from disputes.cli.workbook import local_cell

    zh = lang == "zh"
    names, policy = Names(store), store.policy
    unit, person = names.unit, names.person

    def cell(key: str, row: dict[str, Any]) -> Any:
        value = row.get(key)
        match key:
            case "station" | "village":
                return unit(value)
            case "category":
                return policy_label(policy, "categories", value or "", lang)
            case "source":
                return policy_label(policy, "sources", value or "", lang)
            case "grade":
                return label(GRADE, value, lang)
            case "status":
                return label(STATUS, value, lang)
            case "leader" | "officer":
                return person(value)
            case _ if key.endswith(("_at", "_until")):
                return local_cell(value)
        return value

    headers = [c[1] if zh else c[2] for c in LEDGER]
    return headers, ([cell(key, row) for key, _, _ in LEDGER] for row in rows)


def _charts(
    book: Workbook,
    store: Store,
    lang: str,
    by_category: list[Any],
    by_month: list[Any],
    total: dict[str, Any],
) -> None:
    """The charts' figures on 图表数据, and the native charts drawn from them on 图表."""
    from disputes.cli.workbook import bar_chart, pie_chart, write_table

    zh = lang == "zh"
    data = book.create_sheet("图表数据" if zh else "chart data")
    charts = book.create_sheet("图表" if zh else "charts", 1)
    new = "新登记" if zh else "new"
    rows: list[list[Any]] = [
        [group_name(store, "category", g.key, lang), g.figures.reported] for g in by_category
    ]
    write_table(data, ["类别" if zh else "category", new], rows)
    category_rows = (1, 1 + len(rows))
    start = category_rows[1] + 2
    data.cell(row=start, column=1, value="月份" if zh else "month")
    data.cell(row=start, column=2, value=new)
    for i, g in enumerate(by_month, start=1):
        data.cell(row=start + i, column=1, value=g.key)
        data.cell(row=start + i, column=2, value=g.figures.reported)
    month_rows = (start, start + len(by_month))
    start = month_rows[1] + 2
    data.cell(row=start, column=1, value="等级" if zh else "grade")
    data.cell(row=start, column=2, value="月末在办" if zh else "in hand at month end")
    colours = (("红", "red"), ("黄", "yellow"), ("蓝", "blue"))
    for i, (cn, en) in enumerate(colours, start=1):
        data.cell(row=start + i, column=1, value=cn if zh else en)
        data.cell(row=start + i, column=2, value=total[f"in_hand_{en}"])
    colour_rows = (start, start + 3)
    bar_chart(charts, "按类别新登记" if zh else "new cases by category", data, category_rows, "A1")
    bar_chart(charts, "按月新登记" if zh else "new cases by month", data, month_rows, "A20")
    pie_chart(charts, "月末在办红黄蓝" if zh else "cases by colour", data, colour_rows, "L1")


def register(group: click.Group) -> None:
    group.add_command(report_month)
