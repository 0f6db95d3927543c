"""``disputes`` — the root group. It opens the store once (lazily) and passes it to the verbs in
the click context, and maps domain errors to the exit codes of product.md §5 in one place:
0 done · 1 refused by a rule · 2 invalid input or usage · 3 not found · 4 concurrent modification.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from gettext import gettext as _
from typing import TYPE_CHECKING, Any

import click

from disputes.cli.verbs import VERBS, short_help

if TYPE_CHECKING:
    from collections.abc import Sequence

    from disputes.cli.client import RemoteGate
    from disputes.storage.store import Access, Store


@dataclass
class Settings:
    """What the root group was told: store, actor, language. ``store()`` opens it once."""

    db: str | None = None
    actor: str | None = None
    lang: str = "zh"
    server: str | None = None
    """The server's URL (``--server``/``DISPUTES_SERVER``): the CLI is its client."""
    purpose: str | None = None
    _store: Store | None = field(default=None, repr=False)
    _remote: RemoteGate | None = field(default=None, repr=False)

    def store(self, access: Access | None = None) -> Store:
        """The store, opened once. ``access`` (default ``Access.OPEN``: an existing store only,
        read-only when it cannot be written) is given by the verbs that create a store (``init``,
        ``roster load``); a read-only store's notes go to stderr."""
        if self._store is None:
            from disputes.storage.store import Access, Store

            self._store = Store(self.db, access=access or Access.OPEN, note=_note)
        return self._store

    def remote(self) -> RemoteGate:
        """The server's gate as the signed-in person (InvalidInput when not signed in)."""
        if self._remote is None:
            from disputes.cli.client import RemoteGate
            from disputes.cli.session import NotSignedIn, load_session

            assert self.server is not None
            saved = load_session(self.server)
            if saved is None:
                raise NotSignedIn(self.server)
            self._remote = RemoteGate(self.server, saved.token, purpose=self.purpose)
        return self._remote

    def close(self) -> None:
        if self._remote is not None:
            self._remote.close()
            self._remote = None
        if self._store is not None:
            self._store.close()
            self._store = None


def _note(text: str) -> None:
    click.echo(f"note: {text}", err=True)


VERB_MODULES = tuple(dict.fromkeys(verb.module for verb in VERBS.values()))
"""The modules of ``disputes.cli`` whose ``register(group)`` adds their verbs to the root group
(from :data:`disputes.cli.verbs.VERBS`)."""


USAGE_ARGS = "disputes.usage_args"
"""``ctx.meta`` key: the root's command line, for the language of usage errors."""


class DisputesGroup(click.Group):
    """The root group. A verb's module is imported, and its verbs registered, when the verb is
    looked up (:data:`~disputes.cli.verbs.VERBS` says which module; ``--help`` lists the verbs
    from that index without importing any), so a command loads only what its verb needs.

    Maps :class:`~disputes.domain.errors.DisputesError` to its exit code and message, and a
    failure of the store itself (eventsourcing's PersistenceError, sqlite3 or psycopg errors) to
    :class:`~disputes.domain.errors.StoreError` (exit 2) naming the store and the cause."""

    def _load(self, module: str) -> None:
        """Register the verbs of ``disputes.cli.<module>`` (once), each with ``--lang``."""
        loaded: set[str] = self.__dict__.setdefault("_loaded", set())
        if module in loaded:
            return
        loaded.add(module)
        from importlib import import_module

        from disputes.cli.common import add_lang_option

        before = set(self.commands)
        import_module(f"disputes.cli.{module}").register(self)
        for name, command in self.commands.items():
            if name not in before:
                add_lang_option(command)

    def _register_verbs(self) -> None:
        """Register every verb (the server's client mode lists them as their client versions)."""
        for module in VERB_MODULES:
            self._load(module)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The verb; with a server (``--server``/``DISPUTES_SERVER``), its client version
        (:mod:`disputes.cli.remote`)."""
        verb = VERBS.get(cmd_name)
        if verb is not None:
            self._load(verb.module)
        command = super().get_command(ctx, cmd_name)
        if ctx.params.get("server"):
            from disputes.cli.remote import client_version

            return client_version(cmd_name, command)
        return command

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*VERBS, *self.commands})

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The verbs and their short help, from the index (in client mode, from the client
        versions of the verbs, as click lists them)."""
        if ctx.params.get("server") or set(self.commands) - set(VERBS):
            super().format_commands(ctx, formatter)
            return
        shown = [(name, verb) for name, verb in sorted(VERBS.items()) if not verb.hidden]
        limit = formatter.width - 6 - max(len(name) for name, _ in shown)
        rows = [(name, short_help(verb, limit)) for name, verb in shown]
        with formatter.section(_("Commands")):
            formatter.write_dl(rows)

    def main(self, args: Sequence[str] | None = None, *rest: Any, **extra: Any) -> Any:
        """Refuse, before any verb runs, a command line or a DISPUTES_* setting that is not
        text: bytes that are not UTF-8, escape sequences, direction overrides (exit 2)."""
        from disputes.cli.guards import argv_problem

        problem = argv_problem(list(sys.argv[1:] if args is None else args))
        if problem:
            from disputes.cli.exits import INVALID

            click.echo(f"error: {problem}", err=True)
            sys.exit(INVALID)
        return super().main(args, *rest, **extra)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """The root's options; click's usage errors (here and under every verb, see
        :meth:`invoke`) in the command line's language (:mod:`disputes.cli.usage`)."""
        from disputes.cli.usage import localise, usage_lang

        given = ctx.meta[USAGE_ARGS] = list(args)  # click's parser consumes ``args``
        try:
            return super().parse_args(ctx, args)
        except click.ClickException as exc:
            raise localise(exc, given, usage_lang(given)) from None

    def invoke(self, ctx: click.Context) -> Any:
        from disputes.cli.exits import INVALID, exit_code
        from disputes.cli.guards import printable
        from disputes.cli.usage import localise, usage_lang

        try:
            return super().invoke(ctx)
        except (click.UsageError, click.FileError) as exc:
            args = ctx.meta.get(USAGE_ARGS, [])
            raise localise(exc, args, usage_lang(args), ctx) from None
        except Exception as exc:
            # The errors are imported only when one comes (a quick read needs none of them).
            from disputes.domain.errors import DisputesError, StoreError

            settings = ctx.find_object(Settings)
            lang = settings.lang if settings else "zh"
            if isinstance(exc, DisputesError):
                click.echo(f"error: {printable(exc.text(lang))}", err=True)
                sys.exit(exit_code(exc))
            if isinstance(exc, OSError):
                if exc.filename is None:
                    raise
                # A file the user named cannot be used (a name too long, a file where a folder
                # should be, no permission): exit 2 naming it, not a traceback.
                click.echo(f"error: {printable(str(exc.filename))}: {exc.strerror}", err=True)
                sys.exit(INVALID)
            # The store failed under a verb (disk full, read-only, server gone): exit 2 with the
            # store and the cause, not a traceback. The failed transaction changed nothing.
            from disputes.storage.failures import is_store_failure, store_failure
            from disputes.storage.store import redact, resolve_db

            if not is_store_failure(exc):
                raise
            try:
                location = redact(resolve_db(settings.db if settings else None))
            except StoreError:
                location = "(unnamed)"
            error = store_failure(exc, location)
            click.echo(f"error: {printable(error.text(lang))}", err=True)
            sys.exit(exit_code(error))


@click.group(cls=DisputesGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    envvar="DISPUTES_DB",
    metavar="PATH",
    help="Store: an SQLite file path or a postgresql:// URL [env DISPUTES_DB; "
    "default ~/.local/share/disputes/disputes.db]. A new store needs `init`, `roster load` "
    "or `demo`.",
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
@click.option(
    "--server",
    envvar="DISPUTES_SERVER",
    metavar="URL",
    help="The district's server (https://…): the CLI is its client; sign in with `login` "
    "[env DISPUTES_SERVER].",
)
@click.version_option(package_name="disputes", prog_name="disputes")
@click.pass_context
def cli(
    ctx: click.Context, /, db: str | None, actor: str | None, lang: str, server: str | None
) -> None:
    """disputes — find and settle serious village disputes before they turn violent.

    一村一警 · 红黄蓝三色评估调处 · 不化解不销案. Every change is recorded as an event that is
    never altered; the ledger (台账) and audit trail are built from the events.
    """
    settings = Settings(db=db, actor=actor, lang=lang, server=server or None)
    ctx.obj = settings
    ctx.call_on_close(settings.close)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="disputes")
