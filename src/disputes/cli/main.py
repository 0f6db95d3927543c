"""``disputes`` — the root group. It opens the store once (lazily) and passes it to the verbs in
the click context, and maps domain errors to the exit codes of product.md §5 in one place:
0 done · 1 refused by a rule · 2 invalid input or usage · 3 not found · 4 concurrent modification.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import click

from disputes import __version__

if TYPE_CHECKING:
    from disputes.store import Store


@dataclass
class Settings:
    """What the root group was told: store, actor, language. ``store()`` opens it once."""

    db: str | None = None
    actor: str | None = None
    lang: str = "zh"
    _store: Store | None = field(default=None, repr=False)

    def store(self) -> Store:
        if self._store is None:
            from disputes.store import Store

            self._store = Store(self.db)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


class DisputesGroup(click.Group):
    """Maps :class:`~disputes.domain.errors.DisputesError` to its exit code and message, and a
    failure of the store itself (eventsourcing's PersistenceError, sqlite3 or psycopg errors) to
    :class:`~disputes.domain.errors.StoreError` (exit 2) naming the store and the cause."""

    def invoke(self, ctx: click.Context) -> Any:
        from disputes.domain.errors import DisputesError

        try:
            return super().invoke(ctx)
        except DisputesError as exc:
            click.echo(f"error: {exc.message}", err=True)
            sys.exit(exc.exit_code)
        except Exception as exc:
            # The store failed under a verb (disk full, read-only, server gone): exit 2 with the
            # store and the cause, not a traceback. The failed transaction changed nothing.
            from disputes.store import redact, resolve_db
            from disputes.store_failures import is_store_failure, store_failure

            if not is_store_failure(exc):
                raise
            settings = ctx.find_object(Settings)
            location = redact(resolve_db(settings.db if settings else None))
            error = store_failure(exc, location)
            click.echo(f"error: {error.message}", err=True)
            sys.exit(error.exit_code)


@click.group(cls=DisputesGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    envvar="DISPUTES_DB",
    metavar="PATH",
    help="Store: an SQLite file path [env DISPUTES_DB; "
    "default ~/.local/share/disputes/disputes.db].",
)
@click.option(
    "--as",
    "actor",
    envvar="DISPUTES_ACTOR",
    metavar="PERSON",
    help="Who is acting: a roster person id [env DISPUTES_ACTOR].",
)
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default="zh",
    envvar="DISPUTES_LANG",
    show_default=True,
    help="Language of labels in tables and histories.",
)
@click.version_option(__version__, prog_name="disputes")
@click.pass_context
def cli(ctx: click.Context, /, db: str | None, actor: str | None, lang: str) -> None:
    """disputes — find and settle serious village disputes before they turn violent.

    一村一警 · 红黄蓝三色评估调处 · 不化解不销案. Every change is recorded as an event that is
    never altered; the ledger (台账) and audit trail are built from the events.
    """
    settings = Settings(db=db, actor=actor, lang=lang)
    ctx.obj = settings
    ctx.call_on_close(settings.close)


def main() -> None:
    """Console-script entry point."""
    from disputes.cli import audit, due, journal, reads, roster, writes

    writes.register(cli)
    reads.register(cli)
    roster.register(cli)
    journal.register(cli)
    audit.register(cli)
    due.register(cli)
    cli(prog_name="disputes")
