"""``disputes login``, ``logout``, ``whoami``: the CLI's session with the server.

The token is kept in ``<config dir>/session.json`` (``$XDG_CONFIG_HOME/disputes``, else
``~/.config/disputes``), readable by its owner only (mode 0600), beside the server it is for.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from disputes.cli.common import json_option, settings_of
from disputes.cli.render import print_json
from disputes.domain.errors import DisputesError

SESSION_FILE = "session.json"


def config_dir() -> Path:
    """``$XDG_CONFIG_HOME/disputes``, else ``~/.config/disputes``."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "disputes"


@dataclass(frozen=True)
class SavedSession:
    server: str
    token: str
    person: str
    expires_at: str | None


class NotSignedIn(DisputesError):
    """No saved session for this server (exit 2)."""

    def __init__(self, server: str) -> None:
        super().__init__(
            f"not signed in to {server}: run `disputes login` first",
            zh=f"尚未登录 {server}：请先运行 `disputes login`",
        )


def session_path() -> Path:
    return config_dir() / SESSION_FILE


def load_session(server: str) -> SavedSession | None:
    """The saved session for ``server``, or None."""
    path = session_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("server") != server.rstrip("/"):
        return None
    try:
        return SavedSession(
            server=str(data["server"]),
            token=str(data["token"]),
            person=str(data["person"]),
            expires_at=data.get("expires_at"),
        )
    except KeyError:
        return None


def save_session(saved: SavedSession) -> Path:
    """Write the session file, mode 0600 (its folder 0700), replacing it whole."""
    folder = config_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / SESSION_FILE
    temporary = folder / f".{SESSION_FILE}.{os.getpid()}"
    text = json.dumps(saved.__dict__, ensure_ascii=False)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
        os.write(descriptor, text.encode("utf-8"))
    finally:
        os.close(descriptor)
    temporary.replace(path)
    return path


def forget_session() -> None:
    session_path().unlink(missing_ok=True)


def require_server(ctx: click.Context, verb: str) -> str:
    """The server URL; InvalidInput when the CLI is in local mode."""
    from disputes.domain.errors import InvalidInput

    server = settings_of(ctx).server
    if not server:
        raise InvalidInput(
            verb,
            f"`{verb}` talks to a server: set DISPUTES_SERVER or give --server URL "
            "(in local mode, --as names who acts)",
        )
    return server


@click.command("login")
@click.option("--person", metavar="PERSON", help="Your roster person id [prompted].")
@click.option("--code", metavar="CODE", help="The 6-digit code of your authenticator [prompted].")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)
@json_option
@click.pass_context
def login(
    ctx: click.Context,
    /,
    person: str | None,
    code: str | None,
    password_stdin: bool,
    as_json: bool,
) -> None:
    """Sign in to the server (password and the code of your authenticator); the session is
    kept in your config folder (mode 0600) until `logout` or its expiry."""
    from disputes.cli.client import RemoteGate

    server = require_server(ctx, "login")
    zh = settings_of(ctx).lang == "zh"
    if person is None:
        person = click.prompt("人员编号" if zh else "Person id")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("密码" if zh else "Password", hide_input=True)
    if code is None:
        code = click.prompt("动态验证码" if zh else "Authenticator code")
    remote = RemoteGate(server, None)
    try:
        answer = remote.sign_in(person.strip(), password, code.strip())
    finally:
        remote.close()
    saved = SavedSession(
        server=server.rstrip("/"),
        token=str(answer["token"]),
        person=str(answer["person"]),
        expires_at=answer.get("expires_at"),
    )
    save_session(saved)
    shown = {key: value for key, value in answer.items() if key != "token"}
    if as_json:
        print_json(shown)
        return
    name, role = answer.get("name"), answer.get("role")
    if zh:
        click.echo(f"已登录：{saved.person} {name}（{role}），有效期至 {saved.expires_at}")
    else:
        click.echo(f"signed in: {saved.person} {name} ({role}), until {saved.expires_at}")


@click.command("logout")
@click.pass_context
def logout(ctx: click.Context, /) -> None:
    """Sign out: the server ends the session and the saved token is deleted."""
    server = require_server(ctx, "logout")
    zh = settings_of(ctx).lang == "zh"
    saved = load_session(server)
    if saved is not None:
        remote = settings_of(ctx).remote()
        with contextlib.suppress(DisputesError):  # expired or revoked: nothing left to end
            remote.sign_out()
    forget_session()
    click.echo("已退出登录" if zh else "signed out")


@click.command("whoami")
@json_option
@click.pass_context
def whoami(ctx: click.Context, /, as_json: bool) -> None:
    """Who you are signed in as, on which server, until when."""
    server = require_server(ctx, "whoami")
    answer: dict[str, Any] = settings_of(ctx).remote().whoami()
    if as_json:
        print_json({**answer, "server": server})
        return
    zh = settings_of(ctx).lang == "zh"
    unit = f"{answer.get('unit')} {answer.get('unit_name') or ''}".strip()
    if zh:
        click.echo(
            f"{answer['person']} {answer.get('name')}（{answer.get('role')}，{unit}）"
            f"@ {server}，有效期至 {answer.get('expires_at')}"
            f"（闲置至 {answer.get('idle_until')} 自动退出）"
        )
    else:
        click.echo(
            f"{answer['person']} {answer.get('name')} ({answer.get('role')}, {unit}) "
            f"@ {server}, until {answer.get('expires_at')} "
            f"(or {answer.get('idle_until')} if idle)"
        )


def register(group: click.Group) -> None:
    for command in (login, logout, whoami):
        group.add_command(command)
