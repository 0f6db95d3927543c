"""``rewards`` — the informant rewards list (治安信息员奖励, issue 13), from the rewards
projection: a table, JSON, CSV (UTF-8 with BOM) or an Excel workbook (``--output``).

With ``--as PERSON`` the list is read as that person: the informant's name is masked and the
id withheld where they may not know it (domain/informants.py); without it the trusted desk
sees everything (docs/trust.md §3)."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Any

import click

from disputes.cli.common import apply_overrides, gate_of, json_option, store_options
from disputes.cli.render import policy_label, print_json, print_table, to_local

STATUSES = ("proposed", "approved", "rejected", "paid", "cancelled")
HEADERS_ZH = (
    "奖励编号",
    "案件编号",
    "派出所",
    "村",
    "信息员",
    "类别",
    "金额（元）",
    "状态",
    "申报人",
    "申报时间",
    "审批人",
    "发放时间",
    "凭证号",
)
HEADERS_EN = (
    "reward",
    "case",
    "station",
    "village",
    "informant",
    "kind",
    "amount (yuan)",
    "status",
    "proposed by",
    "proposed",
    "decided by",
    "paid",
    "voucher",
)
EXPORT_COLUMNS = (
    "reward_no",
    "case_no",
    "district",
    "station",
    "village",
    "informant",
    "informant_name",
    "masked",
    "kind",
    "amount",
    "reason",
    "status",
    "proposed_by",
    "proposed_at",
    "decided_by",
    "decided_at",
    "decision_note",
    "paid_by",
    "paid_at",
    "voucher",
    "paid_amount",
    "cancelled_by",
    "cancelled_at",
)


@click.command("rewards")
@click.option("--status", type=click.Choice(STATUSES), help="Only rewards in this status.")
@click.option("--station", metavar="CODE", help="Only rewards of cases of this station.")
@click.option("--informant", metavar="PERSON", help="Only rewards of this informant.")
@click.option("--from", "since", metavar="TIME", help="Proposed at or after this time.")
@click.option("--to", "until", metavar="TIME", help="Proposed before this time.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "xlsx"]),
    default="table",
    show_default=True,
    help="csv is UTF-8 with BOM (opens in Excel/WPS); xlsx needs --output.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the list to this new file (never replaces one).",
)
@click.option("--purpose", metavar="CODE", help="查阅事由 (an auditor's read with names).")
@json_option
@store_options
@click.pass_context
def rewards(
    ctx: click.Context,
    /,
    status: str | None,
    station: str | None,
    informant: str | None,
    since: str | None,
    until: str | None,
    fmt: str,
    output: Path | None,
    purpose: str | None,
    as_json: bool,
    **kwargs: str | None,
) -> None:
    """信息员奖励 — the rewards list, filtered; informants masked for readers (--as) who may
    not know them."""
    from disputes.cli.reads import _when
    from disputes.domain.errors import InvalidInput
    from disputes.domain.roster import UnitKind

    settings = apply_overrides(ctx, kwargs)
    store = settings.store()
    if station is not None:
        store.app.roster.unit(station, UnitKind.STATION, "--station")
    if purpose is not None and purpose not in store.policy.access.purposes:
        raise InvalidInput("--purpose", f"'{purpose}' is not a purpose of the policy")
    if fmt == "xlsx" and output is None:
        raise InvalidInput("--output", "an Excel workbook is written to a file: give --output")
    rows = gate_of(settings).rewards(
        since=_when("--from", since),
        until=_when("--to", until),
        purpose=purpose,
        status=status,
        station=station,
        informant=informant,
    )
    show_rewards(store, rows, fmt, output, as_json, settings.lang)


def show_rewards(
    store: Any, rows: list[dict[str, Any]], fmt: str, output: Path | None, as_json: bool, lang: str
) -> None:
    """Print (or write to ``output``) ``rewards`` rows as ``fmt``; ``store`` None: the
    server's client (kinds shown by code)."""
    exported = [
        {key: to_local(row[key]) if key.endswith("_at") else row[key] for key in EXPORT_COLUMNS}
        for row in rows
    ]
    if as_json or fmt == "json":
        if output is None:
            print_json(exported)
        else:
            import json

            _write(output, json.dumps(exported, ensure_ascii=False, indent=2).encode())
        return
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(EXPORT_COLUMNS))
        writer.writeheader()
        writer.writerows(exported)
        data = b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")
        if output is None:
            sys.stdout.buffer.write(data)
        else:
            _write(output, data)
        return
    if fmt == "xlsx":
        assert output is not None
        _write(output, _workbook(exported))
        click.echo(f"{output}: {len(rows)} rewards", err=True)
        return
    _table(store, rows, lang)


def _table(store: Any, rows: list[dict[str, Any]], lang: str) -> None:
    from disputes.cli.reads import _t
    from disputes.domain.reward_refusals import STATUS_ZH, RewardStatus

    zh = lang == "zh"
    total = sum(r["paid_amount"] or 0 for r in rows if r["status"] == "paid")
    title = (
        f"信息员奖励（{len(rows)} 笔，已发放 {total} 元）"
        if zh
        else f"informant rewards ({len(rows)}, {total} yuan paid)"
    )
    print_table(
        title,
        HEADERS_ZH if zh else HEADERS_EN,
        (
            (
                r["reward_no"],
                r["case_no"],
                r["station"],
                r["village"],
                " ".join(part for part in (r["informant"], r["informant_name"]) if part),
                _kind(store, r["kind"], lang),
                r["amount"],
                STATUS_ZH[RewardStatus(r["status"])] if zh else r["status"],
                r["proposed_by"],
                _t(r["proposed_at"]),
                r["decided_by"] or "",
                _t(r["paid_at"]),
                r["voucher"] or "",
            )
            for r in rows
        ),
    )


def _kind(store: Any, kind: str, lang: str) -> str:
    if store is None:  # the server's client: the policy is the server's
        return kind
    return policy_label(store.policy.rewards, "kinds", kind, lang)


def _workbook(rows: list[dict[str, Any]]) -> bytes:
    """The list as an Excel workbook (one sheet, a header row)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "rewards"
    sheet.append(list(EXPORT_COLUMNS))
    for row in rows:
        sheet.append([row[key] for key in EXPORT_COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _write(path: Path, data: bytes) -> None:
    """Write a new file; an existing one is never replaced (exit 2 naming it)."""
    from disputes.domain.errors import InvalidInput

    try:
        with path.open("xb") as handle:
            handle.write(data)
    except FileExistsError:
        raise InvalidInput("--output", f"{path} exists; it is never replaced") from None


@click.command("informants")
@click.option("--station", metavar="CODE", help="Only cases of this station.")
@click.option("--from", "since", metavar="TIME", help="Reported (paid) at or after this time.")
@click.option("--to", "until", metavar="TIME", help="Reported (paid) before this time.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="csv is UTF-8 with BOM (opens in Excel/WPS).",
)
@click.option("--purpose", metavar="CODE", help="查阅事由 (an auditor's read with names).")
@json_option
@store_options
@click.pass_context
def informants(
    ctx: click.Context,
    /,
    station: str | None,
    since: str | None,
    until: str | None,
    fmt: str,
    purpose: str | None,
    as_json: bool,
    **kwargs: str | None,
) -> None:
    """治安信息员 — per informant and station: reports made, graded, resolved (by when
    reported), rewards paid and their amount (by when paid); masked as in ``rewards``."""
    from disputes.cli.reads import _when
    from disputes.domain.roster import UnitKind

    settings = apply_overrides(ctx, kwargs)
    store = settings.store()
    if station is not None:
        store.app.roster.unit(station, UnitKind.STATION, "--station")
    rows = gate_of(settings).informants(
        station=station,
        since=_when("--from", since),
        until=_when("--to", until),
        purpose=purpose,
    )
    show_informant_rows(rows, "json" if as_json else fmt, settings.lang)


def show_informant_rows(rows: list[dict[str, Any]], fmt: str, lang: str) -> None:
    """Print ``informants --json`` rows as ``fmt`` (json, csv, table)."""
    if fmt == "json":
        print_json(rows)
        return
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(FIGURE_COLUMNS))
        writer.writeheader()
        writer.writerows({key: row[key] for key in FIGURE_COLUMNS} for row in rows)
        sys.stdout.buffer.write(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
        return
    zh = lang == "zh"
    print_table(
        f"治安信息员（{len(rows)} 人）" if zh else f"informants ({len(rows)})",
        ["信息员", "派出所", "报告", "定级", "化解", "奖励（笔）", "金额（元）"]
        if zh
        else ["informant", "station", "reports", "graded", "resolved", "rewards", "yuan"],
        (
            (
                " ".join(part for part in (r["informant"], r["informant_name"]) if part),
                r["station"],
                r["reports"],
                r["graded"],
                r["resolved"],
                r["rewards"],
                r["amount"],
            )
            for r in rows
        ),
    )


FIGURE_COLUMNS = (
    "informant",
    "informant_name",
    "masked",
    "station",
    "reports",
    "graded",
    "resolved",
    "rewards",
    "amount",
)


def register(group: click.Group) -> None:
    group.add_command(rewards)
    group.add_command(informants)
