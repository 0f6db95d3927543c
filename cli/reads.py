"""Reads: ``show CASE``, ``history CASE`` (the audit trail) and ``ledger`` (台账)."""

from __future__ import annotations

import csv
import io
import sys
from datetime import datetime
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
from disputes.cli.due import SUPERVISION
from disputes.cli.render import (
    EVENTS,
    GRADE,
    STATUS,
    describe,
    label,
    policy_label,
    print_json,
    print_table,
)
from disputes.domain.clock import local_text
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
    lang, policy = settings.lang, store.policy
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
        ("派出所/村" if zh else "station/village", f"{data['station']} / {data['village']}"),
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
    gate = gate_of(settings)
    store = gate.store
    rows = gate.history(case, purpose=purpose)
    if as_json:
        print_json(rows)
        return
    lang, policy = settings.lang, store.policy
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
                describe(details_of(r), policy, lang),
            )
            for r in rows
        ),
    )


@click.command("ledger")
@click.option("--status", type=click.Choice(["reported", "open", "observing", "closed"]))
@click.option("--grade", type=click.Choice(["red", "yellow", "blue"]))
@click.option("--station", metavar="CODE", help="Station unit code (e.g. WD).")
@click.option("--category", metavar="CODE", help="Category code from the policy.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="csv is UTF-8 with BOM (opens in Excel/WPS).",
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
    as_of: str | None,
    known_at: str | None,
    purpose: str | None,
    as_json: bool,
    **kwargs: str | None,
) -> None:
    """台账 — one row per case, filtered; ``--as-of``/``--known-at`` replay it as it stood."""
    settings = apply_overrides(ctx, kwargs)
    gate = gate_of(settings)
    store = gate.store
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
    if as_json or fmt == "json":
        print_json(rows)
        return
    if fmt == "csv":
        from disputes.storage.store import LEDGER_COLUMNS

        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else list(LEDGER_COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
        sys.stdout.buffer.write(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
        return
    lang, policy = settings.lang, store.policy
    zh = lang == "zh"
    headers = (
        [
            "案件编号",
            "状态",
            "等级",
            "类别",
            "派出所",
            "村",
            "责任领导",
            "责任人",
            "登记",
            "化解",
            "观察期至",
            "销号",
            "反弹",
            "未回执",
            "下次到期",
            "督办",
        ]
        if zh
        else [
            "case",
            "status",
            "grade",
            "category",
            "station",
            "village",
            "leader",
            "officer",
            "reported",
            "resolved",
            "observe until",
            "closed",
            "relapses",
            "open ref.",
            "next due",
            "supervision",
        ]
    )
    print_table(
        f"台账（{len(rows)} 件）" if zh else f"ledger ({len(rows)} cases)",
        headers,
        (
            (
                r["case_no"],
                label(STATUS, r["status"], lang),
                label(GRADE, r["grade"], lang),
                policy_label(policy, "categories", r.get("category", ""), lang),
                r.get("station"),
                r.get("village"),
                r.get("leader"),
                r.get("officer"),
                _t(r["reported_at"]),
                _t(r.get("resolved_at")),
                _t(r.get("observe_until")),
                _t(r.get("closed_at")),
                r.get("relapses"),
                r.get("open_referrals"),
                _t(r["next_due_at"]),
                _late(r, lang),
            )
            for r in rows
        ),
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


def _person(store: object, person_id: str | None) -> str:
    from disputes.storage.store import Store

    if person_id is None:
        return ""
    assert isinstance(store, Store)
    person = store.app.roster.people.get(person_id)
    return person_id if person is None else f"{person_id} {person.name}"


def register(group: click.Group) -> None:
    for command in (show, history, ledger):
        group.add_command(command)
    _ = settings_of
