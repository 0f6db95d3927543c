"""Commands: one pydantic model per CLI verb (product.md §2, §5). Frozen, extra fields forbidden,
never stored. Pydantic checks the shape (types, lengths, value sets, time parsing); the aggregate
checks the state; the application checks the roster and the policy.

Build a command with :func:`build_command`, which turns pydantic's errors into
:class:`~disputes.domain.errors.InvalidInputs` naming each field. Text limits come from the policy
(``[limits]``), passed as validation context.

Longer than 400 lines on purpose: it is the catalogue of verbs — each verb is declared here
once, with its fields, help and validation, and a reader finds them all in one place.
"""

from __future__ import annotations

from collections.abc import Iterator
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
    model_validator,
)
from pydantic.fields import FieldInfo

from disputes.domain.clock import EARLIEST, parse_time
from disputes.domain.errors import InvalidInputs
from disputes.domain.policy import Limits
from disputes.domain.rewards import REWARD_NO
from disputes.domain.roster import CASE_ROLES, POLICE_ROLES, Role
from disputes.domain.text import invisible_only, text_problem


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


def _clean(value: Any, *, lines: bool) -> Any:
    if not isinstance(value, str):
        return value
    if lines:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    problem = text_problem(value, lines=lines)
    if problem:
        raise ValueError(problem)
    return "" if invisible_only(value) else value.strip()


def _strip(value: Any) -> Any:
    """A one-line value (an identifier, a code, a name): no control characters at all."""
    return _clean(value, lines=False)


def _free_text(value: Any) -> Any:
    """Free text (a summary, note, reason, plan, agreement): newlines and tabs allowed, CRLF
    read as LF."""
    return _clean(value, lines=True)


Time = Annotated[datetime, BeforeValidator(_time)]
Text = Annotated[str, BeforeValidator(_free_text), Field(min_length=1)]
"""Required free text: stripped, not empty; the upper bound is the policy's ``text_chars``."""
OptionalText = Annotated[str, BeforeValidator(_free_text)]
PersonId = Annotated[str, BeforeValidator(_strip), Field(min_length=1, max_length=40)]
UnitCode = Annotated[str, BeforeValidator(_strip), Field(min_length=1, max_length=40)]
CaseNo = Annotated[
    str, BeforeValidator(_strip), Field(pattern=r"^[A-Za-z0-9]+-\d{4}-\d{4,}$", max_length=40)
]
Code = Annotated[str, BeforeValidator(_strip), Field(min_length=1, max_length=40)]
RewardNo = Annotated[str, BeforeValidator(_strip), Field(pattern=REWARD_NO, max_length=40)]
Yuan = Annotated[int, Field(strict=True, ge=1, le=10_000_000)]
"""An amount in whole yuan."""


@dataclass(frozen=True)
class RecordedCommand:
    """What a command id recorded: the case number and the verb."""

    case_no: str
    verb: str


ANY_ROLE = CASE_ROLES
"""Everyone who works on cases (the auditor, the administrators and finance act on none)."""
FREE_TEXT = frozenset({"summary", "reason", "note", "plan", "agreement"})
"""Fields held to the policy's text limits (identifiers have their own fixed bounds)."""


class Party(BaseModel):
    """A party to the dispute (当事人), by the 'surname + 某' convention.

    Given as ``{"name": …, "role": …}`` or, as the CLI takes it, ``NAME:ROLE`` (a bare name is
    ``related``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: Annotated[str, BeforeValidator(_strip), Field(min_length=1)]
    role: Literal["applicant", "respondent", "related"]

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            name, sep, role = value.rpartition(":")
            return {"name": name, "role": role} if sep else {"name": value, "role": "related"}
        return value


ATTACHMENT_TYPES = ("image/jpeg", "image/png", "image/webp")
"""What a report may carry as a photo (issue 14): the types a phone's camera writes."""
MAX_ATTACHMENTS = 4
MAX_ATTACHMENT_BYTES = 5_000_000
"""At most this many photos to a report, each at most this many bytes."""


class Attachment(BaseModel):
    """A photo carried with a report: its content hash (SHA-256, hex), type and size; the
    bytes are kept in the store's attachments table under the hash."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    media_type: Literal["image/jpeg", "image/png", "image/webp"]
    size: Annotated[int, Field(strict=True, ge=1, le=MAX_ATTACHMENT_BYTES)]


class Command(BaseModel):
    """Fields every command has: who (``actor``), when (``at``, occurred time) and its id.

    A subclass is one verb, declared once: ``verb`` (the CLI verb and journal ``command``),
    ``roles`` (who may issue it), its fields (with their help text), and its docstring (the
    verb's help). The CLI options, the journal args and the help are derived from it; the
    application method that handles it is declared with ``@handles``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    verb: ClassVar[str]
    roles: ClassVar[tuple[Role, ...]] = POLICE_ROLES

    actor: PersonId
    occurred_at: Time | None = Field(default=None, alias="at")
    """When it happened, as the officer says (``at`` in journals and on the command line);
    None: now, as the application's clock says."""
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

    case_no: CaseNo = Field(alias="case")
    """The case number (``case`` in journals; the argument on the command line)."""


class Report(Command):
    """登记 — report a dispute."""

    verb = "report"
    roles = ANY_ROLE
    category: Code = Field(description="Category code from the policy (e.g. neighbour).")
    source: Code = Field(
        description="Channel: visit, informant, incident-analysis, court-notice, walk-in."
    )
    village: UnitCode = Field(description="Village unit code (e.g. WD-V01).")
    summary: Text = Field(description="What happened (简要情况).")
    parties: list[Party] = Field(
        default=[], description="A party as NAME:ROLE, role applicant|respondent|related; repeat."
    )
    people_involved: Annotated[int, Field(strict=True, ge=1, le=1_000_000)] | None = Field(
        default=None, description="How many people are involved."
    )
    informant: PersonId | None = Field(
        default=None,
        description="The informant (治安信息员) whose report or tip this is, a roster id (a grid "
        "worker or an enrolled informant); a grid worker reporting is the informant by default.",
    )
    attachments: Annotated[list[Attachment], Field(max_length=MAX_ATTACHMENTS)] = Field(
        default=[],
        description="A photo already stored, as {sha256, media_type, size}; the web desk "
        "stores and names them (journals carry them); repeat.",
    )


class Grade(CaseCommand):
    """研判定级 — first risk grade, red or yellow."""

    verb = "grade"
    roles = (Role.LEADER, Role.COMMUNITY_POLICE)
    grade: Literal["red", "yellow"] = Field(description="Risk grade.")
    reason: Text = Field(description="Why this grade.")
    signals: list[Code] = Field(
        default=[], description="A risk signal code from the policy; repeat."
    )


class Assign(CaseCommand):
    """分包 — name the responsible leader and officer; later a hand-over."""

    verb = "assign"
    roles = (Role.LEADER,)
    leader: PersonId = Field(description="Responsible leader (分包责任领导), a roster id.")
    officer: PersonId = Field(description="Responsible officer (责任人), a roster id.")
    auxiliary: PersonId | None = Field(
        default=None, description="Village auxiliary officer (专职辅警)."
    )
    grid_worker: PersonId | None = Field(default=None, description="Grid worker (网格员).")


class Deliberate(CaseCommand):
    """一案一议 — record the case conference and its plan."""

    verb = "deliberate"
    roles = (Role.LEADER,)
    plan: Text = Field(description="The plan agreed.")
    attendees: list[PersonId] = Field(default=[], description="Who attended, a roster id; repeat.")


class Visit(CaseCommand):
    """走访 — a visit or phone contact while the case is open."""

    verb = "visit"
    mode: Literal["in-person", "phone"] = Field(default="in-person", description="How.")
    note: OptionalText = Field(default="", description="What was found.")


class Mediate(CaseCommand):
    """调解 — a mediation session, with partner units."""

    verb = "mediate"
    result: Literal["progress", "failed"] = Field(description="Result.")
    note: OptionalText = Field(default="", description="What happened.")
    with_units: list[UnitCode] = Field(
        default=[], description="Partner unit code taking part; repeat."
    )


class Refer(CaseCommand):
    """分流移交 — refer the case to a partner unit."""

    verb = "refer"
    to: UnitCode = Field(description="Partner unit code (e.g. SFS 司法所).")
    reason: Text = Field(description="Why.")


class RecordReceipt(CaseCommand):
    """回执 — record the partner unit's answer to referral N."""

    verb = "receipt"
    referral: Annotated[int, Field(strict=True, ge=1)] = Field(
        description="The referral's number (1, 2, …)."
    )
    outcome: Literal["accepted", "handled", "returned"] = Field(description="Answer.")
    note: OptionalText = Field(default="", description="Details.")


class Escalate(CaseCommand):
    """升级 — yellow → red, with reason."""

    verb = "escalate"
    reason: Text = Field(description="Why.")


class Downgrade(CaseCommand):
    """降级 — red → yellow, with reason (the case's responsible leader)."""

    verb = "downgrade"
    reason: Text = Field(description="Why.")


class Resolve(CaseCommand):
    """化解 — agreement reached; grade blue, observation starts."""

    verb = "resolve"
    agreement: Text = Field(description="The agreement.")
    form: Literal["written", "oral", "judicial-confirmation"] = Field(description="Form.")
    observe_days: Annotated[int, Field(strict=True, ge=1, le=3650)] | None = Field(
        default=None,
        description="Observation period in days (policy default 180, at least 30).",
    )
    """Checked against the policy's minimum by the application (product.md §2: at least 30)."""


class FollowUp(CaseCommand):
    """回访 — a follow-up during observation."""

    verb = "follow-up"
    mode: Literal["in-person", "phone"] = Field(default="in-person", description="How.")
    note: OptionalText = Field(default="", description="What was found.")


class Relapse(CaseCommand):
    """反弹 — the dispute flared up again; back to red or yellow, reopened."""

    verb = "relapse"
    grade: Literal["red", "yellow"] = Field(description="New grade.")
    reason: Text = Field(description="What happened.")


class Close(CaseCommand):
    """销号 — strike the case off (only when 不化解不销案 allows; the responsible leader)."""

    verb = "close"
    note: OptionalText = Field(default="", description="Closing note.")


class Supervise(CaseCommand):
    """督办 — order follow-through on a case as a yellow or red card."""

    verb = "supervise"
    roles = (Role.LEADER,)
    level: Literal["yellow-card", "red-card"] = Field(description="Card.")
    note: Text = Field(description="What must be done, by when.")


class AnswerSupervision(CaseCommand):
    """督办反馈 — answer the case's open supervision orders."""

    verb = "answer-supervision"
    note: Text = Field(description="What was done.")


class RecordOutcome(CaseCommand):
    """严重后果 — record a serious outcome the case did not prevent (民转刑, 民转治安, 命案,
    群体性事件, 越级上访)."""

    verb = "outcome"
    kind: Literal["criminal-case", "public-order-case", "homicide", "mass-incident", "petition"] = (
        Field(description="What happened.")
    )
    ref: Annotated[str, BeforeValidator(_strip), Field(max_length=40)] = Field(
        default="",
        validate_default=True,
        description="The police case number (警情/案件编号); required for a criminal case, "
        "a public-order case or a homicide.",
    )
    note: OptionalText = Field(default="", description="Details.")

    @field_validator("ref")
    @classmethod
    def _police_case_has_a_number(cls, ref: str, info: ValidationInfo) -> str:
        kind = info.data.get("kind")
        if kind in ("criminal-case", "public-order-case", "homicide") and not ref:
            msg = f"a {kind} has a police case number; give it"
            raise ValueError(msg)
        return ref


class Transfer(CaseCommand):
    """跨所移交 — hand the case to another station, naming its responsible leader and officer
    there (a district leader; afterwards the new station owns the case)."""

    verb = "transfer"
    roles = (Role.LEADER,)
    station: UnitCode = Field(description="The station taking the case (e.g. DM).")
    leader: PersonId = Field(description="Responsible leader at the new station, a roster id.")
    officer: PersonId = Field(description="Responsible officer at the new station, a roster id.")
    reason: Text = Field(description="Why the case moves.")


class RewardCommand(Command):
    """A command on an existing informant reward, addressed by its reward number (issue 13)."""

    reward_no: RewardNo = Field(alias="reward")
    """The reward number, e.g. HY-2021-R0001 (``reward`` in journals; the argument on the
    command line)."""


class ProposeReward(CaseCommand):
    """申报奖励 — propose a reward for the case's informant (a graded case; the amount in the
    policy's range for its kind)."""

    verb = "propose-reward"
    informant: PersonId | None = Field(
        default=None,
        description="The informant rewarded, a roster id [default: the case's informant].",
    )
    kind: Code = Field(description="Reward kind from the policy: prevention, serious-crime.")
    amount: Yuan = Field(description="Amount in yuan (prevention 200–500 by default).")
    reason: Text = Field(description="What the information achieved.")


class ApproveReward(RewardCommand):
    """审批奖励 — approve a proposed reward (a leader of the case's station who did not
    propose it)."""

    verb = "approve-reward"
    roles = (Role.LEADER,)
    note: OptionalText = Field(default="", description="Approval note.")


class RejectReward(RewardCommand):
    """驳回奖励 — reject a proposed reward (a leader who did not propose it)."""

    verb = "reject-reward"
    roles = (Role.LEADER,)
    reason: Text = Field(description="Why it is rejected.")


class PayReward(RewardCommand):
    """发放奖励 — record the payment of an approved reward (the policy's paying role, finance;
    not the proposer nor the approver)."""

    verb = "pay-reward"
    roles = tuple(Role)
    """Everyone is let through to the application, which checks the policy's paying role."""
    who_may: ClassVar[str] = "the policy's paying role ([rewards] payer_role, finance)"
    voucher: Annotated[str, BeforeValidator(_strip), Field(min_length=1, max_length=60)] = Field(
        description="Voucher number (凭证号)."
    )
    paid_amount: Yuan = Field(description="Amount paid in yuan (the amount approved).")


class CancelReward(RewardCommand):
    """撤销奖励 — cancel a reward before it is paid."""

    verb = "cancel-reward"
    reason: Text = Field(description="Why it is cancelled.")


def _verbs() -> dict[str, type[Command]]:
    found: dict[str, type[Command]] = {}
    pending = list(Command.__subclasses__())
    while pending:
        cls = pending.pop(0)
        pending.extend(cls.__subclasses__())
        verb = cls.__dict__.get("verb")
        if isinstance(verb, str):
            found[verb] = cls
    return found


COMMANDS: dict[str, type[Command]] = _verbs()
"""Every write verb (product.md §2, and the supervision verbs of issue 3), by CLI verb, in the
order they are declared here: every subclass of :class:`Command` that names a ``verb``."""

LINE_FIELDS = frozenset({"actor", "occurred_at", "command_id", "case_no", "reward_no"})
"""Fields a journal line or the CLI's common options set; a verb's own args are the rest."""


def verb_fields(cls: type[Command]) -> dict[str, FieldInfo]:
    """A verb's own args (its CLI options, its journal ``args``), in declaration order."""
    return {name: info for name, info in cls.model_fields.items() if name not in LINE_FIELDS}


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
    unreadable = list(text_errors(data))
    if unreadable:
        raise InvalidInputs(unreadable)
    try:
        return cls.model_validate(data, context={"limits": limits})
    except ValidationError as exc:
        raise InvalidInputs(
            [(".".join(str(p) for p in err["loc"]) or verb, _reason(err)) for err in exc.errors()]
        ) from None


def text_errors(value: Any, where: str = "") -> Iterator[tuple[str, str]]:
    """(field, reason) for every string in ``value`` — keys too, nested in lists and objects —
    that breaks the input rules of :func:`text_problem` (newlines and tabs allowed: the types
    of the fields hold one-line values to more). Run before the models, so that no field, not
    even an unknown one or a time, carries such text into a message, a store or a terminal."""
    if _readable(value):  # the usual case, checked without a generator per string
        return iter(())
    return _text_errors(value, where)


def _readable(value: Any) -> bool:
    """True when :func:`text_errors` of ``value`` finds nothing."""
    if isinstance(value, str):
        return value.isprintable() or text_problem(value, lines=True) is None
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and not key.isprintable() and text_problem(key) is not None:
                return False
            if isinstance(item, str):  # most values: no call per string
                if not item.isprintable() and text_problem(item, lines=True) is not None:
                    return False
            elif not _readable(item):
                return False
        return True
    if isinstance(value, list | tuple):
        return all(_readable(item) for item in value)
    return True


def _text_errors(value: Any, where: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        problem = text_problem(value, lines=True)
        if problem:
            yield where or "value", problem
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{where}.{key}" if where else str(key)
            if isinstance(key, str) and text_problem(key, lines=False):
                yield where or "key", f"a key {text_problem(key, lines=False)}"
                continue
            yield from _text_errors(item, name)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _text_errors(item, f"{where}.{index}" if where else str(index))


def _reason(err: Any) -> str:
    message = str(err["msg"])
    if err["type"] == "extra_forbidden":
        return "unknown field"
    if err["type"] in ("too_short", "string_too_short") and isinstance(err.get("input"), str):
        return "must not be empty"
    return message.removeprefix("Value error, ")
