"""Reads: ``show CASE``, ``history CASE`` (the audit trail) and ``ledger`` (台账)."""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from disputes.cli.common import (
    apply_overrides,
    gate_of,
    json_option,
    purpose_option,
    settings_of,
    store_options,
)
from disputes.cli.render import (
    EVENTS,
    GRADE,
    STATUS,
    Names,
    describe,
    label,
    policy_label,
    print_json,
    print_table,
    terminal_width,
)
from disputes.domain.clock import local_text
from disputes.domain.vocabulary import SUPERVISION
from disputes.gate.shapes import details_of

as_of_option = click.option(
    "--as-of",
    metavar="TIME",
    help="State as it stood at this occurred time (what had happened by then, as now recorded).",
)
known_at_option = click.option(
    "--known-at",
    metavar="TIME",
    help="State as the store knew it at this recorded time (events recorded by then).",
)


def _when(option: str, text: str | None) -> datetime | None:
    from disputes.domain.clock import parse_time
    from disputes.domain.errors import InvalidInput

    if text is None:
        return None
    try:
        return parse_time(text)
    except ValueError as exc:
        raise InvalidInput(option, str(exc)) from None


@click.command("show")
@click.argument("case")
@as_of_option
@known_at_option
@purpose_option
@json_option
@store_options
@click.pass_context
def show(
    ctx: click.Context,
    /,
    case: str,
    as_of: str | None,
    known_at: str | None,
    purpose: str | None,
    as_json: bool,
    **kwargs: str | None,
) -> None:
    """Show one case (replayed from its events)."""
    settings = apply_overrides(ctx, kwargs)
    gate = gate_of(settings)
    store = gate.store
    when, known = _when("--as-of", as_of), _when("--known-at", known_at)
    data = gate.show(case, when, known, purpose=purpose)
    if as_json:
        print_json(data)
        return
    render_show(store, data, settings.lang)


def render_show(source: Any, data: dict[str, Any], lang: str) -> None:
    """``show``'s table from its ``--json``; ``source`` gives the policy's labels and the
    names of units and people (the store, or the server's ``/api/labels`` at the client)."""
    store, policy = source, source.policy
    zh = lang == "zh"
    if "category" not in data:  # a grid worker's own report: its standing only
        print_table(
            None,
            ["项目" if zh else "field", "内容" if zh else "value"],
            [
                ("案件编号" if zh else "case", data["case_no"]),
                ("状态" if zh else "status", label(STATUS, data["status"], lang)),
                ("等级" if zh else "grade", label(GRADE, data["grade"], lang)),
                ("登记时间" if zh else "reported", _t(data["reported_at"])),
                ("下次到期" if zh else "next due", _t(data["next_due_at"])),
            ],
        )
        return
    rows = [
        ("案件编号" if zh else "case", data["case_no"]),
        ("状态" if zh else "status", label(STATUS, data["status"], lang)),
        ("等级" if zh else "grade", label(GRADE, data["grade"], lang)),
        ("类别" if zh else "category", policy_label(policy, "categories", data["category"], lang)),
        ("来源" if zh else "source", policy_label(policy, "sources", data["source"], lang)),
        (
            "派出所/村" if zh else "station/village",
            f"{_unit(store, data['station'])} / {_unit(store, data['village'])}",
        ),
        ("责任领导" if zh else "leader", _person(store, data["leader"])),
        ("责任人" if zh else "officer", _person(store, data["officer"])),
        ("简要情况" if zh else "summary", data["summary"]),
        ("登记时间" if zh else "reported", _t(data["reported_at"])),
        ("化解时间" if zh else "resolved", _t(data["resolved_at"])),
        ("观察期至" if zh else "observe until", _t(data["observe_until"])),
        ("销号时间" if zh else "closed", _t(data["closed_at"])),
        ("反弹次数" if zh else "relapses", data["relapses"]),
        ("未回执移交" if zh else "open referrals", data["open_referrals"]),
        ("下次到期" if zh else "next due", _t(data["next_due_at"])),
        ("逾期天数" if zh else "days overdue", data["overdue_days"]),
        ("督办" if zh else "supervision", _supervision(data, lang)),
    ]
    print_table(None, ["项目" if zh else "field", "内容" if zh else "value"], rows)


@click.command("history")
@click.argument("case")
@purpose_option
@json_option
@store_options
@click.pass_context
def history(
    ctx: click.Context, /, case: str, purpose: str | None, as_json: bool, **kwargs: str | None
) -> None:
    """The audit trail of a case: every event in order, with occurred and recorded time,
    actor, policy version and details."""
    settings = apply_overrides(ctx, kwargs)
    if purpose is None and settings.actor is None:
        from disputes.cli.quick import quick_history

        if quick_history(settings, case, as_json):
            return
    gate = gate_of(settings)
    store = gate.store
    rows = gate.history(case, purpose=purpose)
    if as_json:
        print_json(rows)
        return
    render_history(store, case, rows, settings.lang)


def render_history(source: Any, case: str, rows: list[dict[str, Any]], lang: str) -> None:
    """``history``'s table from its ``--json`` rows (``source`` as :func:`render_show`)."""
    store, policy, names = source, source.policy, Names(source)
    zh = lang == "zh"
    headers = (
        ["#", "事件", "发生时间", "记录时间", "操作人", "政策版本", "详情"]
        if zh
        else ["#", "event", "occurred", "recorded", "actor", "policy", "details"]
    )
    print_table(
        f"{case} 办理记录" if zh else f"{case} history",
        headers,
        (
            (
                r["version"],
                label(EVENTS, r["event"], lang),
                _t(r["occurred_at"]),
                _t(r["recorded_at"]) + _late_mark(r["late_reasons"], lang),
                _person(store, r["actor"]),
                r["policy_version"],
                describe(details_of(r), policy, lang, names),
            )
            for r in rows
        ),
    )


TABLE_COLUMNS: dict[str, tuple[str, str]] = {
    "case_no": ("案件编号", "case"),
    "status": ("状态", "status"),
    "grade": ("等级", "grade"),
    "category": ("类别", "category"),
    "source": ("来源", "source"),
    "station": ("派出所", "station"),
    "village": ("村", "village"),
    "leader": ("责任领导", "leader"),
    "officer": ("责任人", "officer"),
    "reported_at": ("登记", "reported"),
    "resolved_at": ("化解", "resolved"),
    "observe_until": ("观察期至", "observe until"),
    "closed_at": ("销号", "closed"),
    "relapses": ("反弹", "relapses"),
    "open_referrals": ("未回执", "open ref."),
    "next_due_at": ("下次到期", "next due"),
    "supervision": ("督办", "supervision"),
}
"""The columns ``ledger --columns`` may pick (ledger keys), with their headers."""

DEFAULT_COLUMNS = (
    "case_no",
    "status",
    "grade",
    "category",
    "station",
    "officer",
    "next_due_at",
    "supervision",
)
"""What a normal terminal shows: readable at 100 columns (``--columns`` picks others)."""


@click.command("ledger")
@click.option("--status", type=click.Choice(["reported", "open", "observing", "closed"]))
@click.option("--grade", type=click.Choice(["red", "yellow", "blue"]))
@click.option("--station", metavar="CODE", help="Station unit code (e.g. WD).")
@click.option("--category", metavar="CODE", help="Category code from the policy.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "xlsx"]),
    default="table",
    show_default=True,
    help="csv (UTF-8 with BOM) and xlsx are for Excel/WPS: Chinese headers and labels by "
    "default, English codes with --lang en; scripts read json.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write csv, xlsx or json to this new file (never overwritten); xlsx needs it.",
)
@click.option(
    "--columns",
    metavar="A,B,…",
    help=f"Table columns, comma-separated, or 'all' [default: {','.join(DEFAULT_COLUMNS)}]; "
    f"one of: {', '.join(TABLE_COLUMNS)}.",
)
@as_of_option
@known_at_option
@purpose_option
@json_option
@store_options
@click.pass_context
def ledger(
    ctx: click.Context,
    /,
    status: str | None,
    grade: str | None,
    station: str | None,
    category: str | None,
    fmt: str,
    out: Path | None,
    columns: str | None,
    as_of: str | None,
    known_at: str | None,
    purpose: str | None,
    as_json: bool,
    **kwargs: str | None,
) -> None:
    """台账 — one row per case, filtered; ``--as-of``/``--known-at`` replay it as it stood.

    The table fits the terminal (piped, the width ``COLUMNS`` says): stations, villages and
    people by name; ``--columns`` picks the columns. ``--format csv|xlsx`` write the 台账 for
    Excel/WPS in Chinese (``--lang en``: English headers and codes, as before); ``--format
    json`` is for scripts.
    """
    settings = apply_overrides(ctx, kwargs)
    picked = _columns(columns)
    check_ledger_out(fmt, out, as_json)
    if (
        purpose is None
        and settings.actor is None
        and as_of is None
        and known_at is None
        and out is None
    ):
        from disputes.cli.quick import quick_ledger

        filters = {"status": status, "grade": grade, "station": station, "category": category}
        if quick_ledger(settings, filters, fmt, as_json, picked):
            return
    gate = gate_of(settings)
    when, known = _when("--as-of", as_of), _when("--known-at", known_at)
    rows = gate.ledger(
        status=status,
        grade=grade,
        station=station,
        category=category,
        as_of=when,
        known_at=known,
        purpose=purpose,
    )
    render_ledger(gate.store, rows, settings.lang, fmt, out, picked, as_json)


def check_ledger_out(fmt: str, out: Path | None, as_json: bool) -> None:
    """Refuse what ``ledger`` cannot do before reading: xlsx without ``--out``, a table with
    it, an ``--out`` file that exists."""
    from disputes.domain.errors import InvalidInput

    if fmt == "xlsx" and out is None:
        raise InvalidInput(
            "--out",
            "--format xlsx writes a workbook: name it with --out FILE.xlsx",
            zh="--format xlsx 会生成 Excel 文件，请用 --out 文件名.xlsx 指定",
        )
    if out is not None and fmt == "table" and not as_json:
        raise InvalidInput(
            "--out",
            "a table is printed; --out writes --format csv, xlsx or json",
            zh="表格直接显示在屏幕上；--out 用于 --format csv、xlsx 或 json",
        )
    if out is not None:
        from disputes.cli.workbook import new_out

        if fmt == "xlsx":
            from disputes.cli.stats import xlsx_out

            xlsx_out(out)
        new_out(out)


def render_ledger(
    source: Any,
    rows: list[dict[str, Any]],
    lang: str,
    fmt: str,
    out: Path | None,
    picked: list[str],
    as_json: bool,
) -> None:
    """The 台账 from ``ledger --json`` rows as a table, csv, xlsx or json (to ``out`` when
    given); ``source`` gives the policy's labels and the names of units and people (the
    store, or the server's ``/api/labels`` at the client)."""
    store = source
    if as_json or fmt == "json":
        if out is None:
            print_json(rows)
            return
        text = json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
        _write(text.encode("utf-8"), out)
    elif fmt == "csv":
        _write(_csv(store, rows, lang), out)
    elif fmt == "xlsx":
        assert out is not None
        _xlsx(store, rows, lang, out)
    else:
        _table(store, rows, lang, picked)
        return
    if out is not None:  # the file is written: say so (stdout stays the data otherwise)
        click.echo(f"已写入 {out}" if lang == "zh" else f"wrote {out}")


def _columns(text: str | None) -> list[str]:
    from disputes.domain.errors import InvalidInput

    if text is None:
        return list(DEFAULT_COLUMNS)
    if text.strip() == "all":
        return list(TABLE_COLUMNS)
    picked = [c.strip() for c in text.split(",") if c.strip()]
    unknown = [c for c in picked if c not in TABLE_COLUMNS]
    if unknown or not picked:
        raise InvalidInput(
            "--columns",
            f"unknown column {', '.join(unknown) or '(none given)'}; "
            f"one of: {', '.join(TABLE_COLUMNS)}",
            zh=f"没有这一列：{'、'.join(unknown) or '（未指定）'}；可选："
            + "、".join(f"{key}（{zh}）" for key, (zh, _) in TABLE_COLUMNS.items()),
        )
    return picked


def _csv(store: Any, rows: list[dict[str, Any]], lang: str) -> bytes:
    """The 台账 as CSV, UTF-8 with BOM: Chinese headers and labels, times to the minute; with
    ``--lang en`` the ledger's own keys and codes (what the CSV was before)."""
    from disputes.storage.store import LEDGER_COLUMNS

    buffer = io.StringIO()
    if lang == "zh":
        from disputes.cli.monthly import ledger_cells

        headers, cells = ledger_cells(store, rows, lang)
        writer = csv.writer(buffer)
        writer.writerow(headers)
        for line in cells:
            writer.writerow(
                [v.strftime("%Y-%m-%d %H:%M") if isinstance(v, datetime) else v for v in line]
            )
    else:
        fields = list(rows[0]) if rows else list(LEDGER_COLUMNS)
        dict_writer = csv.DictWriter(buffer, fieldnames=fields)
        dict_writer.writeheader()
        dict_writer.writerows(rows)
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def _write(data: bytes, out: Path | None) -> None:
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    import os

    from disputes.cli.guards import open_new

    with os.fdopen(open_new(out, "--out"), "wb") as file:
        file.write(data)


def _xlsx(store: Any, rows: list[dict[str, Any]], lang: str, out: Path) -> None:
    """The 台账 as a workbook: the monthly report's 台账 sheet (real date cells, frozen and
    filtered header, fitting widths)."""
    from openpyxl import Workbook

    from disputes.cli.monthly import ledger_cells
    from disputes.cli.workbook import save_new, write_table

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "台账" if lang == "zh" else "ledger"
    headers, cells = ledger_cells(store, rows, lang)
    write_table(sheet, headers, cells)
    save_new(book, out)


def _table(store: Any, rows: list[dict[str, Any]], lang: str, picked: list[str]) -> None:
    policy, names = store.policy, Names(store)
    zh = lang == "zh"
    unit, person = names.unit, names.person

    def cell(key: str, r: dict[str, Any]) -> Any:
        value = r.get(key)
        match key:
            case "status":
                return label(STATUS, value, lang)
            case "grade":
                return label(GRADE, value, lang)
            case "category" | "source":
                kind = "categories" if key == "category" else "sources"
                return policy_label(policy, kind, value or "", lang)
            case "station" | "village":
                return unit(value)
            case "leader" | "officer":
                return person(value)
            case "supervision":
                return _late(r, lang)
            case _ if key.endswith(("_at", "_until")):
                return _t(value)
        return value

    print_table(
        f"台账（{len(rows)} 件）" if zh else f"ledger ({len(rows)} cases)",
        [TABLE_COLUMNS[key][0 if zh else 1] for key in picked],
        ([cell(key, r) for key in picked] for r in rows),
        width=terminal_width(),
    )


def _supervision(data: dict[str, Any], lang: str) -> str:
    """The case's supervision level, and its open supervision orders (督办) if any."""
    orders = [o for o in data["supervision_orders"] if o["answered_at"] is None]
    opened = "; ".join(
        f"#{o['order']} {label(SUPERVISION, o['level'], lang)} {o['actor']} {_t(o['ordered_at'])}"
        f" {o['note']}"
        for o in orders
    )
    level = label(SUPERVISION, data["supervision"], lang)
    return f"{level} ({opened})" if opened else level


def _late(row: dict[str, Any], lang: str) -> str:
    """Supervision level and days overdue, for the ledger table (``红牌 12天``)."""
    days = row.get("overdue_days")
    late = "" if not days else (f" {days}天" if lang == "zh" else f" {days}d")
    return label(SUPERVISION, row.get("supervision"), lang) + late


LATE_REASONS = {
    "recorded-late": ("事后登记", "recorded late"),
    "placed-before": ("插在已记事项之前", "placed before"),
}
"""Why an entry is 补录: recorded later than the policy's threshold after it occurred, or
placed before an event recorded earlier (both may hold)."""


def _late_mark(reasons: list[str], lang: str) -> str:
    if not reasons:
        return ""
    said = (
        "、".join(LATE_REASONS[r][0] for r in reasons)
        if lang == "zh"
        else ", ".join(LATE_REASONS[r][1] for r in reasons)
    )
    return f" 补录（{said}）" if lang == "zh" else f" ({said})"


def _t(value: str | None) -> str:
    return local_text(datetime.fromisoformat(value)) if value else ""


def _unit(store: object, code: str | None) -> str:
    """A station or village by name (``王店派出所``), the code when the roster has none."""
    return Names(store).unit(code)


def _person(store: object, person_id: str | None) -> str:
    """A person as ``id name`` (the id alone when the roster does not know it)."""
    if person_id is None:
        return ""
    name = Names(store).person(person_id)
    return person_id if name == person_id else f"{person_id} {name}"


def register(group: click.Group) -> None:
    for command in (show, history, ledger):
        group.add_command(command)
    _ = settings_of
