"""The figures as the server's client (issue 11: every verb works with a server): ``stats``,
``rewards``, ``informants`` and ``rating`` take the local verb's options, ask the server for
the ``--format json`` document (counted and masked as the signed-in person's scope says), and
render table, csv or xlsx from it here with the local verbs' rendering."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Any

import click

from disputes.cli.remote import current_lang, parse_when, remote_gate


def stats(
    first: str,
    last: str,
    by: str | None,
    station: str | None,
    fmt: str,
    out: Path | None,
    as_of: str | None,
    known_at: str | None,
    **kw: Any,
) -> None:
    from disputes.cli.figures import flatten, shown, word
    from disputes.cli.render import print_json, print_table
    from disputes.cli.stats import BY_HEADER, SHORT_EN, TABLE_KEYS, _csv, grouped_table
    from disputes.storage.statistics import invalid

    lang = current_lang()
    if fmt == "xlsx":
        if out is None:
            raise invalid("--out", "xlsx needs --out FILE", zh="xlsx 格式需要 --out 文件名")
        from disputes.cli.workbook import new_out

        new_out(out)
    remote = remote_gate(kw)
    data = remote.stats(
        first=first,
        last=last,
        by=by,
        station=station,
        as_of=parse_when("--as-of", as_of),
        known_at=parse_when("--known-at", known_at),
        lang=lang,
    )
    zh = lang == "zh"
    if by == "informant":
        from disputes.cli.stats_informants import show_informants

        show_informants(data, fmt, lang, out)
        return
    if fmt == "json":
        print_json(data)
        return
    rows = [*data["groups"], {"key": "", "name": "合计" if zh else "total", **data["total"]}]
    columns = [(key, _header(key, lang)) for key in flatten(data["total"])]
    first_column = ("name", BY_HEADER.get(by or "", ("范围", "scope"))[not zh])
    if fmt in ("csv", "xlsx"):
        table = [
            [_csv(flatten(row).get(key)) for key in ("name", *(k for k, _ in columns))]
            for row in rows
        ]
        headers = [first_column[1], *(h for _, h in columns)]
        if fmt == "csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow(headers)
            writer.writerows(table)
            sys.stdout.buffer.write(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
            return
        from openpyxl import Workbook

        from disputes.cli.workbook import save_new, write_table

        assert out is not None
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "统计" if zh else "statistics"
        write_table(sheet, headers, table, title=_title(data, lang))
        save_new(book, out)
        click.echo(f"已写入 {out}" if zh else f"wrote {out}")
        return
    if by is None:
        flat = flatten(data["total"])
        print_table(
            _title(data, lang),
            ["指标" if zh else "figure", "数值" if zh else "value"],
            ((header, shown(key.split(".")[0], flat.get(key), lang)) for key, header in columns),
        )
        return
    grouped_table(
        _title(data, lang),
        [BY_HEADER[by][not zh], *(word(k, lang) if zh else SHORT_EN[k] for k in TABLE_KEYS)],
        [[row["name"], *(shown(k, row[k], lang) for k in TABLE_KEYS)] for row in rows],
        lang,
    )


def _header(key: str, lang: str) -> str:
    from disputes.cli.figures import LABELS
    from disputes.domain.vocabulary import OUTCOME

    if lang != "zh":
        return key
    head, _, sub = key.partition(".")
    if head == "by_source":
        return f"来源：{sub}"
    if head == "outcomes":
        return f"后果：{OUTCOME.get(sub, (sub,))[0]}"
    return LABELS[key][0] if key in LABELS else key


def _title(data: dict[str, Any], lang: str) -> str:
    span = f"{data['from']} – {data['to']}"
    scope = data.get("station") or ""
    text = (
        f"{scope}统计 {span}" if lang == "zh" else f"statistics {scope} {span}".replace("  ", " ")
    )
    for key, zh, en in (
        ("known_at", "截至记录时间", "known at"),
        ("as_of", "截至发生时间", "as of"),
    ):
        if data.get(key):
            at = data[key][:16].replace("T", " ")
            text += f"（{zh} {at}）" if lang == "zh" else f" ({en} {at})"
    return text


def rewards(
    status: str | None,
    station: str | None,
    informant: str | None,
    since: str | None,
    until: str | None,
    fmt: str,
    output: Path | None,
    as_json: bool,
    **kw: Any,
) -> None:
    from disputes.cli.rewards import show_rewards
    from disputes.domain.errors import InvalidInput

    if fmt == "xlsx" and output is None:
        raise InvalidInput("--output", "an Excel workbook is written to a file: give --output")
    rows = remote_gate(kw).rewards(
        since=parse_when("--from", since),
        until=parse_when("--to", until),
        status=status,
        station=station,
        informant=informant,
    )
    show_rewards(None, rows, fmt, output, as_json, current_lang())


def informants(
    station: str | None,
    since: str | None,
    until: str | None,
    fmt: str,
    as_json: bool,
    **kw: Any,
) -> None:
    from disputes.cli.rewards import show_informant_rows

    rows = remote_gate(kw).informants(
        station=station, since=parse_when("--from", since), until=parse_when("--to", until)
    )
    show_informant_rows(rows, "json" if as_json else fmt, current_lang())


def rating(half: str, station: str | None, fmt: str, out: Path | None, **kw: Any) -> None:
    from disputes.cli.rating import show_rating
    from disputes.storage.statistics import invalid

    if fmt == "xlsx":
        if out is None:
            raise invalid("--out", "xlsx needs --out FILE", zh="xlsx 格式需要 --out 文件名")
        from disputes.cli.workbook import new_out

        new_out(out)
    data = remote_gate(kw).rating(half, station=station)
    show_rating(data, fmt, out, current_lang(), lambda item: str(item["village_name"]))


FIGURE_CALLBACKS: dict[str, Any] = {
    "stats": stats,
    "rewards": rewards,
    "informants": informants,
    "rating": rating,
}
"""The figure verbs' client callbacks (:func:`disputes.cli.remote.client_version`)."""
