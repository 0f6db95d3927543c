"""Options shared by several verbs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from disputes.cli.main import Settings

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
