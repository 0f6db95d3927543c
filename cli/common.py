"""Options shared by several verbs."""

from __future__ import annotations

import functools
import os
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


def _set_lang(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        settings_of(ctx).lang = value


def add_lang_option(command: click.Command) -> None:
    """``--lang`` accepted after the verb too, on every verb (and every verb of a group) that
    has none of its own: eager, so that even the verb's own option errors speak it."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            add_lang_option(sub)
        return
    if any("--lang" in getattr(param, "opts", ()) for param in command.params):
        return
    command.params.append(
        click.Option(
            ["--lang", "lang_here"],
            type=click.Choice(["zh", "en"]),
            expose_value=False,
            is_eager=True,
            callback=_set_lang,
            help="Language of messages and labels (overrides the root --lang).",
        )
    )


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
    """The operating-system account running the CLI (None when it cannot be told): what
    ``getpass.getuser()`` answers, asked once per environment (a journal asks per line)."""
    return _os_user(tuple(os.environ.get(name) for name in USER_VARIABLES), os.getuid())


USER_VARIABLES = ("LOGNAME", "USER", "LNAME", "USERNAME")
"""What ``getpass.getuser`` reads, in its order, before the password database."""


@functools.lru_cache(maxsize=8)
def _os_user(variables: tuple[str | None, ...], uid: int) -> str | None:  # noqa: ARG001 (cache keys)
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
