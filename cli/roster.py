"""``disputes roster load|list|show|add|transfer|depart|move-village`` — the jurisdiction units
and the people who act on cases, and how they change over time (issue 11 §1): each change takes
effect at ``--at`` (Asia/Shanghai when given without an offset; default now), and jurisdiction
is judged with the roster as it stood at a command's occurred time."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import click

from disputes.cli.common import apply_overrides, json_option, store_options
from disputes.cli.render import print_json, print_table


@click.group("roster")
def roster() -> None:
    """The roster: units (district → station → village → grid, partner units) and people."""


@roster.command("load")
@click.option(
    "--units",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="units.csv: code,name,kind,parent[,officer] (officer: a sector's community officer)",
)
@click.option(
    "--people",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="people.csv: id,name,role,unit",
)
@click.option(
    "--at",
    "at",
    metavar="TIME",
    help="When this roster takes effect (Asia/Shanghai); default: the first roster from the "
    "beginning, a later one from now.",
)
@json_option
@store_options
@click.pass_context
def load(
    ctx: click.Context, /, units: Path, people: Path, at: str | None, as_json: bool, **kwargs: str
) -> None:
    """Validate and record the roster (nothing is recorded if it is unchanged or invalid).

    A store that does not exist yet is created: this is how a store usually starts."""
    from disputes.domain.roster import Roster
    from disputes.storage.store import Access

    settings = apply_overrides(ctx, kwargs)
    loaded = Roster.from_csv(_read(units), _read(people))  # an invalid file creates nothing
    store = settings.store(Access.CREATE)
    store.require_writable()
    changed = store.app.load_roster(loaded, actor=settings.actor, at=_time(at))
    summary = {"units": len(loaded.units), "people": len(loaded.people), "recorded": changed}
    if as_json:
        print_json(summary)
    elif settings.lang == "zh":
        click.echo(
            f"已记录花名册：单位 {summary['units']} 个，人员 {summary['people']} 人"
            if changed
            else "花名册没有变化，未记录任何内容"
        )
    elif changed:
        click.echo(f"roster recorded: {summary['units']} units, {summary['people']} people")
    else:
        click.echo("roster unchanged: nothing recorded")


@roster.command("list")
@click.option("--kind", type=click.Choice(["units", "people"]), default="people", show_default=True)
@json_option
@store_options
@click.pass_context
def list_(ctx: click.Context, /, kind: str, as_json: bool, **kwargs: str) -> None:
    """List the people (default) or the units of the roster in force."""
    settings = apply_overrides(ctx, kwargs)
    _print_roster(settings.store().app.roster, kind, as_json)


@roster.command("show")
@click.option("--kind", type=click.Choice(["units", "people"]), default="people", show_default=True)
@click.option("--at", "at", metavar="TIME", help="The roster as it stood then (default: now).")
@json_option
@store_options
@click.pass_context
def show(ctx: click.Context, /, kind: str, at: str | None, as_json: bool, **kwargs: str) -> None:
    """The people (default) or units of the roster as it stood at ``--at`` (Asia/Shanghai)."""
    settings = apply_overrides(ctx, kwargs)
    app = settings.store().app
    when = _time(at)
    _print_roster(app.roster if when is None else app.roster_at(when), kind, as_json)


def _print_roster(current: Any, kind: str, as_json: bool) -> None:
    if kind == "people":
        rows = [p.model_dump(mode="json") for p in current.people.values()]
        headers = ["id", "name", "role", "unit"]
    else:
        rows = [u.model_dump(mode="json") for u in current.units.values()]
        headers = ["code", "name", "kind", "parent", "officer"]
    if as_json:
        print_json(rows)
        return
    print_table(f"{kind} ({len(rows)})", headers, ([r[h] for h in headers] for r in rows))


_AT = click.option(
    "--at", "at", metavar="TIME", help="When it takes effect (Asia/Shanghai; default now)."
)


@roster.command("add")
@click.argument("person")
@click.option("--name", required=True, help="The person's name.")
@click.option("--role", required=True, help="Roster role (leader, community-police, …).")
@click.option("--unit", required=True, help="Unit code (station, village, grid, district).")
@_AT
@json_option
@store_options
@click.pass_context
def add(
    ctx: click.Context,
    /,
    person: str,
    name: str,
    role: str,
    unit: str,
    at: str | None,
    as_json: bool,
    **kwargs: str,
) -> None:
    """A person joins the roster (PersonAdded)."""
    row = {"id": person, "name": name, "role": role, "unit": unit}
    _change(ctx, kwargs, "person-added", {"person": row}, at, as_json)


@roster.command("transfer")
@click.argument("person")
@click.option("--unit", required=True, help="The person's new unit.")
@_AT
@json_option
@store_options
@click.pass_context
def transfer(
    ctx: click.Context, /, person: str, unit: str, at: str | None, as_json: bool, **kwargs: str
) -> None:
    """A person moves to another unit (PersonTransferred); from then on their jurisdiction is
    the new unit's. Their open cases stay theirs until handed over (``disputes handover``)."""
    _change(ctx, kwargs, "person-transferred", {"person_id": person, "unit": unit}, at, as_json)


@roster.command("depart")
@click.argument("person")
@_AT
@json_option
@store_options
@click.pass_context
def depart(
    ctx: click.Context, /, person: str, at: str | None, as_json: bool, **kwargs: str
) -> None:
    """A person leaves the roster (PersonDeparted); from then on they act on no case. List and
    hand over their open cases with ``disputes handover``."""
    _change(ctx, kwargs, "person-departed", {"person_id": person}, at, as_json)


@roster.command("move-village")
@click.argument("village")
@click.option("--to", "parent", required=True, help="The new station or sector.")
@_AT
@json_option
@store_options
@click.pass_context
def move_village(
    ctx: click.Context, /, village: str, parent: str, at: str | None, as_json: bool, **kwargs: str
) -> None:
    """A village moves to another station or sector (VillageMoved). Cases already reported stay
    with the station that owns them (``transfer`` moves one)."""
    _change(ctx, kwargs, "village-moved", {"village": village, "parent": parent}, at, as_json)


def _change(
    ctx: click.Context,
    kwargs: dict[str, str],
    kind: str,
    data: dict[str, Any],
    at: str | None,
    as_json: bool,
) -> None:
    from disputes.domain.clock import local_iso, local_text
    from disputes.domain.roster import RosterChange

    settings = apply_overrides(ctx, kwargs)
    store = settings.store()
    store.require_writable()
    app = store.app
    when = _time(at) or app.clock()
    app.change_roster(RosterChange(when, kind, data), actor=settings.actor)
    summary = {"change": kind, **data, "effective_at": local_iso(when)}
    if kind == "person-departed":
        # issue 11 §1: a departing person's account is locked with the departure (sign-in also
        # refuses anyone the roster no longer lists, should this second save not happen).
        from disputes.gate.accounts import Accounts

        summary["account_locked"] = Accounts(store).departed(data["person_id"], settings.actor)
        summary["open_cases"] = _open_cases(store, data["person_id"])
    if as_json:
        print_json(summary)
        return
    if settings.lang == "zh":
        click.echo(f"已记录花名册变动（{kind}），自 {local_text(when)} 起生效")
    else:
        click.echo(f"roster: {kind} recorded, in force from {local_iso(when)}")
    if summary.get("open_cases"):
        _warn_open_cases(data["person_id"], summary["open_cases"], settings.lang)


def _open_cases(store: Any, person: str) -> list[dict[str, str]]:
    """The open cases ``person`` holds as responsible leader or officer (what ``handover``
    hands over), by case number."""
    return [
        {
            "case_no": row["case_no"],
            "status": row["status"],
            "as": "leader" if row["leader"] == person else "officer",
        }
        for row in sorted(store.ledger(), key=lambda r: r["case_no"])
        if row["status"] != "closed" and person in (row["leader"], row["officer"])
    ]


def _warn_open_cases(person: str, cases: list[dict[str, str]], lang: str) -> None:
    """Say which open cases a departed person still holds, and how to hand them over."""
    to = f"disputes handover {person} --to PERSON"
    transfer = f"disputes handover {person} --station UNIT --leader PERSON --officer PERSON"
    if lang == "zh":
        duty = {"leader": "负责领导", "officer": "责任民警"}
        click.echo(f"注意：{person} 仍负责 {len(cases)} 件未结案件，请交接：")
        for case in cases:
            click.echo(f"  {case['case_no']}（{duty[case['as']]}，{case['status']}）")
        click.echo(f"所内改派：{to}；移交他所：{transfer}（先加 --dry-run 可预览）")
    else:
        click.echo(f"warning: {person} still holds {len(cases)} open case(s); hand them over:")
        for case in cases:
            click.echo(f"  {case['case_no']} (as {case['as']}, {case['status']})")
        click.echo(f"within the station: {to}; to another station: {transfer} (--dry-run first)")


def _time(text: str | None) -> datetime | None:
    from disputes.domain.clock import parse_time
    from disputes.domain.errors import InvalidInput

    if text is None:
        return None
    try:
        return parse_time(text)
    except ValueError as exc:
        raise InvalidInput("--at", str(exc)) from None


def _read(path: Path) -> str:
    from disputes.domain.errors import InvalidInput

    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(str(path), f"cannot read as UTF-8 CSV: {exc}") from None


def register(group: click.Group) -> None:
    group.add_command(roster)
