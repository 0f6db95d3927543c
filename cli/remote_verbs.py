"""The verbs the server's client has in a form of its own (:mod:`disputes.cli.remote` routes
to them): ``access-log``, ``accounts`` (create, reset, lock, unlock, list) and ``apply`` (only
the signed-in person's lines are sent)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from disputes.cli.remote import AsRefused, current_lang, remote_gate
from disputes.cli.render import print_json
from disputes.domain.errors import DisputesError


@click.command("access-log")
@click.option("--case", metavar="CASE", help="Only reads of this case.")
@click.option("--person", metavar="PERSON", help="Only reads by this person.")
@click.option("--from", "since", metavar="TIME", help="From this time (ISO 8601).")
@click.option("--to", "until", metavar="TIME", help="Up to this time (ISO 8601).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def access_log(
    case: str | None, person: str | None, since: str | None, until: str | None, as_json: bool
) -> None:
    """Who read what, when, why (audit administrator and auditors)."""
    from disputes.cli.access_log import _when, render_access_log

    remote = remote_gate({})
    rows = remote.access_log(
        case=case, person=person, since=_when("--from", since), until=_when("--to", until, end=True)
    )
    if as_json:
        print_json(rows)
        return
    render_access_log(remote.labels(), rows, current_lang())


@click.group("accounts")
def accounts() -> None:
    """Accounts (a system administrator's): create, reset, lock, unlock, list."""


def _account_verb(action: str, doc: str) -> click.Command:
    def callback(as_json: bool, person: str | None = None, new_code: bool = False) -> None:
        from disputes.cli import accounts as local

        answer = remote_gate({}).accounts(action, person, new_code=new_code)
        if as_json:
            print_json(answer)
            return
        lang = current_lang()
        if action == "list":
            local.render_list(answer, lang)
        elif action in ("create", "reset"):
            local.render_issued(answer, lang, created=action == "create")
        elif action == "lock":
            local.render_changed(answer, lang, "已锁定", "locked")
        else:
            local.render_changed(answer, lang, "已解锁", "unlocked")

    params: list[click.Parameter] = [
        click.Argument(["person"], required=action != "list"),
        click.Option(["--json", "as_json"], is_flag=True, help="Print JSON."),
    ]
    if action == "reset":
        params.append(
            click.Option(["--new-code"], is_flag=True, help="Also a new TOTP secret (lost phone).")
        )
    return click.Command(action, callback=callback, params=params, help=doc)


for _action, _doc in (
    ("create", "Open an account for a roster person (first password and TOTP, shown once)."),
    ("reset", "A new password for a person (shown once); their sessions end."),
    ("lock", "Lock a person's account; their sessions end."),
    ("unlock", "Unlock a person's account."),
    ("list", "Every account (or PERSON's) and its state."),
):
    accounts.add_command(_account_verb(_action, _doc))


@click.command("apply")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--quiet", is_flag=True, help="No progress output.")
def apply(file: Path, as_json: bool, quiet: bool) -> None:  # noqa: ARG001 (quiet: as apply)
    """Send a command journal's lines whose actor is you, one by one; lines of other actors
    are reported and nothing is written for them (a bulk import of many actors is an
    administrator's local-mode operation)."""
    from disputes.cli.journal import ApplyResult, Failure
    from disputes.cli.session import load_session
    from disputes.gate.journal import case_no, parse_line

    remote = remote_gate({})
    saved = load_session(remote.server)
    me = saved.person if saved else ""
    result = ApplyResult()
    raw = file.read_bytes().removeprefix(b"\xef\xbb\xbf")
    for number, text in enumerate(raw.decode("utf-8", errors="surrogateescape").split("\n"), 1):
        if not text.strip():
            continue
        line: dict[str, Any] = {}
        try:
            line = parse_line(text)
            if line["actor"] != me:
                raise AsRefused(f"actor {line['actor']} is not you ({me})")
            sent = dict(line)
            if line["command"] != "report":
                sent["case"] = case_no(line["case"], result.cases)
            else:
                sent.pop("case", None)
            answer = remote.send_line(sent)
        except DisputesError as exc:
            from disputes.cli.exits import exit_code

            ident = line.get("id") if isinstance(line.get("id"), str) else None
            result.failed.append(Failure(number, ident, exc.text(current_lang()), exit_code(exc)))
            continue
        if line["command"] == "report" and isinstance(line.get("case"), str):
            result.cases[line["case"]] = answer["case_no"]
        if answer.get("duplicate"):
            result.skipped += 1
        else:
            result.applied += 1
    if as_json:
        print_json(result.as_json())
    else:
        click.echo(
            f"{file.name}: {result.applied} applied, {result.skipped} already recorded, "
            f"{len(result.failed)} failed; {len(result.cases)} cases"
        )
        for failure in result.failed:
            where = f"line {failure.line}" + (f" ({failure.id})" if failure.id else "")
            click.echo(f"  {where}: {failure.error}", err=True)
    click.get_current_context().exit(0 if not result.failed else 1)


CLIENT_VERBS: dict[str, click.Command] = {
    "access-log": access_log,
    "accounts": accounts,
    "apply": apply,
}
