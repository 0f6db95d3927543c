"""The write verbs of product.md §2, derived from their command models.

Each command model (:mod:`disputes.domain.commands`) is the one place a verb is declared: its
CLI verb, who may issue it, its fields with their help text, and its docstring (the verb's
help). Here each becomes a click command: a field becomes an option (``_`` → ``-``; a list
repeats, ``--signals weapons --signals threat-of-violence``; a fixed set of values is a choice),
a case command takes the case number as its argument, and every verb takes ``--at``,
``--command-id`` and ``--json``. The callback turns the options into the command model and
calls the application once.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from typing import Any

import click
from pydantic.fields import FieldInfo

from disputes.cli.common import apply_overrides, gate_of, json_option, store_options
from disputes.cli.render import GRADE, STATUS, label, print_json
from disputes.domain import vocabulary
from disputes.domain.commands import COMMANDS, CaseCommand, Command, RewardCommand, verb_fields
from disputes.domain.roster import CASE_ROLES, POLICE_ROLES, Role

ROLE_HELP = {
    Role.LEADER: "leader",
    Role.COMMUNITY_POLICE: "community police",
    Role.AUXILIARY_POLICE: "auxiliary police",
    Role.GRID_WORKER: "grid worker",
    Role.AUDITOR: "auditor",
    Role.SYSTEM_ADMIN: "system administrator",
    Role.SECURITY_ADMIN: "security administrator",
    Role.AUDIT_ADMIN: "audit administrator",
    Role.FINANCE: "finance",
    Role.INFORMANT: "informant",
}


def who_may(cls: type[Command]) -> str:
    """The roles that may issue a verb, in words for its help."""
    said = getattr(cls, "who_may", None)
    if isinstance(said, str):
        return said
    if set(cls.roles) == set(CASE_ROLES):
        return "anyone on the roster who works on cases (in their own scope)"
    if set(cls.roles) == set(POLICE_ROLES):
        return "police roles"
    return ", ".join(ROLE_HELP[r] for r in cls.roles)


def _option(name: str, info: FieldInfo) -> Callable[[Any], Any]:
    """The click option of one command field: its type, choices, repetition and help."""
    annotation = info.annotation
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        annotation = args[0]  # X | None: optional X
    multiple = typing.get_origin(annotation) is list
    kind: Any = str
    if typing.get_origin(annotation) is typing.Literal:
        kind = click.Choice([str(v) for v in typing.get_args(annotation)])
    elif annotation is int or (
        typing.get_origin(annotation) is typing.Annotated and typing.get_args(annotation)[0] is int
    ):
        kind = int
    return click.option(
        f"--{name.replace('_', '-')}",
        name,
        type=kind,
        required=info.is_required(),
        multiple=multiple,
        help=info.description,
    )


def build_verb(cls: type[Command]) -> click.Command:
    """The click command of a command model (see the module docstring)."""
    verb = cls.verb
    doc = f"{(cls.__doc__ or verb).strip()} Who may: {who_may(cls)}."

    def callback(**kwargs: Any) -> None:
        from disputes.domain.commands import build_command
        from disputes.domain.errors import InvalidInput

        ctx = click.get_current_context()
        settings = apply_overrides(ctx, kwargs)
        as_json = kwargs.pop("as_json")
        if not settings.actor:
            raise InvalidInput("--as", "who is acting? give --as PERSON or set DISPUTES_ACTOR")
        gate = gate_of(settings)
        store = gate.store
        data: dict[str, Any] = {
            key: list(value) if isinstance(value, tuple) else value
            for key, value in kwargs.items()
            if value is not None and value != () and key not in ("at", "command_id")
        }
        data["actor"] = settings.actor
        if kwargs["at"] is not None:  # else now, by the store's clock (never a retry's difference)
            data["at"] = kwargs["at"]
        if kwargs.get("command_id"):
            data["command_id"] = kwargs["command_id"]
        outcome = gate.execute(build_command(verb, data, store.policy.limits))
        if as_json:
            print_json(outcome.as_json())
            return
        echo_outcome(outcome, settings.lang)

    params: list[Callable[[Any], Any]] = []
    if issubclass(cls, CaseCommand):
        params.append(click.argument("case"))
    elif issubclass(cls, RewardCommand):
        params.append(click.argument("reward"))
    params += [_option(name, info) for name, info in verb_fields(cls).items()]
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
    return click.command(verb, help=doc, short_help=doc.split(" — ", maxsplit=1)[-1])(command)


def echo_outcome(outcome: Any, lang: str) -> None:
    """Print a write verb's answer (local mode and the server's client alike): a reward
    verb's line with the reward number, or the case's 已… line (in English with --lang en)."""
    if outcome.reward is not None:
        click.echo(reward_line(outcome, lang))
        return
    state = f"{label(STATUS, outcome.status, lang)} {label(GRADE, outcome.grade, lang)}".strip()
    if lang == "zh":
        word = label(vocabulary.EVENT, outcome.event, lang)
        extra = f" 第 {outcome.referral} 号移交" if outcome.referral else ""
        click.echo(
            f"{outcome.case_no}：该指令编号已记录过，本次未新增记录 — {state}"
            if outcome.duplicate
            else f"{outcome.case_no}：已{word}（第 {outcome.version} 条记录）{extra} — {state}"
        )
        return
    extra = f" referral {outcome.referral}" if outcome.referral else ""
    if outcome.duplicate:
        click.echo(f"{outcome.case_no}: already recorded (command id), nothing new — {state}")
    else:
        click.echo(f"{outcome.case_no}: {outcome.event} v{outcome.version}{extra} — {state}")


def reward_line(outcome: Any, lang: str) -> str:
    """The answer of a reward verb: ``HY-2021-R0001 (HY-2021-0001): RewardPaid v3 — 已发放``."""
    from disputes.domain.reward_refusals import STATUS_ZH, RewardStatus

    status = STATUS_ZH[RewardStatus(outcome.status)] if lang == "zh" else outcome.status
    where = f"{outcome.reward} ({outcome.case_no})"
    if outcome.duplicate:
        return f"{where}: already recorded (command id), nothing new — {status}"
    return f"{where}: {outcome.event} v{outcome.version} — {status}"


def register(group: click.Group) -> None:
    """Add every write verb (every command model) to ``group``."""
    for cls in COMMANDS.values():
        group.add_command(build_verb(cls))
