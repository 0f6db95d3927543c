"""The verbs as the server's client (docs/trust.md §4): with ``--server``/``DISPUTES_SERVER``
every write verb, ``apply``, ``show``, ``history``, ``ledger``, ``due``, ``verify``,
``access-log`` and ``accounts`` go through :class:`~disputes.cli.client.RemoteGate` as the
signed-in person; ``--as`` is refused; the store's administration (``init``, ``demo``,
``rebuild``, ``roster``, ``checkpoint``, ``export`` …) runs on the server host in local mode.

A client verb takes the options of the local verb (its click parameters are reused) and prints
what the local verb prints with ``--json``; without ``--json``, a plain table.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from disputes.cli.common import settings_of
from disputes.cli.render import print_json
from disputes.domain.errors import DisputesError, InvalidInput

SESSION_VERBS = frozenset({"login", "logout", "whoami"})
READS = frozenset({"show", "history", "ledger", "due", "verify"})
PURPOSE_READS = frozenset({"show", "history", "ledger"})
CLIENT_ONLY = frozenset({"access-log", "accounts", "apply"})
FIGURES = frozenset({"stats", "rewards", "informants", "rating"})
"""Figure reads (:mod:`disputes.cli.remote_figures`): the server counts, the client renders."""


def client_version(name: str, command: click.Command | None) -> click.Command | None:
    """The verb ``name`` as the server's client: ``command`` with a client callback, a
    client-only verb, or a verb that says it runs in local mode."""
    from disputes.domain.commands import COMMANDS

    if name in SESSION_VERBS:
        return command
    if name in CLIENT_ONLY:
        from disputes.cli.remote_verbs import CLIENT_VERBS

        return CLIENT_VERBS[name]
    if command is None:
        return None
    if name in COMMANDS:
        return _with_callback(command, _write_callback(name))
    if name in FIGURES:
        from disputes.cli.remote_figures import FIGURE_CALLBACKS

        return _with_callback(command, FIGURE_CALLBACKS[name])
    if name in READS:
        client = _with_callback(command, READ_CALLBACKS[name])
        if name in PURPOSE_READS and not any(p.name == "purpose" for p in client.params):
            client.params = [*client.params, _purpose_param()]
        return client
    return _local_only(name, command)


def _with_callback(command: click.Command, callback: Callable[..., Any]) -> click.Command:
    client = copy.copy(command)
    client.params = list(command.params)
    client.callback = callback
    return client


def _purpose_param() -> click.Option:
    return click.Option(
        ["--purpose"],
        metavar="CODE",
        help="Why you read (a purpose code of the policy: 办案, 督办, 审计 …); required for "
        "reads beyond your own station.",
    )


class LocalModeOnly(DisputesError):
    """A store-administration verb asked of the server's client (exit 2)."""

    def __init__(self, name: str) -> None:
        why, why_zh = LOCAL_WHY.get(name, ("", ""))
        super().__init__(
            f"`{name}` runs on the server host in local mode (--db, without "
            f"DISPUTES_SERVER/--server){why}; ask the server's administrator",
            zh=f"`{name}` 只能在服务器主机上以本地模式运行（使用 --db，"
            f"不设 DISPUTES_SERVER/--server）{why_zh}；请联系服务器管理员",
        )


LOCAL_WHY = {
    "report-month": (
        " (the monthly report reads the whole store's figures and writes its workbook on "
        "the host; its parts are in client mode: `stats`, `rating`, `informants`)",
        "（月报需读取整个库的统计并在主机上生成工作簿；客户端可分别使用 `stats`、`rating`、"
        "`informants`）",
    ),
}
"""Why a verb stays in local mode, where it is not store administration."""


def _local_only(name: str, command: click.Command) -> click.Command:
    def callback(**_: Any) -> None:
        raise LocalModeOnly(name)

    return click.Command(
        name,
        callback=callback,
        help=f"(local mode only) {command.get_short_help_str()}",
        params=[click.Argument(["rest"], nargs=-1, type=click.UNPROCESSED)],
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
        add_help_option=False,
    )


class AsRefused(DisputesError):
    """``--as`` (or DISPUTES_ACTOR, --db) given to the server's client."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"{what}: with a server the actor is the signed-in person; `--as`, DISPUTES_ACTOR "
            "and `--db` are for local mode (sign in as yourself with `disputes login`)",
            zh=f"{what}：连接服务器时，操作人就是已登录的本人；`--as`、DISPUTES_ACTOR 和 `--db` "
            "只用于本地模式（请用 `disputes login` 以本人身份登录）",
        )


def remote_gate(kwargs: dict[str, Any]) -> Any:
    """The remote gate, after refusing ``--as``/``--db`` (given here or to the root group)."""
    ctx = click.get_current_context()
    settings = settings_of(ctx)
    actor = kwargs.pop("actor_here", None) or settings.actor
    if actor:
        raise AsRefused(f"--as {actor}")
    if kwargs.pop("db_here", None):
        raise AsRefused("--db")
    purpose = kwargs.pop("purpose", None)
    if purpose:
        settings.purpose = purpose
    return settings.remote()


def current_lang() -> str:
    return settings_of(click.get_current_context()).lang


# -- writes ------------------------------------------------------------------------------------


def _write_callback(verb: str) -> Callable[..., None]:
    def callback(**kwargs: Any) -> None:
        from disputes.cli.session import load_session
        from disputes.domain.commands import build_command

        remote = remote_gate(kwargs)
        as_json = kwargs.pop("as_json")
        data: dict[str, Any] = {
            key: list(value) if isinstance(value, tuple) else value
            for key, value in kwargs.items()
            if value is not None and value != () and key not in ("at", "command_id")
        }
        saved = load_session(remote.server)
        data["actor"] = saved.person if saved else "-"
        if kwargs.get("at") is not None:
            data["at"] = kwargs["at"]
        if kwargs.get("command_id"):
            data["command_id"] = kwargs["command_id"]
        outcome = remote.execute(build_command(verb, data))
        if as_json:
            print_json(outcome.as_json())
            return
        from disputes.cli.writes import echo_outcome

        echo_outcome(outcome, current_lang())

    return callback


# -- reads ---------------------------------------------------------------------------------------


def parse_when(option: str, text: str | None) -> Any:
    from disputes.domain.clock import parse_time

    if text is None:
        return None
    try:
        return parse_time(text)
    except ValueError as exc:
        raise InvalidInput(option, str(exc)) from None


def _show(case: str, as_of: str | None, known_at: str | None, as_json: bool, **kw: Any) -> None:
    from disputes.cli.reads import render_show

    remote = remote_gate(kw)
    data = remote.show(
        case, as_of=parse_when("--as-of", as_of), known_at=parse_when("--known-at", known_at)
    )
    if as_json:
        print_json(data)
        return
    render_show(remote.labels(), data, current_lang())


def _history(case: str, as_json: bool, **kw: Any) -> None:
    from disputes.cli.reads import render_history

    remote = remote_gate(kw)
    rows = remote.history(case)
    if as_json:
        print_json(rows)
        return
    render_history(remote.labels(), case, rows, current_lang())


def _ledger(
    status: str | None,
    grade: str | None,
    station: str | None,
    category: str | None,
    fmt: str,
    out: Path | None,
    columns: str | None,
    as_of: str | None,
    known_at: str | None,
    as_json: bool,
    **kw: Any,
) -> None:
    """``ledger`` as local mode has it (the same checks and rendering), from the server's
    ``ledger --json`` rows."""
    from disputes.cli.reads import _columns, check_ledger_out, render_ledger

    picked = _columns(columns)
    check_ledger_out(fmt, out, as_json)
    remote = remote_gate(kw)
    rows = remote.ledger(
        status=status,
        grade=grade,
        station=station,
        category=category,
        as_of=parse_when("--as-of", as_of),
        known_at=parse_when("--known-at", known_at),
    )
    plain = as_json or fmt == "json"
    source = None if plain else remote.labels()
    render_ledger(source, rows, current_lang(), fmt, out, picked, as_json)


def _due(
    on_text: str | None,
    station: str | None,
    officer: str | None,
    leader: str | None,
    overdue: bool,
    within: int | None,
    as_json: bool,
    **kw: Any,
) -> None:
    from disputes.cli.due import due_until, render_due
    from disputes.domain.clock import system_clock

    if within is not None and overdue:
        raise InvalidInput(
            "--within",
            "--within lists what falls due later, --overdue only what is late: give one",
            zh="--within 列出今后到期的事项，--overdue 只列已逾期的事项，二者只能选一个",
        )
    remote = remote_gate(kw)
    on = parse_when("--on", on_text)
    moment = on or system_clock()
    until = due_until(moment, within)
    rows = remote.due(
        on=on, station=station, officer=officer, leader=leader, overdue=overdue, until=until
    )
    if as_json:
        print_json(rows)
        return
    render_due(remote.labels(), rows, moment, until, current_lang())


def _verify(key_path: str | None, witness_path: Path | None, as_json: bool, **kw: Any) -> None:
    if key_path or witness_path:
        raise InvalidInput(
            "--key" if key_path else "--witness",
            "a key or witness file is checked on the server host in local mode",
        )
    report = remote_gate(kw).verify()
    if as_json:
        print_json(report)
    elif report.get("intact"):
        click.echo(
            f"intact: {report.get('events')} events, {report.get('checkpoints')} checkpoints"
        )
    else:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    ctx = click.get_current_context()
    ctx.exit(0 if report.get("intact") else 1)


READ_CALLBACKS: dict[str, Callable[..., None]] = {
    "show": _show,
    "history": _history,
    "ledger": _ledger,
    "due": _due,
    "verify": _verify,
}
