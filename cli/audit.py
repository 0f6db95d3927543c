"""For auditors: ``verify``, ``keygen``, ``checkpoint``, ``checkpoints``, ``export --dossier``,
``verify-dossier`` and ``policy show``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from disputes.cli.common import apply_overrides, gate_of, json_option, store_options
from disputes.cli.render import print_json, print_table


@click.command("verify")
@click.option(
    "--key",
    "key_path",
    metavar="PUBLIC_KEY",
    help="Also require every checkpoint to be signed by this public key.",
)
@click.option(
    "--witness",
    "witness_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A witness file kept outside the store (`checkpoint --witness`): fail on any rewrite "
    "or rollback behind a head it holds.",
)
@json_option
@store_options
@click.pass_context
def verify(
    ctx: click.Context,
    /,
    key_path: str | None,
    witness_path: Path | None,
    as_json: bool,
    **kwargs: str,
) -> None:
    """Re-read the whole log, recompute every hash chain, check every checkpoint (and the
    heads of a witness file), every snapshot, and every view table against a replay.

    Exit 0 only when all is intact; 1 naming every modified, deleted, inserted or reordered
    event (case, version, what is wrong), every bad checkpoint or witnessed head, every view
    row that differs from the events.
    """
    from disputes.audit.checkpoint import load_public_key, read_witness
    from disputes.audit.log import tail_sentence

    gate = gate_of(apply_overrides(ctx, kwargs))
    key = load_public_key(key_path) if key_path else _configured_public_key()
    witness = read_witness(witness_path) if witness_path else None
    report = gate.verify(key, witness)
    problems = report["problems"]
    if as_json:
        print_json(report)
    elif report["intact"]:
        click.echo(
            f"intact: {report['events']} events, {report['checkpoints']} checkpoints verified"
        )
        if report.get("witnessed") is not None:
            click.echo(f"witness: {report['witnessed']} heads of {witness_path} found in the log")
    else:
        click.echo(f"NOT INTACT: {len(problems)} problems in {report['events']} events", err=True)
        for p in problems:
            named = p["case_no"] or p["originator_id"] or "-"
            where = f"{named} v{p['version']}" if p["version"] else "-"
            if p["kind"] == "view":
                where = p["case_no"] or "-"
            at = "-" if p["position"] is None else p["position"]
            click.echo(f"  {p['kind']:<10} position {at}  {where}: {p['detail']}", err=True)
    tail = report.get("tail") or {}
    note = tail_sentence(tail.get("events", 0), tail.get("after_position"))
    if note and not as_json:
        click.echo(f"note: {note}", err=True)
    if key is None and report["checkpoints"] and not as_json:
        click.echo(
            "note: checkpoints were checked against the public keys stored with them; pass "
            "--key PUBLIC_KEY (or set DISPUTES_SIGNING_KEY) to pin the station's key",
            err=True,
        )
    ctx.exit(0 if report["intact"] else 1)


def _configured_public_key() -> Ed25519PublicKey | None:
    """The public half of ``$DISPUTES_SIGNING_KEY`` when it is set, else None."""
    import os

    from disputes.audit.checkpoint import KEY_ENV, load_private_key

    if not os.environ.get(KEY_ENV):
        return None
    return load_private_key(None).public_key()


@click.command("keygen")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Private key file to create (its public key goes to OUT.pub).",
)
def keygen(out: Path) -> None:
    """Create an Ed25519 signing key pair for checkpoints (never overwrites)."""
    from disputes.audit.checkpoint import generate_key
    from disputes.cli.guards import new_file

    if not out.exists():  # an existing key: generate_key refuses it, in its own words
        # Its public half goes beside it and was replaced without a word; a missing folder
        # was a traceback.
        new_file(Path(f"{out}.pub"), "--out")
        new_file(out, "--out")
    private, public = generate_key(out)
    click.echo(f"private key: {private} (keep it secret; DISPUTES_SIGNING_KEY={private})")
    click.echo(f"public key:  {public} (give it to auditors)")


@click.command("checkpoint")
@click.option("--key", "key_path", metavar="FILE", help="Signing key [env DISPUTES_SIGNING_KEY].")
@click.option(
    "--witness",
    "witness_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also append the signed head to this witness file (created when missing, never "
    "overwritten), to be kept outside the store.",
)
@json_option
@store_options
@click.pass_context
def checkpoint(
    ctx: click.Context,
    /,
    key_path: str | None,
    witness_path: Path | None,
    as_json: bool,
    **kwargs: str,
) -> None:
    """Sign the current head of the log and record it in the log (refused when the store does
    not verify)."""
    import os

    from disputes.audit.checkpoint import append_witness, load_private_key, witness_line
    from disputes.audit.log import take_checkpoint

    store = apply_overrides(ctx, kwargs).store()
    key = load_private_key(key_path)
    witness = append_witness(witness_path) if witness_path else None
    try:
        taken = take_checkpoint(store, key)
        if witness is not None:
            witness.write(witness_line(taken))
            witness.flush()
            os.fsync(witness.fileno())
    finally:
        if witness is not None:
            witness.close()
    if as_json:
        print_json(taken.as_json())
    else:
        click.echo(
            f"checkpoint {taken.id}: position {taken.position}, head "
            f"{taken.chain_hash[:16]}…, signed {taken.signed_at}"
        )
        if witness_path is not None:
            click.echo(f"witness: appended to {witness_path} (keep it outside the store)")


@click.command("checkpoints")
@json_option
@store_options
@click.pass_context
def checkpoints(ctx: click.Context, /, as_json: bool, **kwargs: str) -> None:
    """List the signed checkpoints."""
    from disputes.audit.log import list_checkpoints

    store = apply_overrides(ctx, kwargs).store()
    taken = list_checkpoints(store.views)
    if as_json:
        print_json([c.as_json() for c in taken])
        return
    print_table(
        "checkpoints",
        ["id", "position", "head", "signed at", "public key"],
        (
            (c.id, c.position, c.chain_hash[:16] + "…", c.signed_at, c.public_key[:16] + "…")
            for c in taken
        ),
    )


@click.group("witness")
def witness() -> None:
    """Witness files: the signed heads, kept outside the store by the district or an auditor."""


@witness.command("export")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The witness file to create (refused when it exists).",
)
@store_options
@click.pass_context
def witness_export(ctx: click.Context, /, out: Path, **kwargs: str) -> None:
    """Write every checkpoint taken so far to a new witness file (for `verify --witness`)."""
    from disputes.audit.checkpoint import witness_line
    from disputes.audit.log import list_checkpoints
    from disputes.domain.errors import InvalidInput

    store = apply_overrides(ctx, kwargs).store()
    taken = list_checkpoints(store.views)
    try:
        with out.open("x", encoding="utf-8") as handle:
            handle.writelines(witness_line(c) for c in taken)
    except FileExistsError:
        raise InvalidInput("--out", f"{out} exists; refusing to overwrite it") from None
    except OSError as exc:
        raise InvalidInput("--out", f"cannot write {out}: {exc.strerror}") from None
    click.echo(f"{out}: {len(taken)} signed heads")


@click.command("export")
@click.argument("case")
@click.option(
    "--dossier",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The dossier file to write (JSON).",
)
@store_options
@click.pass_context
def export(ctx: click.Context, /, case: str, dossier: Path, **kwargs: str) -> None:
    """Write a case dossier: its events, hashes, the latest checkpoint and the proof."""
    import json
    import os

    from disputes.audit.dossier import export_dossier
    from disputes.cli.guards import new_file, open_new

    new_file(dossier, "--dossier")  # before the store is read: a refusal costs nothing
    store = apply_overrides(ctx, kwargs).store()
    data = export_dossier(store, case)
    text = json.dumps(data, ensure_ascii=False, indent=1)
    with os.fdopen(open_new(dossier, "--dossier"), "w", encoding="utf-8") as handle:
        handle.write(text)
    click.echo(
        f"{dossier}: {len(data['events'])} events of {case}, checkpoint "
        f"{data['checkpoint']['id']} at position {data['checkpoint']['position']}"
    )


@click.command("verify-dossier")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--key",
    "key_path",
    metavar="PUBLIC_KEY",
    required=True,
    help="The public key the checkpoint must be signed with.",
)
@json_option
@click.pass_context
def verify_dossier_cmd(ctx: click.Context, /, file: Path, key_path: str, as_json: bool) -> None:
    """Verify a case dossier offline (no store needed). Exit 0 when it verifies, else 1."""
    from disputes.audit.checkpoint import load_public_key
    from disputes.audit.dossier import load_dossier, verify_dossier
    from disputes.domain.errors import InvalidInput

    key = load_public_key(key_path)
    try:
        data = load_dossier(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(str(file), f"cannot read: {exc.strerror}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(str(file), f"not a dossier (truncated or not JSON): {exc}") from None
    try:
        problems = verify_dossier(data, key)
        summary = f"{data['case_no']}, {len(data['events'])} events"
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        # verify_dossier checks the shape it needs first; a value of a type it cannot use
        # anywhere deeper is still a file that cannot be read as a dossier (exit 2).
        raise InvalidInput(str(file), f"not a dossier (malformed: {exc!r})") from None
    if as_json:
        print_json({"verified": not problems, "problems": problems})
    elif problems:
        click.echo(f"NOT VERIFIED: {file}", err=True)
        for problem in problems:
            click.echo(f"  {problem}", err=True)
    else:
        click.echo(
            f"verified: {summary}, signed head at "
            f"position {data['checkpoint']['position']} ({data['checkpoint']['signed_at']})"
        )
    ctx.exit(0 if not problems else 1)


@click.group("policy")
def policy() -> None:
    """The policy in force and every version ever used."""


@policy.command("show")
@click.option(
    "--version",
    "version",
    metavar="V",
    help="A policy version (12 hex digits, as in history); exit 3 when never used here.",
)
@store_options
@click.pass_context
def policy_show(ctx: click.Context, /, version: str | None, **kwargs: str) -> None:
    """Print the exact policy text in force (or of version V, as stored when first used)."""
    store = apply_overrides(ctx, kwargs).store()
    if version is None or version == store.policy.version:
        click.echo(f"# policy version {store.policy.version}", err=True)
        click.echo(store.policy.text, nl=False)
        return
    text = store.app.get_policy_text(version)  # NotFound (exit 3): never used in this store
    click.echo(f"# policy version {version}", err=True)
    click.echo(text, nl=False)


def register(group: click.Group) -> None:
    for command in (
        verify,
        keygen,
        checkpoint,
        checkpoints,
        witness,
        export,
        verify_dossier_cmd,
        policy,
    ):
        group.add_command(command)
