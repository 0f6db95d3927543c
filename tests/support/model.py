"""The lists of every event and every verb, read off the model rather than kept by hand: a new
event or verb is then in every test that goes through them all, without anyone adding it."""

from __future__ import annotations

from disputes.domain.commands import COMMANDS, CaseCommand
from disputes.domain.model import VERB_EVENTS, Dispute, dispute_events
from disputes.domain.rewards import REWARD_VERB_EVENTS

CASE_EVENTS: tuple[type[Dispute.Event], ...] = tuple(dispute_events())
"""Every event of a case, in the order ``Dispute`` declares them (``Reported`` first)."""

VERBS: tuple[str, ...] = tuple(COMMANDS)
"""Every write verb, as the CLI spells it."""

CASE_VERB_NAMES: tuple[str, ...] = tuple(
    verb
    for verb, command in COMMANDS.items()
    if issubclass(command, CaseCommand) and verb in VERB_EVENTS
)
"""Every write verb that records an event on an existing case (all case verbs but ``report``;
``propose-reward`` names a case but records a reward, see REWARD_VERBS)."""

REWARD_VERBS: tuple[str, ...] = tuple(REWARD_VERB_EVENTS)
"""The verbs of informant rewards (issue 13): their events are a reward's, not a case's."""

CASE_EVENT_VERBS: tuple[str, ...] = tuple(verb for verb in VERBS if verb not in REWARD_VERBS)
"""Every verb that records an event of a case (``report`` and the case verbs)."""
