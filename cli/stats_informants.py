"""``stats --by informant`` — 治安信息员 statistics (issue 13 §3): per informant and station, the
reports made in the period, how many of them were graded and resolved, and the rewards paid in
the period with their amount, counted by the informants' projection
(projections/informants.py, the same rows as ``disputes informants``) and masked for the reader
as domain/informants.py decides (the local desk without ``--as`` sees every name; with ``--as``
the rules apply: a grid worker of another village sees 赵** and no id).

Keys (docs/statistics.md, "Informants"): ``key`` (the informant's roster id, null when masked),
``name`` (the name, masked when the reader may not know it), ``masked``, ``station``,
``station_name``, and the figures :data:`KEYS`; ``total`` sums the figures over the rows.
"""

from __future__ import annotations

import csv
import io
import sys
from typing import TYPE_CHECKING, Any

import click

from disputes.cli.render import print_json, print_table

if TYPE_CHECKING:
    from pathlib import Path

    from disputes.cli.main import Settings
    from disputes.storage.statistics import Period
    from disputes.storage.store import Store

KEYS = ("reports", "graded", "resolved", "rewards", "amount")
"""The figures of an informant's row (docs/statistics.md, "Informants")."""

HEADERS = {
    "name": ("信息员", "informant"),
    "station_name": ("派出所", "station"),
    "reports": ("报告", "reports"),
    "graded": ("定级", "graded"),
    "resolved": ("化解", "resolved"),
    "rewards": ("奖励（笔）", "rewards"),
    "amount": ("金额（元）", "yuan"),
}


def informant_json(
    settings: Settings,
    store: Store,
    period: Period,
    station: str | None,
    purpose: str | None,
) -> dict[str, Any]:
    """``stats --by informant --format json``: the period, the question, one group per
    informant and station (masked for the reader), and the sums."""
    from disputes.cli.common import gate_of

    rows = gate_of(settings).informants(
        station=station, since=period.start, until=period.end, purpose=purpose
    )
    units = store.app.roster.units
    groups = [
        {
            "key": row["informant"],
            "name": row["informant_name"],
            "masked": row["masked"],
            "station": row["station"],
            "station_name": units[row["station"]].name
            if row["station"] in units
            else row["station"],
            **{key: int(row[key]) for key in KEYS},
        }
        for row in rows
    ]
    return {
        **period.as_json(),
        "by": "informant",
        "station": station,
        "as_of": None,
        "known_at": None,
        "policy_version": store.policy.version,
        "groups": groups,
        "total": {key: sum(g[key] for g in groups) for key in KEYS},
    }


def show_informants(data: dict[str, Any], fmt: str, lang: str, out: Path | None) -> None:
    """Print (or write) ``data`` as ``fmt``: json, csv (UTF-8 with BOM), xlsx or a table."""
    en = lang != "zh"
    total_row = {"name": "total" if en else "合计", "station_name": "", **data["total"]}
    rows = [*data["groups"], total_row]
    if fmt == "json":
        print_json(data)
        return
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        columns = ["key", "name", "masked", "station", *KEYS] if en else list(HEADERS)
        writer.writerow(columns if en else [HEADERS[c][0] for c in columns])
        for row in rows:
            writer.writerow(["" if row.get(c) is None else _cell(row.get(c)) for c in columns])
        sys.stdout.buffer.write(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
        return
    title = (
        f"治安信息员统计 {data['from']} – {data['to']}"
        if not en
        else f"informants {data['from']} – {data['to']}"
    )
    headers = [HEADERS[c][en] for c in HEADERS]
    cells = [[_cell(row.get(c)) for c in HEADERS] for row in rows]
    if fmt == "xlsx":
        from openpyxl import Workbook

        from disputes.cli.workbook import save_new, write_table

        assert out is not None
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "信息员" if not en else "informants"
        write_table(sheet, headers, cells, title=title)
        save_new(book, out)
        click.echo(f"wrote {out}" if en else f"已写入 {out}")
        return
    print_table(title, headers, ([str(v) for v in row] for row in cells))


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value
