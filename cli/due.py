"""``due`` — the due board (跟办): what is due today and what is late, for any moment."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from disputes.cli.common import (
    apply_overrides,
    gate_of,
    json_option,
    purpose_option,
    store_options,
)
from disputes.cli.render import GRADE, Names, label, print_json, print_table
from disputes.domain import vocabulary

KIND = {
    "first-contact": ("首次接触", "first contact"),
    "contact": ("定期走访", "contact"),
    "follow-up": ("回访", "follow-up"),
    "referral-reply": ("移交回执", "referral reply"),
    "observation-end": ("观察期满", "observation ends"),
    "stalled": ("停滞待升级", "stalled"),
}
SUPERVISION = vocabulary.SUPERVISION


@click.command("due")
@click.option(
    "--on",
    "on_text",
    metavar="TIME",
    help="The moment to read the board at, ISO 8601; no offset means Asia/Shanghai "
    "[default: now]. Past and future both work.",
)
@click.option("--station", metavar="CODE", help="Only cases of this station (e.g. WD).")
@click.option("--officer", metavar="PERSON", help="Only cases with this responsible officer.")
@click.option("--leader", metavar="PERSON", help="Only cases with this responsible leader.")
@click.option("--overdue", is_flag=True, help="Only items already overdue.")
@click.option(
    "--within",
    type=click.IntRange(0, 366),
    metavar="DAYS",
    help="Also every item falling due in the next DAYS days (to the end of that day): every "
    "pending deadline of each case, to plan the week.",
)
@purpose_option
@json_option
@store_options
@click.pass_context
def due(
    ctx: click.Context,
    /,
    on_text: str | None,
    station: str | None,
    officer: str | None,
    leader: str | None,
    overdue: bool,
    within: int | None,
    purpose: str | None,
    as_json: bool,
    **kwargs: str | None,
) -> None:
    """跟办 — the due board: one row per item due by the end of the day of --on (or already
    overdue), most urgent first: red card, yellow card, then earliest due.

    Items: first-contact, contact, follow-up, referral-reply, observation-end, stalled. An item
    is overdue from its due time; supervision is yellow-card or red-card once it is overdue by
    the policy's [cadence] thresholds, or when a leader's supervision order (督办) is open —
    such cases show whenever their items are due.
    """
    from disputes.domain.clock import parse_time
    from disputes.domain.errors import InvalidInput

    settings = apply_overrides(ctx, kwargs)
    on: datetime | None = None
    if on_text is not None:
        try:
            on = parse_time(on_text)
        except ValueError as exc:
            raise InvalidInput("--on", str(exc)) from None
    if within is not None and overdue:
        raise InvalidInput(
            "--within",
            "--within lists what falls due later, --overdue only what is late: give one",
            zh="--within 列出今后到期的事项，--overdue 只列已逾期的事项，二者只能选一个",
        )
    gate = gate_of(settings)
    moment = on or gate.store.app.clock()
    until = due_until(moment, within)
    items = gate.due(
        moment,
        until=until,
        overdue=overdue,
        station=station,
        officer=officer,
        leader=leader,
        purpose=purpose,
    )
    if as_json:
        print_json(items)
        return
    render_due(gate.store, items, moment, until, settings.lang)


def due_until(moment: datetime, within: int | None) -> datetime | None:
    """The end of the day ``within`` days on from ``moment``, Asia/Shanghai (the board's own
    horizon is the end of the day of --on); None without ``--within``."""
    if within is None:
        return None
    from datetime import timedelta

    from disputes.domain.clock import SHANGHAI

    last = (moment + timedelta(days=within)).astimezone(SHANGHAI)
    midnight = datetime(last.year, last.month, last.day, tzinfo=SHANGHAI)
    return midnight + timedelta(days=1, microseconds=-1)


def render_due(
    source: Any, items: list[dict[str, Any]], moment: datetime, until: datetime | None, lang: str
) -> None:
    """The due board's table from ``due --json`` items; ``source`` names units and people
    (the store, or the server's ``/api/labels`` at the client)."""
    from disputes.domain.clock import local_text

    zh = lang == "zh"
    names = Names(source)
    late = sum(1 for item in items if item["overdue"])
    title = (
        f"到期事项（{local_text(moment)}）：{len(items)} 项，逾期 {late} 项"
        if zh
        else f"due at {local_text(moment)}: {len(items)} items, {late} overdue"
    )
    if until is not None:
        title += (
            f"；含 {local_text(until)[:10]} 前到期的事项"
            if zh
            else f"; with what falls due by {local_text(until)[:10]}"
        )
    headers = (
        ["督办", "案件编号", "事项", "到期时间", "逾期天数", "等级", "派出所", "责任人", "责任领导"]
        if zh
        else [
            "supervision",
            "case",
            "item",
            "due",
            "days late",
            "grade",
            "station",
            "officer",
            "leader",
        ]
    )
    print_table(
        title,
        headers,
        (
            (
                label(SUPERVISION, item.get("supervision"), lang),
                item["case_no"],
                label(KIND, item["kind"], lang)
                + (f" #{item['referral']}" if item.get("referral") is not None else ""),
                local_text(datetime.fromisoformat(item["due_at"])),
                item.get("overdue_days", "") if item["overdue"] else "",
                label(GRADE, item["grade"], lang),
                names.unit(item.get("station")),
                names.person(item.get("officer")),
                names.person(item.get("leader")),
            )
            for item in items
        ),
    )


def register(group: click.Group) -> None:
    group.add_command(due)
