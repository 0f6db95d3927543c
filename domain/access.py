"""Who read what (issue 11 §3, PIPL Art. 6/51, MLPS audit): the access log.

Each access entry is an aggregate of its own with one event, :class:`AccessEntry.AccessRecorded`
— who, when, what they did, which cases, for what purpose, whether names were masked, whether it
was allowed and why not — so that readers recording at the same moment never meet a version
conflict. Like every stored event, the entry is appended to the hash chain (``storage/chain.py``)
and never changed: ``verify`` names an edited or deleted entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

ACTIONS = ("show", "history", "ledger", "due", "access-log")
"""What a reader did (the read verbs whose answer may show personal details)."""


class AccessEntry(Aggregate):
    """One read (or refused read) of personal details."""

    TOPIC: ClassVar[str] = "disputes:AccessEntry"

    class Event(Aggregate.Event):
        TOPIC = "disputes:AccessEntry.Event"

    class AccessRecorded(Event, Aggregate.Created):
        TOPIC = "disputes:AccessEntry.AccessRecorded"
        person: str
        at: datetime
        action: str
        cases: list[str]
        purpose: str | None
        masked: bool
        allowed: bool
        reason: str

    @staticmethod
    def create_id(**_: object) -> UUID:
        return uuid4()

    @event(AccessRecorded)
    def __init__(
        self,
        *,
        person: str,
        at: datetime,
        action: str,
        cases: list[str],
        purpose: str | None,
        masked: bool,
        allowed: bool,
        reason: str,
    ) -> None:
        """Recorded: ``person`` did ``action`` on ``cases`` at ``at`` (UTC), for ``purpose``;
        ``masked`` when names were masked; ``allowed`` False (with ``reason``) when refused."""
        self.person = person
        self.at = at
        self.action = action
        self.cases = cases
        self.purpose = purpose
        self.masked = masked
        self.allowed = allowed
        self.reason = reason


def access_entry(
    person: str,
    at: datetime,
    action: str,
    cases: Sequence[str],
    *,
    purpose: str | None = None,
    masked: bool = False,
    allowed: bool = True,
    reason: str = "",
) -> AccessEntry:
    """A new access entry (to be saved by the application)."""
    return AccessEntry(
        person=person,
        at=at,
        action=action,
        cases=list(cases),
        purpose=purpose,
        masked=masked,
        allowed=allowed,
        reason=reason,
    )
