"""The duty desk of one scenario: a store, the scenario's clock, the case in hand, the answers.

Given steps :meth:`Desk.record` commands that must succeed; a When step :meth:`Desk.attempt`\\s
one command and keeps either its answer or its refusal; Then steps read the ledger, the case
history or the refusal. Nothing here touches the application's private state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import count
from typing import Any

from disputes.domain.application import Outcome
from disputes.domain.commands import build_command
from disputes.domain.errors import DisputesError, InvalidInput, InvalidInputs
from disputes.projections.base import Row
from disputes.projections.statistics import Score
from disputes.storage.store import Store


class ScenarioClock:
    """The scenario's "now": the application's clock, set and moved on by the scenario."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, days: int) -> None:
        self.now += timedelta(days=days)


class Desk:
    """Issues commands as the people of a scenario and reads what the store answers.

    The case in hand is the last case a command was recorded on (normally the last reported).
    Commands occur "now" on the scenario clock unless a step gives another occurred time.
    """

    def __init__(self, store: Store, clock: ScenarioClock) -> None:
        self.store = store
        self.clock = clock
        self.case_no: str | None = None
        self.leader: str | None = None
        self.officer = "P-WD-01"
        """Who records routine steps in Given steps: the responsible officer (冯桂芝 by default)."""
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.answers: list[Outcome] = []
        self.original: Outcome | None = None
        self.refusal: DisputesError | None = None
        self.events_before = 0
        self._ids = count(1)

    # -- writing -------------------------------------------------------------------------------

    def record(self, verb: str, actor: str, **args: Any) -> Outcome:
        """Record one command now (``at=`` overrides); raises when refused (Given steps)."""
        data: dict[str, Any] = {
            "actor": actor,
            "at": self.clock.now.isoformat(),
            "command_id": f"cmd-{next(self._ids)}",
        }
        if verb != "report":
            data["case"] = self.case_no
        return self._send(verb, {**data, **args})

    def attempt(self, verb: str, actor: str, **args: Any) -> None:
        """Issue one command; keep its answer or its refusal (When steps)."""
        self._try(lambda: self.record(verb, actor, **args))

    def resend(self, verb: str) -> None:
        """Send the last ``verb`` command again, same command id and all (a lost answer's retry).

        Its first answer is kept as :attr:`original`.
        """
        index = max(i for i, (sent, _) in enumerate(self.sent) if sent == verb)
        self.original = self.answers[index]
        self._try(lambda: self._send(*self.sent[index]))

    def _send(self, verb: str, data: dict[str, Any]) -> Outcome:
        outcome = self.store.execute(build_command(verb, data, self.store.policy.limits))
        self.sent.append((verb, data))
        self.answers.append(outcome)
        self.case_no = outcome.case_no
        return outcome

    def _try(self, action: Callable[[], Outcome]) -> None:
        self.events_before = self.events()
        try:
            action()
        except DisputesError as error:
            self.refusal = error

    # -- reading -------------------------------------------------------------------------------

    def answer(self) -> Outcome:
        """The answer to the When step's command (fails when it was refused)."""
        assert self.refusal is None, f"the command was refused: {self.refusal.message}"
        return self.answers[-1]

    def rating(self, half: str, village: str) -> Rated:
        """The half-year rating of a village's police room (五星警务室)."""
        return rating_of(self.store, half, village)

    def row(self) -> Row:
        """The ledger row of the case in hand (fails when the When step was refused)."""
        self.answer()
        assert self.case_no is not None, "no case was reported"
        row = self.store.ledger_row(self.case_no)
        assert row is not None, f"{self.case_no} is not in the ledger"
        return row

    def history(self) -> list[str]:
        """The event names of the case in hand's audit trail, in order."""
        assert self.case_no is not None, "no case was reported"
        return [entry["event"] for entry in self.store.history(self.case_no)]

    def events(self) -> int:
        """How many events the case in hand has (0 before any report)."""
        return 0 if self.case_no is None else len(self.history())

    def refused(self) -> DisputesError:
        """The refusal of the When step's command (fails when it was accepted)."""
        assert self.refusal is not None, "the command was accepted, expected a refusal"
        return self.refusal


def fields_named(error: DisputesError) -> list[str]:
    """The inputs an invalid-input refusal names (empty for other refusals)."""
    if isinstance(error, InvalidInputs):
        return [field for field, _ in error.errors]
    if isinstance(error, InvalidInput):
        return [error.field]
    return []


@dataclass(frozen=True)
class Rated:
    """A village police room's rating, and the policy version that made it."""

    score: Score
    policy_version: str


def rating_of(store: Store, half: str, village: str) -> Rated:
    """五星警务室: the rating of ``village``'s police room for ``half`` (``2022H1``)."""
    from disputes.storage.statistics import counting_views, half_period, rating

    with counting_views(store) as db:
        rows = rating(store, db, half_period(half))
    room = next(row for row in rows if row.village == village)
    return Rated(room.score, store.policy.version)
