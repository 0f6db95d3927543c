"""The write verbs of product.md §2: one click command per verb, each turning its options into
one command model and calling the application once. Every journal arg is also the verb's option
(``_`` → ``-``); list args repeat (``--signals weapons --signals threat-of-violence``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click

from disputes.cli.common import apply_overrides, json_option, store_options
from disputes.cli.render import GRADE, STATUS, label, print_json


@dataclass(frozen=True)
class Opt:
    name: str
    help: str
    required: bool = False
    multiple: bool = False
    type: Any = str
    choices: tuple[str, ...] | None = None


VERBS: dict[str, tuple[str, list[Opt]]] = {
    "report": (
        "登记 — report a dispute (anyone on the roster).",
        [
            Opt("category", "Category code from the policy (e.g. neighbour).", required=True),
            Opt(
                "source",
                "Channel: visit, informant, incident-analysis, court-notice, walk-in.",
                required=True,
            ),
            Opt("village", "Village unit code (e.g. WD-V01).", required=True),
            Opt("summary", "What happened (简要情况).", required=True),
            Opt(
                "parties",
                "A party as NAME:ROLE, role applicant|respondent|related; repeat.",
                multiple=True,
            ),
            Opt("people-involved", "How many people are involved.", type=int),
        ],
    ),
    "grade": (
        "研判定级 — first risk grade, red or yellow (leader, community police).",
        [
            Opt("grade", "Risk grade.", required=True, choices=("red", "yellow")),
            Opt("reason", "Why this grade.", required=True),
            Opt("signals", "A risk signal code from the policy; repeat.", multiple=True),
        ],
    ),
    "assign": (
        "分派 — name the responsible leader and officer (a leader); later a hand-over.",
        [
            Opt("leader", "Responsible leader (分包责任领导), a roster id.", required=True),
            Opt("officer", "Responsible officer (责任人), a roster id.", required=True),
            Opt("auxiliary", "Village auxiliary officer (专职辅警)."),
            Opt("grid-worker", "Grid worker (网格员)."),
        ],
    ),
    "deliberate": (
        "一案一议 — record the case conference and its plan (a leader).",
        [
            Opt("plan", "The plan agreed.", required=True),
            Opt("attendees", "Who attended, a roster id; repeat.", multiple=True),
        ],
    ),
    "visit": (
        "走访 — a visit or phone contact while the case is open.",
        [
            Opt("mode", "How.", choices=("in-person", "phone")),
            Opt("note", "What was found."),
        ],
    ),
    "mediate": (
        "调解 — a mediation session, with partner units.",
        [
            Opt("result", "Result.", required=True, choices=("progress", "failed")),
            Opt("note", "What happened."),
            Opt("with-units", "Partner unit code taking part; repeat.", multiple=True),
        ],
    ),
    "refer": (
        "分流移交 — refer the case to a partner unit.",
        [
            Opt("to", "Partner unit code (e.g. SFS 司法所).", required=True),
            Opt("reason", "Why.", required=True),
        ],
    ),
    "receipt": (
        "回执 — record the partner unit's answer to referral N.",
        [
            Opt("referral", "The referral's number (1, 2, …).", required=True, type=int),
            Opt("outcome", "Answer.", required=True, choices=("accepted", "handled", "returned")),
            Opt("note", "Details."),
        ],
    ),
    "escalate": (
        "升级 — yellow → red, with reason.",
        [
            Opt("reason", "Why.", required=True),
        ],
    ),
    "downgrade": (
        "降级 — red → yellow, with reason (the case's responsible leader).",
        [
            Opt("reason", "Why.", required=True),
        ],
    ),
    "resolve": (
        "化解 — agreement reached; grade blue, observation starts.",
        [
            Opt("agreement", "The agreement.", required=True),
            Opt(
                "form", "Form.", required=True, choices=("written", "oral", "judicial-confirmation")
            ),
            Opt(
                "observe-days",
                "Observation period in days (policy default 180, at least 30).",
                type=int,
            ),
        ],
    ),
    "follow-up": (
        "回访 — a follow-up during observation.",
        [
            Opt("mode", "How.", choices=("in-person", "phone")),
            Opt("note", "What was found."),
        ],
    ),
    "relapse": (
        "反弹 — the dispute flared up again; back to red or yellow, reopened.",
        [
            Opt("grade", "New grade.", required=True, choices=("red", "yellow")),
            Opt("reason", "What happened.", required=True),
        ],
    ),
    "close": (
        "销号 — strike the case off (only when 不化解不销案 allows; responsible leader).",
        [
            Opt("note", "Closing note."),
        ],
    ),
    "supervise": (
        "督办 — order follow-through on a case as a yellow or red card (a leader).",
        [
            Opt("level", "Card.", required=True, choices=("yellow-card", "red-card")),
            Opt("note", "What must be done, by when.", required=True),
        ],
    ),
    "answer-supervision": (
        "督办反馈 — answer the case's open supervision orders (police roles).",
        [
            Opt("note", "What was done.", required=True),
        ],
    ),
}


def _party(text: str) -> dict[str, str]:
    name, sep, role = text.rpartition(":")
    if not sep:
        return {"name": text, "role": "related"}
    return {"name": name, "role": role}


def _build(verb: str, doc: str, options: list[Opt]) -> click.Command:
    def callback(**kwargs: Any) -> None:
        from disputes.domain.clock import system_clock
        from disputes.domain.commands import build_command
        from disputes.domain.errors import InvalidInput

        ctx = click.get_current_context()
        settings = apply_overrides(ctx, kwargs)
        as_json = kwargs.pop("as_json")
        if not settings.actor:
            raise InvalidInput("--as", "who is acting? give --as PERSON or set DISPUTES_ACTOR")
        store = settings.store()
        data: dict[str, Any] = {
            key: value
            for key, value in kwargs.items()
            if value is not None and value != () and key not in ("case", "at", "command_id")
        }
        if "parties" in data:
            data["parties"] = [_party(p) for p in data["parties"]]
        for key, value in list(data.items()):
            if isinstance(value, tuple):
                data[key] = list(value)
        at = system_clock() if kwargs["at"] is None else kwargs["at"]
        data.update(actor=settings.actor, at=at)
        if kwargs.get("command_id"):
            data["command_id"] = kwargs["command_id"]
        if verb != "report":
            data["case"] = kwargs["case"]
        outcome = store.execute(build_command(verb, data, store.policy.limits))
        if as_json:
            print_json(outcome.as_json())
            return
        lang = settings.lang
        state = f"{label(STATUS, outcome.status, lang)} {label(GRADE, outcome.grade, lang)}"
        extra = f" referral {outcome.referral}" if outcome.referral else ""
        if outcome.duplicate:
            click.echo(f"{outcome.case_no}: already recorded (command id), nothing new — {state}")
        else:
            click.echo(f"{outcome.case_no}: {outcome.event} v{outcome.version}{extra} — {state}")

    params: list[Callable[[Any], Any]] = []
    if verb != "report":
        params.append(click.argument("case"))
    for opt in options:
        kind = click.Choice(opt.choices) if opt.choices else opt.type
        params.append(
            click.option(
                f"--{opt.name}",
                opt.name.replace("-", "_"),
                type=kind,
                required=opt.required,
                multiple=opt.multiple,
                help=opt.help,
            )
        )
    params += [
        click.option(
            "--at",
            metavar="TIME",
            help="Occurred time, ISO 8601; no offset means Asia/Shanghai [default: now].",
        ),
        click.option(
            "--command-id",
            metavar="ID",
            help="Idempotency key: a retry with the same id records nothing new.",
        ),
        store_options,
        json_option,
    ]
    command: Any = callback
    for decorate in reversed(params):
        command = decorate(command)
    return click.command(verb, help=doc, short_help=doc.rsplit(" — ", maxsplit=1)[-1])(command)


def register(group: click.Group) -> None:
    """Add every write verb to ``group``."""
    for verb, (doc, options) in VERBS.items():
        group.add_command(_build(verb, doc, options))
