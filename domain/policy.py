"""The policy file: categories, sources, risk signals, observation and cadence (product.md §4).

The policy is TOML, validated by pydantic. The bundled default is ``policy.toml`` beside this
module; ``DISPUTES_POLICY`` names another file. The policy *version* is the first 12 hex digits of
the SHA-256 of the file's bytes, recorded on every event.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from importlib import resources
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from disputes.domain.errors import InvalidInput

POLICY_ENV = "DISPUTES_POLICY"
CODE_PATTERN = r"^[a-z][a-z0-9-]{0,39}$"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Label(_Frozen):
    """A value's names: ``zh`` (shown by default) and ``en`` (``--lang en``)."""

    zh: Annotated[str, Field(min_length=1, max_length=200)]
    en: Annotated[str, Field(min_length=1, max_length=200)]


class Observation(_Frozen):
    """观察期 rules: days of observation after resolution; longest gap between follow-ups."""

    default_days: Annotated[int, Field(ge=1, le=3650)] = 180
    minimum_days: Annotated[int, Field(ge=1, le=3650)] = 30
    follow_up_max_gap_days: Annotated[int, Field(ge=1, le=365)] = 30

    @model_validator(mode="after")
    def _default_not_below_minimum(self) -> Observation:
        if self.default_days < self.minimum_days:
            msg = "default_days must not be below minimum_days"
            raise ValueError(msg)
        return self


class TimeRules(_Frozen):
    """Occurred-time tolerance: minutes an occurred time may run ahead of the clock."""

    clock_skew_minutes: Annotated[int, Field(ge=0, le=60)] = 5


class Limits(_Frozen):
    """Longest accepted inputs, in characters (text) or counts."""

    summary_chars: Annotated[int, Field(ge=10, le=100_000)] = 2000
    text_chars: Annotated[int, Field(ge=10, le=100_000)] = 1000
    name_chars: Annotated[int, Field(ge=2, le=1000)] = 50
    max_parties: Annotated[int, Field(ge=1, le=10_000)] = 50
    max_people_involved: Annotated[int, Field(ge=1)] = 100_000


class Cadence(_Frozen):
    """Contact cadences and supervision thresholds for the due board (product.md §4)."""

    red_first_contact_hours: Annotated[int, Field(ge=1, le=720)] = 24
    red_contact_every_days: Annotated[int, Field(ge=1, le=365)] = 1
    yellow_first_contact_days: Annotated[int, Field(ge=1, le=365)] = 2
    yellow_contact_every_days: Annotated[int, Field(ge=1, le=365)] = 7
    follow_up_every_days: Annotated[int, Field(ge=1, le=365)] = 30
    referral_reply_days: Annotated[int, Field(ge=1, le=365)] = 7
    stalled_after_days: Annotated[int, Field(ge=1, le=3650)] = 15
    stalled_after_failed_mediations: Annotated[int, Field(ge=1, le=100)] = 3
    yellow_card_after_overdue_days: Annotated[int, Field(ge=0, le=365)] = 3
    red_card_after_overdue_days: Annotated[int, Field(ge=0, le=365)] = 7

    @model_validator(mode="after")
    def _cards_in_order(self) -> Cadence:
        if self.red_card_after_overdue_days < self.yellow_card_after_overdue_days:
            msg = "red_card_after_overdue_days must not be below yellow_card_after_overdue_days"
            raise ValueError(msg)
        return self


class Audit(_Frozen):
    """Audit rules: an entry recorded more than ``late_entry_hours`` after it occurred is
    marked late (补录) in the audit trail."""

    late_entry_hours: Annotated[int, Field(ge=1, le=24 * 365)] = 72


class Accounts(_Frozen):
    """Accounts and sessions (issue 11, docs/trust.md §2): an account is locked after
    ``max_failed_attempts`` failed sign-ins in a row (until a system administrator unlocks it);
    a session ends after ``idle_minutes`` without use and ``absolute_hours`` after sign-in,
    whichever comes first; a password is at least ``min_password_length`` characters."""

    max_failed_attempts: Annotated[int, Field(ge=1, le=100)] = 5
    idle_minutes: Annotated[int, Field(ge=1, le=24 * 60)] = 30
    absolute_hours: Annotated[int, Field(ge=1, le=24 * 31)] = 12
    min_password_length: Annotated[int, Field(ge=8, le=128)] = 12

    @model_validator(mode="after")
    def _idle_within_absolute(self) -> Accounts:
        if self.idle_minutes > self.absolute_hours * 60:
            msg = "idle_minutes must not exceed absolute_hours"
            raise ValueError(msg)
        return self


OUTCOME_KINDS = ("criminal-case", "public-order-case", "homicide", "mass-incident", "petition")
"""The kinds of serious outcome (``outcome --kind``), weighed by ``[rating.outcome_penalty]``."""
Score = Annotated[int, Field(ge=0, le=100)]


class Rating(_Frozen):
    """五星警务室: the half-year score of a village police room (out of 100) and its stars.

    Each share (first contact on time, cadence kept, follow-ups on time, settled) earns its
    weight times the share (a share with nothing due counts in full); each dispute found
    actively earns ``found_actively_points`` up to ``found_actively_max``; relapses, overdue
    cards, supervision orders and serious outcomes take their penalties; the score is kept
    within 0–100. ``stars`` lists the lowest score for one, two, … five stars."""

    first_contact_weight: Annotated[int, Field(ge=0, le=100)] = 15
    cadence_weight: Annotated[int, Field(ge=0, le=100)] = 15
    follow_up_weight: Annotated[int, Field(ge=0, le=100)] = 15
    settled_weight: Annotated[int, Field(ge=0, le=100)] = 25
    found_actively_points: Annotated[int, Field(ge=0, le=100)] = 2
    found_actively_max: Annotated[int, Field(ge=0, le=100)] = 30
    relapse_penalty: Annotated[int, Field(ge=0, le=100)] = 5
    overdue_card_penalty: Annotated[int, Field(ge=0, le=100)] = 2
    supervision_order_penalty: Annotated[int, Field(ge=0, le=100)] = 3
    outcome_penalty: dict[str, Annotated[int, Field(ge=0, le=100)]] = {
        "homicide": 100,
        "criminal-case": 40,
        "mass-incident": 30,
        "public-order-case": 10,
        "petition": 10,
    }
    stars: Annotated[list[Score], Field(min_length=5, max_length=5)] = [40, 55, 70, 80, 90]

    @model_validator(mode="after")
    def _known_outcomes_and_rising_stars(self) -> Rating:
        unknown = sorted(set(self.outcome_penalty) - set(OUTCOME_KINDS))
        if unknown:
            kinds = ", ".join(OUTCOME_KINDS)
            msg = f"outcome_penalty: unknown outcome kind {unknown[0]} (one of {kinds})"
            raise ValueError(msg)
        if any(b < a for a, b in zip(self.stars, self.stars[1:], strict=False)):
            msg = "stars must not fall: the lowest score for one, two, … five stars"
            raise ValueError(msg)
        return self


CodeMap = dict[Annotated[str, Field(pattern=CODE_PATTERN)], Label]

DEFAULT_PURPOSES: dict[str, Label] = {
    "casework": Label(zh="办案", en="casework"),
    "supervision": Label(zh="督办", en="supervision"),
    "audit": Label(zh="审计", en="audit"),
    "statistics": Label(zh="统计", en="statistics"),
}


class Access(_Frozen):
    """Who read what (issue 11): the purposes (查阅事由) a read beyond one's own station, or an
    auditor's unmasked read, must state (docs/trust.md §1)."""

    purposes: Annotated[CodeMap, Field(min_length=1)] = DEFAULT_PURPOSES


class Policy(_Frozen):
    """A validated policy. ``version`` and ``text`` are filled in by :func:`load_policy`."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    observation: Observation = Observation()
    time: TimeRules = TimeRules()
    limits: Limits = Limits()
    cadence: Cadence = Cadence()
    audit: Audit = Audit()
    accounts: Accounts = Accounts()
    access: Access = Access()
    rating: Rating = Rating()
    categories: Annotated[CodeMap, Field(min_length=1)]
    sources: Annotated[CodeMap, Field(min_length=1)]
    signals: CodeMap = {}
    version: str = ""
    text: str = ""


def policy_version(data: bytes) -> str:
    """Return the version of a policy file: the first 12 hex digits of SHA-256 of its bytes."""
    return hashlib.sha256(data).hexdigest()[:12]


def parse_policy(data: bytes, origin: str = "policy") -> Policy:
    """Validate policy bytes (UTF-8 TOML). Raises :class:`InvalidInput` naming the bad key."""
    try:
        text = data.decode("utf-8")
        raw = tomllib.loads(text)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(origin, f"not valid UTF-8 TOML: {exc}") from None
    try:
        policy = Policy.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InvalidInput(f"{origin} [{where}]", first["msg"]) from None
    return policy.model_copy(update={"version": policy_version(data), "text": text})


def load_policy(path: str | os.PathLike[str] | None = None) -> Policy:
    """Load the policy from ``path``, else ``$DISPUTES_POLICY``, else the bundled default.

    Raises :class:`InvalidInput` (field ``DISPUTES_POLICY`` or the file) when unreadable or invalid.
    """
    chosen = path if path is not None else os.environ.get(POLICY_ENV) or None
    if chosen is None:
        data = resources.files("disputes.domain").joinpath("policy.toml").read_bytes()
        return parse_policy(data, "policy.toml")
    try:
        data = Path(chosen).read_bytes()
    except OSError as exc:
        raise InvalidInput(
            POLICY_ENV, f"cannot read policy file {chosen}: {exc.strerror}"
        ) from None
    return parse_policy(data, str(chosen))
