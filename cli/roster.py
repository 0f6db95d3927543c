"""``disputes roster load|list`` — the jurisdiction units and the people who act on cases."""

from __future__ import annotations

from pathlib import Path

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
    help="units.csv: code,name,kind,parent",
)
@click.option(
    "--people",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="people.csv: id,name,role,unit",
)
@json_option
@store_options
@click.pass_context
def load(ctx: click.Context, /, units: Path, people: Path, as_json: bool, **kwargs: str) -> None:
    """Validate and record the roster (nothing is recorded if it is unchanged or invalid).

    A store that does not exist yet is created: this is how a store usually starts."""
    from disputes.domain.roster import Roster
    from disputes.storage.store import Access

    settings = apply_overrides(ctx, kwargs)
    loaded = Roster.from_csv(_read(units), _read(people))  # an invalid file creates nothing
    store = settings.store(Access.CREATE)
    store.require_writable()
    changed = store.app.load_roster(loaded, actor=settings.actor)
    summary = {"units": len(loaded.units), "people": len(loaded.people), "recorded": changed}
    if as_json:
        print_json(summary)
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
    current = settings.store().app.roster
    if kind == "people":
        rows = [p.model_dump(mode="json") for p in current.people.values()]
        headers = ["id", "name", "role", "unit"]
    else:
        rows = [u.model_dump(mode="json") for u in current.units.values()]
        headers = ["code", "name", "kind", "parent"]
    if as_json:
        print_json(rows)
        return
    print_table(f"{kind} ({len(rows)})", headers, ([r[h] for h in headers] for r in rows))


def _read(path: Path) -> str:
    from disputes.domain.errors import InvalidInput

    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(str(path), f"cannot read as UTF-8 CSV: {exc}") from None


def register(group: click.Group) -> None:
    group.add_command(roster)
