"""``access-log`` — who read what (issue 11 §3), for the audit administrator and auditors."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import click

from disputes.cli.common import apply_overrides, gate_of, json_option, store_options
from disputes.cli.render import print_json, print_table

ACTIONS = {
    "show": ("查看案件", "show"),
    "history": ("查看办理记录", "history"),
    "ledger": ("查看台账", "ledger"),
    "due": ("查看到期事项", "due"),
}


def _when(option: str, text: str | None, *, end: bool = False) -> datetime | None:
    """A time option; a bare date means its midnight, or (``end``) the next midnight, so that
    ``--to 2024-03-05`` takes in the whole of that day."""
    from disputes.domain.clock import parse_time
    from disputes.domain.errors import InvalidInput

    if text is None:
        return None
    try:
        moment = parse_time(text)
    except ValueError as exc:
        raise InvalidInput(option, str(exc)) from None
    if end and len(text.strip()) == 10:
        moment += timedelta(days=1)
    return moment


@click.command("access-log")
@click.option("--case", metavar="CASE", help="Only entries naming this case.")
@click.option("--person", metavar="PERSON", help="Only entries of this reader.")
@click.option(
    "--from",
    "since",
    metavar="TIME",
    help="From this time (ISO 8601; no offset means Asia/Shanghai; a date means its start).",
)
@click.option(
    "--to",
    "until",
    metavar="TIME",
    help="Before this time (a date means through the end of that day).",
)
@json_option
@store_options
@click.pass_context
def access_log(
    ctx: click.Context,
    /,
    case: str | None,
    person: str | None,
    since: str | None,
    until: str | None,
    as_json: bool,
    **kwargs: str | None,
) -> None:
    """查阅日志 — who read which cases, when, for what purpose, masked or not, and every
    refused attempt, oldest first. Recorded in server mode (local mode keeps no access log).
    For the audit administrator and auditors."""
    settings = apply_overrides(ctx, kwargs)
    gate = gate_of(settings)
    rows = gate.access_log(
        case=case,
        person=person,
        since=_when("--from", since),
        until=_when("--to", until, end=True),
    )
    if as_json:
        print_json(rows)
        return
    render_access_log(gate.store, rows, settings.lang)


def render_access_log(source: Any, rows: list[dict[str, Any]], lang: str) -> None:
    """The access-log table from ``access-log --json`` rows; ``source`` gives the people's
    names and the purposes' labels (the store, or the server's ``/api/labels`` at the
    client)."""
    zh = lang == "zh"
    people = source.app.roster.people
    purposes = source.policy.access.purposes
    headers = (
        ["时间", "查阅人", "操作", "案件", "查阅事由", "脱敏", "结果"]
        if zh
        else ["at", "reader", "action", "cases", "purpose", "masked", "result"]
    )

    def who(person_id: str) -> str:
        found = people.get(person_id)
        return person_id if found is None else f"{person_id} {found.name}"

    def purpose_of(code: str | None) -> str:
        if code is None:
            return ""
        entry = purposes.get(code)
        return code if entry is None else str(entry.zh if zh else entry.en)

    def result(row: dict[str, Any]) -> str:
        if row["allowed"]:
            return "允许" if zh else "allowed"
        return f"拒绝：{row['reason']}" if zh else f"refused: {row['reason']}"

    from disputes.domain.clock import local_text

    print_table(
        f"查阅日志（{len(rows)} 条）" if zh else f"access log ({len(rows)} entries)",
        headers,
        (
            (
                local_text(datetime.fromisoformat(r["at"])),
                who(r["person"]),
                ACTIONS.get(r["action"], (r["action"], r["action"]))[0 if zh else 1],
                ", ".join(r["cases"]),
                purpose_of(r["purpose"]),
                ("是" if zh else "yes") if r["masked"] else ("否" if zh else "no"),
                result(r),
            )
            for r in rows
        ),
    )


def register(group: click.Group) -> None:
    group.add_command(access_log)
