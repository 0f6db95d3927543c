"""``stats`` — the figures leaders report upward (统计), for any period, by any grouping.

Figures are defined in docs/statistics.md; ``--format json`` keys are stable. ``--known-at``
counts what the store held at that recorded time (a report handed in earlier, reproduced);
``--as-of`` what had happened by that occurred time, as now recorded.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from disputes.cli.common import apply_overrides, store_options
from disputes.cli.figures import flat_columns, flatten, shown, word
from disputes.cli.render import print_json, print_table
from disputes.gate.figures import group_name, stats_document

if TYPE_CHECKING:
    from datetime import datetime

    from disputes.storage.statistics import Period
    from disputes.storage.store import Store

TABLE_KEYS = (
    "reported",
    "found_actively",
    "graded_red",
    "graded_yellow",
    "resolved",
    "closed",
    "settlement_rate",
    "relapses",
    "relapse_rate",
    "overdue_items",
    "red_cards",
    "referrals_late",
    "homicides",
)
"""The columns of the grouped table (every figure is in json, csv and xlsx)."""

SHORT_EN = {
    "reported": "reported",
    "found_actively": "active",
    "graded_red": "red",
    "graded_yellow": "yellow",
    "resolved": "resolved",
    "closed": "closed",
    "settlement_rate": "settled",
    "relapses": "relapses",
    "relapse_rate": "relapse",
    "overdue_items": "overdue",
    "red_cards": "red card",
    "referrals_late": "late ref.",
    "homicides": "homicide",
}
"""Short English headers of the grouped table (the keys and labels are in docs/statistics.md)."""

BY_HEADER = {
    "station": ("派出所", "station"),
    "village": ("村（警务室）", "village"),
    "category": ("类别", "category"),
    "source": ("来源", "source"),
    "month": ("月份", "month"),
    "grade": ("首次定级", "first grade"),
    "informant": ("信息员", "informant"),
}


def when(option: str, text: str | None) -> datetime | None:
    """A time option (``--as-of``, ``--known-at``); InvalidInput naming it when unreadable."""
    from disputes.domain.clock import parse_time
    from disputes.storage.statistics import invalid

    if text is None:
        return None
    try:
        return parse_time(text)
    except ValueError as exc:
        raise invalid(option, str(exc), zh=f"“{text}”不是时间（如 2022-07-01T09:00）") from None


def station_option(store: Store, station: str | None) -> str | None:
    """A ``--station`` as its code: a station's code (WD) or its name (王店派出所); refused
    (exit 2) when it is no station on the roster."""
    from disputes.domain.roster import UnitKind
    from disputes.storage.statistics import invalid

    if station is None:
        return None
    units = store.app.roster.units
    unit = units.get(station.strip())
    if unit is None or unit.kind is not UnitKind.STATION:
        named = [
            code
            for code, u in units.items()
            if u.kind is UnitKind.STATION and u.name == station.strip()
        ]
        if len(named) == 1:
            return named[0]
        raise invalid(
            "--station",
            f"{station} is not a station unit on the roster (give its code, such as WD,"
            " or its name, such as 王店派出所)",
            zh=f"{station} 不是花名册上的派出所（请给出派出所代码如 WD，或名称如 王店派出所）",
        )
    return station.strip()


def begun(option: str, text: str, period: Period, now: datetime | None = None) -> bool:
    """Refuse (exit 2) a period that has not begun yet; True when it is still in progress (its
    figures are partial)."""
    from disputes.domain.clock import SHANGHAI, system_clock
    from disputes.storage.statistics import invalid

    moment = (now or system_clock()).astimezone(SHANGHAI)
    today = moment.date()
    if period.first > today:
        raise invalid(
            option,
            f"{text} has not begun (today is {today}): nothing can be counted yet; give a"
            f" period that has begun, such as {today:%Y-%m} or an earlier one",
            zh=f"{text} 尚未开始（今天是 {today}），还没有可统计的内容；"
            f"请给出已开始的期间，如 {today:%Y-%m} 或更早",
        )
    return period.last >= today


def not_future(option: str, moment: datetime | None, now: datetime | None = None) -> None:
    """Refuse (exit 2) an ``--as-of``/``--known-at`` in the future."""
    from disputes.domain.clock import SHANGHAI, system_clock
    from disputes.storage.statistics import invalid

    if moment is None:
        return
    current = now or system_clock()
    if moment > current:
        shown = current.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
        raise invalid(
            option,
            f"{moment.isoformat()} is in the future (it is now {shown}); give a time that has"
            f" passed, or leave {option} out to count what is recorded now",
            zh=f"{moment.isoformat()} 是将来的时间（现在是 {shown}）；请给出已过去的时间，"
            f"或不加 {option} 以统计当前记录",
        )


def passed(option: str, text: str | None) -> datetime | None:
    """A time option that must have passed (``--as-of``, ``--known-at``)."""
    moment = when(option, text)
    not_future(option, moment)
    return moment


def xlsx_out(out: Path) -> None:
    """Refuse (exit 2) a workbook named other than ``*.xlsx``: Excel/WPS go by the suffix."""
    from disputes.storage.statistics import invalid

    if out.suffix.lower() != ".xlsx":
        raise invalid(
            "--out",
            f"{out} does not end in .xlsx: the workbook is written as xlsx; name it"
            f" {out.with_suffix('.xlsx').name}",
            zh=f"{out} 的扩展名不是 .xlsx，而写出的是 Excel 工作簿；请改用 "
            f"{out.with_suffix('.xlsx').name} 这样的文件名",
        )


@click.command("stats")
@click.option("--from", "first", required=True, metavar="DATE", help="First day (2021-07-01).")
@click.option("--to", "last", required=True, metavar="DATE", help="Last day, included.")
@click.option(
    "--by",
    type=click.Choice(["station", "village", "category", "source", "month", "grade", "informant"]),
    help="One row per station, village, category, source, month, first grade or informant "
    "(治安信息员: reports, graded, resolved, rewards, yuan; names masked for the reader).",
)
@click.option("--station", metavar="STATION", help="Only the cases of this station (code or name).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "xlsx"]),
    default="table",
    show_default=True,
    help="csv is UTF-8 with BOM; xlsx needs --out.",
)
@click.option("--out", type=click.Path(path_type=Path), help="The workbook to write (xlsx).")
@click.option("--as-of", metavar="TIME", help="What had happened by this occurred time.")
@click.option("--known-at", metavar="TIME", help="What the store held at this recorded time.")
@click.option(
    "--purpose", metavar="CODE", help="查阅事由 (--by informant: an auditor's read with names)."
)
@store_options
@click.pass_context
def stats(
    ctx: click.Context,
    /,
    first: str,
    last: str,
    by: str | None,
    station: str | None,
    fmt: str,
    out: Path | None,
    as_of: str | None,
    known_at: str | None,
    purpose: str | None,
    **kwargs: str | None,
) -> None:
    """统计 — the figures of a period (reported, found actively, graded, settled, relapses,
    medians, overdue, referrals, outcomes), per group; each is defined in docs/statistics.md."""
    from disputes.domain.clock import local_iso
    from disputes.storage.statistics import (
        counting_views,
        invalid,
        parse_day,
        period_of,
        statistics,
    )

    settings = apply_overrides(ctx, kwargs)
    lang = settings.lang
    period = period_of(parse_day("--from", first), parse_day("--to", last))
    partial = begun("--from", first, period)
    occurred, recorded = passed("--as-of", as_of), passed("--known-at", known_at)
    if fmt == "xlsx":
        if out is None:
            raise invalid("--out", "xlsx needs --out FILE", zh="xlsx 格式需要 --out 文件名")
        from disputes.cli.workbook import new_out

        xlsx_out(out)
        new_out(out)
    store = settings.store()
    station = station_option(store, station)
    if by == "informant":
        from disputes.cli.stats_informants import informant_json, show_informants

        if occurred is not None or recorded is not None:
            option = "--as-of" if occurred is not None else "--known-at"
            raise invalid(
                option,
                "--by informant counts what is recorded now (the rewards are not replayed)",
                zh="--by informant 只统计当前记录（奖励记录不按时间回放）",
            )
        data = informant_json(settings, store, period, station, purpose)
        show_informants(data, fmt, lang, out)
        return
    with counting_views(store, occurred, recorded) as db:
        groups, total = statistics(store, db, period, by=by, station=station)
    meta = {
        "by": by,
        "station": station,
        "as_of": local_iso(occurred),
        "known_at": local_iso(recorded),
    }
    data = stats_document(store, period, groups, total.as_json(), meta, lang)
    if fmt == "json":
        print_json(data)
        return
    rows = [
        *data["groups"],
        {"key": "", "name": "合计" if lang == "zh" else "total", **data["total"]},
    ]
    if fmt == "csv":
        columns = [("name", BY_HEADER.get(by or "", ("范围", "scope"))[lang != "zh"])]
        columns += flat_columns(store.policy, lang)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([header for _, header in columns])
        for row in rows:
            flat = flatten(row)
            writer.writerow([_csv(flat.get(key)) for key, _ in columns])
        sys.stdout.buffer.write(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
        return
    if fmt == "xlsx":
        from disputes.cli.workbook import stats_workbook

        assert out is not None
        stats_workbook(store, data, by, lang, out)
        click.echo(f"已写入 {out}" if lang == "zh" else f"wrote {out}")
        return
    title = _title(store, period, station, meta, lang, partial=partial)
    if by is None:
        flat = flatten(data["total"])
        print_table(
            title,
            ["指标" if lang == "zh" else "figure", "数值" if lang == "zh" else "value"],
            (
                (header, shown(key.split(".")[0], flat.get(key), lang))
                for key, header in flat_columns(store.policy, lang)
            ),
        )
        return
    grouped_table(
        title,
        [
            BY_HEADER[by][lang != "zh"],
            *(word(k, lang) if lang == "zh" else SHORT_EN[k] for k in TABLE_KEYS),
        ],
        [[row["name"], *(shown(k, row[k], lang) for k in TABLE_KEYS)] for row in rows],
        lang,
    )


def grouped_table(title: str, headers: list[str], rows: list[list[str]], lang: str) -> None:
    """A table whose first column (a group's name, which may be long) folds and whose figures
    never fold; as wide as the terminal (piped: ``COLUMNS``), the lesser figures left out when
    it is narrow."""
    from disputes.cli.render import fit_table

    order = [
        "homicides",
        "referrals_late",
        "red_cards",
        "relapse_rate",
        "found_actively",
        "graded_yellow",
        "graded_red",
        "relapses",
        "closed",
    ]
    fit_table(title, headers, rows, drop=[1 + TABLE_KEYS.index(k) for k in order], lang=lang)


def _csv(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def _title(
    store: Store,
    period: Period,
    station: str | None,
    meta: dict[str, Any],
    lang: str,
    *,
    partial: bool = False,
) -> str:
    scope = group_name(store, "station", station, lang) if station else ""
    span = f"{period.first} – {period.last}"
    text = (
        f"{scope}统计 {span}" if lang == "zh" else f"statistics {scope} {span}".replace("  ", " ")
    )
    for key, zh, en in (
        ("known_at", "截至记录时间", "known at"),
        ("as_of", "截至发生时间", "as of"),
    ):
        if meta[key]:
            at = meta[key][:16].replace("T", " ")
            text += f"（{zh} {at}）" if lang == "zh" else f" ({en} {at})"
    if partial:
        text += "（期间未结束，数字截至目前）" if lang == "zh" else " (period in progress: partial)"
    return text


def register(group: click.Group) -> None:
    group.add_command(stats)
