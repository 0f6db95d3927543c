"""Commands: one pydantic model per CLI verb (product.md §2, §5). Frozen, extra fields forbidden,
never stored. Pydantic checks the shape (types, lengths, value sets, time parsing); the aggregate
checks the state; the application checks the roster and the policy.

Build a command with :func:`build_command`, which turns pydantic's errors into
:class:`~disputes.domain.errors.InvalidInputs` naming each field. Text limits come from the policy
(``[limits]``), passed as validation context.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal
from uuid import uuid4

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from disputes.domain.clock import EARLIEST, parse_time
from disputes.domain.errors import InvalidInputs
from disputes.domain.policy import Limits
from disputes.domain.roster import POLICE_ROLES, Role


def _time(value: Any) -> Any:
    if isinstance(value, str):
        value = parse_time(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            msg = "a time needs an offset"
            raise ValueError(msg)
        if value < EARLIEST:
            msg = f"lies before {EARLIEST.date()}; no record of this practice is that old"
            raise ValueError(msg)
    return value


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


Time = Annotated[datetime, BeforeValidator(_time)]
Text = Annotated[str, BeforeValidator(_strip), Field(min_length=1)]
"""Required free text: stripped, not empty; the upper bound is the policy's ``text_chars``."""
OptionalText = Annotated[str, BeforeValidator(_strip)]
PersonId = Annotated[str, BeforeValidator(_strip), Field(min_length=1, max_length=40)]
UnitCode = Annotated[str, BeforeValidator(_strip), Field(min_length=1, max_length=40)]
CaseNo = Annotated[
    str, BeforeValidator(_strip), Field(pattern=r"^[A-Za-z0-9]+-\d{4}-\d{4,}$", max_length=40)
]
Code = Annotated[str, BeforeValidator(_strip), Field(min_length=1, max_length=40)]


@dataclass(frozen=True)
class RecordedCommand:
    """What a command id recorded: the case number and the verb."""

    case_no: str
    verb: str


ANY_ROLE = tuple(Role)
FREE_TEXT = frozenset({"summary", "reason", "note", "plan", "agreement"})
"""Fields held to the policy's text limits (identifiers have their own fixed bounds)."""


class Party(BaseModel):
    """A party to the dispute (当事人), by the 'surname + 某' convention."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: Annotated[str, BeforeValidator(_strip), Field(min_length=1)]
    role: Literal["applicant", "respondent", "related"]


class Command(BaseModel):
    """Fields every command has: who (``actor``), when (``at``, occurred time) and its id."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    verb: ClassVar[str]
    roles: ClassVar[tuple[Role, ...]] = POLICE_ROLES

    actor: PersonId
    at: Time
    command_id: Annotated[str, Field(min_length=1, max_length=100)] = Field(
        default_factory=lambda: uuid4().hex
    )

    @field_validator("*", mode="after")
    @classmethod
    def _within_limits(cls, value: Any, info: ValidationInfo) -> Any:
        limits = (info.context or {}).get("limits")
        if not isinstance(limits, Limits) or info.field_name in ("command_id",):
            return value
        if isinstance(value, str) and info.field_name in FREE_TEXT:
            bound = limits.summary_chars if info.field_name == "summary" else limits.text_chars
            if len(value) > bound:
                msg = f"at most {bound} characters (got {len(value)})"
                raise ValueError(msg)
        if info.field_name == "people_involved" and isinstance(value, int):
            if value > limits.max_people_involved:
                msg = f"at most {limits.max_people_involved} (policy limit)"
                raise ValueError(msg)
            return value
        if isinstance(value, list) and len(value) > limits.max_parties:
            msg = f"at most {limits.max_parties} entries"
            raise ValueError(msg)
        if isinstance(value, list):
            for item in value:
                name = getattr(item, "name", None)
                if isinstance(name, str) and len(name) > limits.name_chars:
                    msg = f"a name has at most {limits.name_chars} characters"
                    raise ValueError(msg)
        return value


class CaseCommand(Command):
    """A command on an existing case, addressed by its case number."""

    case: CaseNo


class Report(Command):
    """登记: report a dispute. Anyone on the roster may report."""

    verb = "report"
    roles = ANY_ROLE
    category: Code
    source: Code
    village: UnitCode
    summary: Text
    parties: list[Party] = []
    people_involved: Annotated[int, Field(strict=True, ge=1, le=1_000_000)] | None = None


class Grade(CaseCommand):
    """研判定级: the first risk grade, red or yellow, with reason and risk signals."""

    verb = "grade"
    roles = (Role.LEADER, Role.COMMUNITY_POLICE)
    grade: Literal["red", "yellow"]
    reason: Text
    signals: list[Code] = []


class Assign(CaseCommand):
    """Name the responsible leader (分包责任领导) and officer (责任人); later, a hand-over."""

    verb = "assign"
    roles = (Role.LEADER,)
    leader: PersonId
    officer: PersonId
    auxiliary: PersonId | None = None
    grid_worker: PersonId | None = None


class Deliberate(CaseCommand):
    """一案一议: the case conference and its plan."""

    verb = "deliberate"
    roles = (Role.LEADER,)
    plan: Text
    attendees: list[PersonId] = []


class Visit(CaseCommand):
    """走访 or phone contact while the case is open."""

    verb = "visit"
    mode: Literal["in-person", "phone"] = "in-person"
    note: OptionalText = ""


class Mediate(CaseCommand):
    """调解 session, with partner units; result progress or failed."""

    verb = "mediate"
    note: OptionalText = ""
    result: Literal["progress", "failed"]
    with_units: list[UnitCode] = []


class Refer(CaseCommand):
    """分流移交 to a partner unit, with a reason."""

    verb = "refer"
    to: UnitCode
    reason: Text


class RecordReceipt(CaseCommand):
    """回执 from the partner unit for referral n."""

    verb = "receipt"
    referral: Annotated[int, Field(strict=True, ge=1)]
    outcome: Literal["accepted", "handled", "returned"]
    note: OptionalText = ""


class Escalate(CaseCommand):
    """升级 yellow → red, with reason."""

    verb = "escalate"
    reason: Text


class Downgrade(CaseCommand):
    """降级 red → yellow, with reason; by the case's responsible leader."""

    verb = "downgrade"
    reason: Text


class Resolve(CaseCommand):
    """化解: agreement reached; observation starts (``observe_days``, default from the policy)."""

    verb = "resolve"
    agreement: Text
    form: Literal["written", "oral", "judicial-confirmation"]
    observe_days: Annotated[int, Field(strict=True, ge=1, le=3650)] | None = None
    """Checked against the policy's minimum by the application (product.md §2: at least 30)."""


class FollowUp(CaseCommand):
    """回访 during observation."""

    verb = "follow-up"
    mode: Literal["in-person", "phone"] = "in-person"
    note: OptionalText = ""


class Relapse(CaseCommand):
    """反弹: flare-up, back to red or yellow, with reason."""

    verb = "relapse"
    grade: Literal["red", "yellow"]
    reason: Text


class Close(CaseCommand):
    """销号: strike the case off (product.md §3)."""

    verb = "close"
    note: OptionalText = ""


class Supervise(CaseCommand):
    """督办: a leader orders follow-through on a case, as a yellow or red card (issue 3)."""

    verb = "supervise"
    roles = (Role.LEADER,)
    level: Literal["yellow-card", "red-card"]
    note: Text


class AnswerSupervision(CaseCommand):
    """督办反馈: the officers' answer to the case's open supervision orders (issue 3)."""

    verb = "answer-supervision"
    note: Text


COMMANDS: dict[str, type[Command]] = {
    cls.verb: cls
    for cls in (
        Report,
        Grade,
        Assign,
        Deliberate,
        Visit,
        Mediate,
        Refer,
        RecordReceipt,
        Escalate,
        Downgrade,
        Resolve,
        FollowUp,
        Relapse,
        Close,
        Supervise,
        AnswerSupervision,
    )
}
"""Every write verb of product.md §2 (and the supervision verbs of issue 3), by CLI verb."""


def build_command(verb: str, data: dict[str, Any], limits: Limits | None = None) -> Command:
    """Validate ``data`` as the command of ``verb``.

    Raises :class:`InvalidInputs` naming each bad field (``verb`` itself when unknown).
    """
    try:
        cls = COMMANDS[verb]
    except KeyError:
        raise InvalidInputs(
            [("command", f"unknown verb '{verb}'; known: {', '.join(COMMANDS)}")]
        ) from None
    try:
        return cls.model_validate(data, context={"limits": limits})
    except ValidationError as exc:
        raise InvalidInputs(
            [(".".join(str(p) for p in err["loc"]) or verb, _reason(err)) for err in exc.errors()]
        ) from None


def _reason(err: Any) -> str:
    message = str(err["msg"])
    if err["type"] == "extra_forbidden":
        return "unknown field"
    if err["type"] in ("too_short", "string_too_short") and isinstance(err.get("input"), str):
        return "must not be empty"
    return message.removeprefix("Value error, ")
