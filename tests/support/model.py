"""The lists of every event and every verb, read off the model rather than kept by hand: a new
event or verb is then in every test that goes through them all, without anyone adding it."""

from __future__ import annotations

from disputes.domain.commands import COMMANDS, CaseCommand
from disputes.domain.model import Dispute, dispute_events

CASE_EVENTS: tuple[type[Dispute.Event], ...] = tuple(dispute_events())
"""Every event of a case, in the order ``Dispute`` declares them (``Reported`` first)."""

VERBS: tuple[str, ...] = tuple(COMMANDS)
"""Every write verb, as the CLI spells it."""

CASE_VERB_NAMES: tuple[str, ...] = tuple(
    verb for verb, command in COMMANDS.items() if issubclass(command, CaseCommand)
)
"""Every write verb on an existing case (all but ``report``)."""
