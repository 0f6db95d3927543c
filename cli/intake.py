"""``intake-export``: the reports of an intake-only instance as a signed journal (issue 14),
carried across to the main store and applied there with ``apply --signed FILE --key PUB``."""

from __future__ import annotations

from pathlib import Path

import click

from disputes.cli.common import apply_overrides, store_options


@click.command("intake-export")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The signed journal to write (a new file).",
)
@click.option(
    "--key",
    "key_path",
    metavar="FILE",
    help="The intake instance's Ed25519 signing key (`disputes keygen`); default "
    "$DISPUTES_SIGNING_KEY.",
)
@store_options
@click.pass_context
def intake_export(ctx: click.Context, /, out: Path, key_path: str | None, **kwargs: str) -> None:
    """Write every report of this (intake-only) store, with its photos, as a journal signed
    with the intake instance's key; the administrator of the main store applies it with
    `disputes apply --signed FILE --key INTAKE.pub`. Each line keeps its command id: a file
    applied twice, or overlapping an earlier one, records nothing twice.

    上报端导出：把本上报端收到的上报（含照片）写成签名日志，由管理员带到公安网主库导入。
    """
    from disputes.audit.checkpoint import load_private_key
    from disputes.audit.signed_journal import intake_lines, sign_journal, write_new
    from disputes.storage.store import redact

    settings = apply_overrides(ctx, kwargs)
    key = load_private_key(key_path)
    store = settings.store()
    lines, photos = intake_lines(store)
    write_new(out, sign_journal(key, lines, photos, source=redact(store.location)))
    zh = settings.lang == "zh"
    click.echo(
        f"已写入 {out}：{len(lines)} 件上报，{len(photos)} 张照片"
        if zh
        else f"wrote {out}: {len(lines)} reports, {len(photos)} photos"
    )


def register(group: click.Group) -> None:
    group.add_command(intake_export)
