"""Options shared by several verbs."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from disputes.cli.main import Settings

if TYPE_CHECKING:
    from disputes.gate.gate import Gate

F = TypeVar("F", bound=Callable[..., Any])


def settings_of(ctx: click.Context) -> Settings:
    obj = ctx.find_object(Settings)
    assert obj is not None
    return obj


def store_options(func: F) -> F:
    """``--db``/``--as`` accepted after the verb too (they override the root group's)."""
    func = click.option("--db", "db_here", metavar="PATH", help="Store (overrides the root --db).")(
        func
    )
    return click.option(
        "--as", "actor_here", metavar="PERSON", help="Acting person (overrides the root --as)."
    )(func)


def apply_overrides(ctx: click.Context, /, kwargs: dict[str, Any]) -> Settings:
    settings = settings_of(ctx)
    db = kwargs.pop("db_here", None)
    actor = kwargs.pop("actor_here", None)
    if db:
        settings.close()
        settings.db = db
    if actor:
        settings.actor = actor
    return settings


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def os_user() -> str | None:
    """The operating-system account running the CLI (None when it cannot be told)."""
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no USER/LOGNAME and no passwd entry (a bare container)
        return None


def gate_of(settings: Settings) -> Gate:
    """The store through the gate, in local mode (docs/trust.md §3): ``--as`` names the
    person (reads scoped and masked, not logged), without it the trusted desk reads all;
    the OS user is recorded beside the actor of each command."""
    from disputes.gate.gate import Gate, Viewer

    return Gate(settings.store(), Viewer(person=settings.actor, os_user=os_user()))


purpose_option = click.option(
    "--purpose",
    metavar="CODE",
    help="Why you read it (a purpose code of the policy's [access] section: casework, "
    "supervision, audit, statistics…); needed beyond your own station, and by auditors to see "
    "names.",
)
