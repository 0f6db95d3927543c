"""The lists of every event and every verb, read off the model rather than kept by hand: a new
event or verb is then in every test that goes through them all, without anyone adding it."""

from __future__ import annotations

from disputes.domain.commands import COMMANDS, CaseCommand
from disputes.domain.model import Dispute

CASE_EVENTS: tuple[type[Dispute.Event], ...] = tuple(
    value
    for value in vars(Dispute).values()
    if isinstance(value, type)
    and issubclass(value, Dispute.Event)
    and value not in (Dispute.Event, Dispute.Created)
)
"""Every event of a case, in the order ``Dispute`` declares them (``Reported`` first). Not
``Dispute.Created``: eventsourcing adds that default to every aggregate; a case is created by
``Reported``."""

VERBS: tuple[str, ...] = tuple(COMMANDS)
"""Every write verb, as the CLI spells it."""

CASE_VERB_NAMES: tuple[str, ...] = tuple(
    verb for verb, command in COMMANDS.items() if issubclass(command, CaseCommand)
)
"""Every write verb on an existing case (all but ``report``)."""
