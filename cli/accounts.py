"""``disputes accounts create|reset|lock|unlock|list`` — accounts for signing in to the server
(issue 11, docs/trust.md §2), administered in local mode by a system administrator (``--as``).

``create`` and ``reset`` print the person's new password (and, when enrolled, the TOTP secret and
its ``otpauth://`` URI) this once: nothing else ever prints them, and the store keeps only a hash
and an encrypted secret. Hand them to the person in person.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from disputes.cli.common import apply_overrides, json_option, store_options
from disputes.cli.render import print_json, print_table

if TYPE_CHECKING:
    from disputes.cli.main import Settings
    from disputes.gate.accounts import Accounts

STATUS = {"active": ("正常", "active"), "locked": ("已锁定", "locked")}
REASON = {
    "admin": ("管理员锁定", "by an administrator"),
    "failed-attempts": ("登录失败次数过多", "too many failed sign-ins"),
    "departed": ("人员离职/调离", "the person left"),
}
HEADERS = {
    "zh": ["人员", "姓名", "角色", "状态", "锁定原因", "连续失败", "最近登录", "开设时间", "会话"],
    "en": [
        "person",
        "name",
        "role",
        "status",
        "lock reason",
        "failed",
        "last sign-in",
        "created",
        "sessions",
    ],
}


@click.group("accounts")
def accounts() -> None:
    """Accounts for signing in to the server (a system administrator's, with --as)."""


def _open(settings: Settings) -> tuple[Accounts, str]:
    """The accounts of the store and the acting person (``--as``, required)."""
    from disputes.domain.errors import InvalidInput
    from disputes.gate.accounts import Accounts

    if not settings.actor:
        raise InvalidInput("--as", "name the system administrator who acts: --as PERSON")
    return Accounts(settings.store()), settings.actor


@accounts.command("create")
@click.argument("person")
@json_option
@store_options
@click.pass_context
def create(ctx: click.Context, /, person: str, as_json: bool, **kwargs: str) -> None:
    """Open an account for roster person PERSON; prints the initial password and the second
    factor (TOTP) once."""
    settings = apply_overrides(ctx, kwargs)
    gate, actor = _open(settings)
    _issued(gate.create(actor, person).as_json(), settings.lang, as_json, created=True)


@accounts.command("reset")
@click.argument("person")
@click.option(
    "--new-code",
    is_flag=True,
    help="Also enrol a new second factor (TOTP), e.g. for a lost phone.",
)
@json_option
@store_options
@click.pass_context
def reset(ctx: click.Context, /, person: str, new_code: bool, as_json: bool, **kwargs: str) -> None:
    """Give PERSON a new password (printed once); their sessions end. A lock stays."""
    settings = apply_overrides(ctx, kwargs)
    gate, actor = _open(settings)
    answer = gate.reset(actor, person, new_code=new_code).as_json()
    _issued(answer, settings.lang, as_json, created=False)


@accounts.command("lock")
@click.argument("person")
@json_option
@store_options
@click.pass_context
def lock(ctx: click.Context, /, person: str, as_json: bool, **kwargs: str) -> None:
    """Lock PERSON's account; their sessions end."""
    settings = apply_overrides(ctx, kwargs)
    gate, actor = _open(settings)
    _row(gate.lock(actor, person).as_json(), settings.lang, as_json, "已锁定", "locked")


@accounts.command("unlock")
@click.argument("person")
@json_option
@store_options
@click.pass_context
def unlock(ctx: click.Context, /, person: str, as_json: bool, **kwargs: str) -> None:
    """Unlock PERSON's account (the count of failed sign-ins starts again)."""
    settings = apply_overrides(ctx, kwargs)
    gate, actor = _open(settings)
    _row(gate.unlock(actor, person).as_json(), settings.lang, as_json, "已解锁", "unlocked")


@accounts.command("list")
@click.argument("person", required=False)
@json_option
@store_options
@click.pass_context
def list_(ctx: click.Context, /, person: str | None, as_json: bool, **kwargs: str) -> None:
    """List the accounts (or PERSON's): status, failed sign-ins, last sign-in, live sessions.
    Never a password, a hash or a secret."""
    settings = apply_overrides(ctx, kwargs)
    gate, actor = _open(settings)
    rows = [row.as_json() for row in gate.list(actor, person)]
    if as_json:
        print_json(rows)
        return
    render_list(rows, settings.lang)


def render_list(rows: list[dict[str, Any]], lang: str) -> None:
    """The accounts table from ``accounts list --json`` rows (local mode and the client)."""
    title = f"账号（{len(rows)}）" if lang == "zh" else f"accounts ({len(rows)})"
    print_table(title, HEADERS[lang], (_cells(row, lang) for row in rows))


def _cells(row: dict[str, Any], lang: str) -> list[object]:
    from datetime import datetime

    from disputes.cli.render import label
    from disputes.domain.clock import local_text

    def when(text: str | None) -> str:
        return local_text(datetime.fromisoformat(text)) if text else ""

    return [
        row["person"],
        row.get("name") or ("（不在花名册）" if lang == "zh" else "(not on the roster)"),
        row.get("role") or "",
        label(STATUS, row.get("status"), lang),
        label(REASON, row["lock_reason"], lang) if row.get("lock_reason") else "",
        row.get("failed_attempts"),
        when(row.get("last_sign_in_at")),
        when(row.get("created_at")),
        row.get("sessions"),
    ]


def _row(row: dict[str, Any], lang: str, as_json: bool, zh: str, en: str) -> None:
    if as_json:
        print_json(row)
    else:
        render_changed(row, lang, zh, en)


def render_changed(row: dict[str, Any], lang: str, zh: str, en: str) -> None:
    """One account locked or unlocked (``zh``/``en`` say which), from its ``--json``."""
    if lang == "zh":
        click.echo(f"{row['person']} 的账号{zh}")
    else:
        click.echo(f"account of {row['person']} {en}")


def _issued(issued: dict[str, Any], lang: str, as_json: bool, *, created: bool) -> None:
    if as_json:
        print_json(issued)
        return
    render_issued(issued, lang, created=created)


def render_issued(issued: dict[str, Any], lang: str, *, created: bool) -> None:
    """The one-time output of create/reset (from its ``--json``): the only place a password or
    secret is printed."""
    zh = lang == "zh"
    if zh:
        done = "已开设账号" if created else "已重置密码"
        click.echo(f"{issued['person']}：{done}。以下内容只显示这一次，请当面交给本人：")
        click.echo(f"  初始密码：{issued['password']}")
    else:
        done = "account created" if created else "password reset"
        click.echo(f"{issued['person']}: {done}. Shown this once only — hand it to the person:")
        click.echo(f"  password: {issued['password']}")
    if issued.get("totp_secret") and issued.get("provisioning_uri"):
        if zh:
            click.echo(f"  动态验证码密钥（手动输入）：{issued['totp_secret']}")
            click.echo(f"  绑定链接（可生成二维码）：{issued['provisioning_uri']}")
        else:
            click.echo(f"  TOTP secret (manual entry): {issued['totp_secret']}")
            click.echo(f"  provisioning URI (QR code): {issued['provisioning_uri']}")


def register(group: click.Group) -> None:
    group.add_command(accounts)
