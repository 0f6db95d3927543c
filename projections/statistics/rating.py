"""五星警务室: the half-year rating of each village police room, from events only.

:func:`rate` counts a village's inputs over the half (:class:`RatingInputs`) and scores them
with the policy's ``[rating]`` weights (:func:`score`): shares earn their weight, disputes found
actively earn points up to a cap, relapses, overdue cards, supervision orders and serious
outcomes take penalties, and the stars follow the policy's thresholds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from disputes.domain.policy import Cadence, Rating
from disputes.projections.statistics.cases import CaseLine
from disputes.projections.statistics.clocks import deadlines
from disputes.projections.statistics.figures import OUTCOME_KINDS


def _share(met: int, due: int) -> float | None:
    return None if due == 0 else round(met / due, 4)


@dataclass
class RatingInputs:
    """What a village police room did in the half (keys: docs/statistics.md, "Ratings")."""

    reported: int = 0
    found_actively: int = 0
    first_contacts_due: int = 0
    first_contacts_on_time: int = 0
    contacts_due: int = 0
    contacts_on_time: int = 0
    follow_ups_due: int = 0
    follow_ups_on_time: int = 0
    to_settle: int = 0
    settled: int = 0
    relapses: int = 0
    overdue_cards: int = 0
    supervision_orders: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOME_KINDS, 0))

    @property
    def first_contact_on_time(self) -> float | None:
        return _share(self.first_contacts_on_time, self.first_contacts_due)

    @property
    def cadence_kept(self) -> float | None:
        return _share(self.contacts_on_time, self.contacts_due)

    @property
    def follow_ups_on_time_share(self) -> float | None:
        return _share(self.follow_ups_on_time, self.follow_ups_due)

    @property
    def settled_share(self) -> float | None:
        return _share(self.settled, self.to_settle)

    def as_json(self) -> dict[str, Any]:
        return {
            **self.__dict__,
            "outcomes": dict(self.outcomes),
            "first_contact_on_time": self.first_contact_on_time,
            "cadence_kept": self.cadence_kept,
            "follow_ups_on_time_share": self.follow_ups_on_time_share,
            "settled_share": self.settled_share,
        }


def inputs(
    cases: Sequence[CaseLine], start: datetime, end: datetime, cadence: Cadence
) -> RatingInputs:
    """The rating inputs of ``cases`` (one village's) over ``[start, end)``."""
    got = RatingInputs()
    card = timedelta(days=cadence.yellow_card_after_overdue_days)
    for case in cases:
        if start <= case.reported_at < end:
            got.reported += 1
            got.found_actively += case.active
        if start <= case.reported_at < end or case.status_before(start) in ("reported", "open"):
            got.to_settle += 1
            got.settled += case.status_before(end) in ("observing", "closed")
        for deadline in deadlines(case, cadence, end):
            if deadline.due < start:
                continue
            on_time = deadline.met_at is not None and deadline.met_at <= deadline.due
            if deadline.rule == "first-contact":
                got.first_contacts_due += 1
                got.first_contacts_on_time += on_time
            elif deadline.rule == "contact":
                got.contacts_due += 1
                got.contacts_on_time += on_time
            else:
                got.follow_ups_due += 1
                got.follow_ups_on_time += on_time
            late = deadline.late_by(end)
            got.overdue_cards += late > timedelta(0) and late >= card
        got.relapses += len(case.within("Relapsed", start, end))
        got.supervision_orders += len(case.within("SupervisionOrdered", start, end))
        for outcome in case.within("OutcomeRecorded", start, end):
            if outcome.value is not None:
                got.outcomes[outcome.value] = got.outcomes.get(outcome.value, 0) + 1
    return got


@dataclass(frozen=True)
class Score:
    points: float
    stars: int
    parts: dict[str, float]
    """Each part of the score (earned points positive, penalties negative)."""


def score(got: RatingInputs, rule: Rating) -> Score:
    """The score (0–100) and stars of ``got`` under the policy's ``[rating]``."""

    def earned(weight: int, share: float | None) -> float:
        return weight * (1.0 if share is None else share)

    parts = {
        "first_contact": earned(rule.first_contact_weight, got.first_contact_on_time),
        "cadence": earned(rule.cadence_weight, got.cadence_kept),
        "follow_up": earned(rule.follow_up_weight, got.follow_ups_on_time_share),
        "settled": earned(rule.settled_weight, got.settled_share),
        "found_actively": float(
            min(got.found_actively * rule.found_actively_points, rule.found_actively_max)
        ),
        "relapses": -float(got.relapses * rule.relapse_penalty),
        "overdue_cards": -float(got.overdue_cards * rule.overdue_card_penalty),
        "supervision_orders": -float(got.supervision_orders * rule.supervision_order_penalty),
        "outcomes": -float(
            sum(n * rule.outcome_penalty.get(kind, 0) for kind, n in got.outcomes.items())
        ),
    }
    points = round(min(100.0, max(0.0, sum(parts.values()))), 1)
    stars = sum(points >= threshold for threshold in rule.stars)
    return Score(points, stars, {k: round(v, 1) + 0.0 for k, v in parts.items()})
