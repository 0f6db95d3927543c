"""``disputes handover PERSON`` — a departing leader's or officer's open cases, handed over in
bulk (issue 11 §1): re-assigned within the station to ``--to PERSON`` (``assign``), or
transferred to another station (``transfer``, ``--station --leader --officer``). One command per
case, each its own event, each with a command id of its own so that a handover interrupted
half-way is completed by running it again (what was done answers as already recorded).
"""

from __future__ import annotations

from typing import Any

import click

from disputes.cli.common import apply_overrides, json_option, store_options
from disputes.cli.render import print_json, print_table


@click.command("handover")
@click.argument("person")
@click.option("--to", "to", metavar="PERSON", help="Re-assign within the station to this person.")
@click.option("--station", metavar="UNIT", help="Transfer the cases to this station …")
@click.option("--leader", metavar="PERSON", help="… with this responsible leader there …")
@click.option("--officer", metavar="PERSON", help="… and this responsible officer there.")
@click.option(
    "--reason", default=None, help="Why (transfers; default: the person's departure, 人员调离)."
)
@click.option(
    "--dry-run", is_flag=True, help="List the cases and what would be done; record nothing."
)
@click.option(
    "--at",
    metavar="TIME",
    help="Occurred time of the hand-over, ISO 8601; no offset means Asia/Shanghai [default: now].",
)
@json_option
@store_options
@click.pass_context
def handover(
    ctx: click.Context,
    /,
    person: str,
    to: str | None,
    station: str | None,
    leader: str | None,
    officer: str | None,
    reason: str | None,
    dry_run: bool,
    at: str | None,
    as_json: bool,
    **kwargs: str,
) -> None:
    """交接 — list PERSON's open cases (as responsible leader or officer) and hand them over:
    ``--to PERSON`` re-assigns within the station (a leader of the station, ``--as``), or
    ``--station S --leader L --officer O`` transfers them (a district leader). Without either,
    or with ``--dry-run``, only lists them. Exit 1 when any case was refused (the others are
    handed over)."""
    from disputes.cli.guards import printable
    from disputes.domain.commands import build_command
    from disputes.domain.errors import DisputesError, InvalidInput

    settings = apply_overrides(ctx, kwargs)
    transfer = station is not None or leader is not None or officer is not None
    if transfer and (station is None or leader is None or officer is None):
        raise InvalidInput("--station", "a transfer needs --station, --leader and --officer")
    if transfer and to is not None:
        raise InvalidInput("--to", "give either --to (re-assign) or --station (transfer)")
    store = settings.store()
    rows = [
        r
        for r in store.ledger()
        if r["status"] != "closed" and person in (r["leader"], r["officer"])
    ]
    act = not dry_run and (to is not None or transfer)
    if act and not settings.actor:
        raise InvalidInput("--as", "who hands the cases over? give --as PERSON")
    results: list[dict[str, Any]] = []
    failed = False
    for row in rows:
        case_no = row["case_no"]
        duty, verb, data = _plan(store, row, person, to, station, leader, officer, reason)
        entry: dict[str, Any] = {
            "case_no": case_no,
            "duty": duty,
            "station": row["station"],
            "verb": verb if act or to or transfer else None,
            "args": data if act or to or transfer else None,
            "result": "listed",
        }
        if act:
            target = station if transfer else to
            command = {
                "case": case_no,
                "actor": settings.actor,
                "command_id": f"handover:{person}:{case_no}:{verb}:{target}",
                **data,
            }
            if at is not None:
                command["at"] = at
            try:
                outcome = store.execute(build_command(verb, command, store.policy.limits))
            except DisputesError as exc:
                failed = True
                entry["result"] = "refused"
                entry["error"] = exc.text(settings.lang)
            else:
                entry["result"] = "already recorded" if outcome.duplicate else outcome.event
        results.append(entry)
    if as_json:
        print_json({"person": person, "cases": results})
    else:
        headers = ["case_no", "duty", "station", "verb", "result"]
        print_table(
            f"{person}: {len(results)} open case(s)",
            headers,
            ([str(r[h] or "") for h in headers] for r in results),
        )
        for entry in results:
            if "error" in entry:
                click.echo(f"error: {entry['case_no']}: {printable(entry['error'])}", err=True)
    if failed:
        ctx.exit(1)


def _plan(
    store: Any,
    row: dict[str, Any],
    person: str,
    to: str | None,
    station: str | None,
    leader: str | None,
    officer: str | None,
    reason: str | None,
) -> tuple[str, str, dict[str, Any]]:
    """The person's duty on a case, and the verb and args that hand it over."""
    duty = "leader" if row["leader"] == person else "officer"
    if row["leader"] == person and row["officer"] == person:
        duty = "leader+officer"
    if station is not None:
        return (
            duty,
            "transfer",
            {
                "station": station,
                "leader": leader,
                "officer": officer,
                "reason": reason or f"{person} 调离，案件移交 (handover)",
            },
        )
    case = store.case(row["case_no"])
    data = {
        "leader": to if "leader" in duty and to else case.leader,
        "officer": to if "officer" in duty and to else case.officer,
        "auxiliary": case.auxiliary,
        "grid_worker": case.grid_worker,
    }
    return duty, "assign", {k: v for k, v in data.items() if v is not None}


def register(group: click.Group) -> None:
    group.add_command(handover)
