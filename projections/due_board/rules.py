"""The due board's rules: the facts of a case that drive its clocks, the clocks those facts
start (product.md §4 cadences, issue 3 stall rule), their intervals under a cadence and the
supervision levels. Times are integer microseconds since the Unix epoch (UTC); the intervals,
the levels and the conversions are in :mod:`.times`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from disputes.domain.closure import observation_window
from disputes.domain.model import Dispute
from disputes.projections.due_board.times import LEVELS, micros, moment

KINDS = ("first-contact", "contact", "follow-up", "referral-reply", "observation-end", "stalled")
RULES: dict[str, str] = {
    "first-contact:red": "first-contact",
    "first-contact:yellow": "first-contact",
    "contact:red": "contact",
    "contact:yellow": "contact",
    "follow-up": "follow-up",
    "referral-reply": "referral-reply",
    "observation-end": "observation-end",
    "stalled:days": "stalled",
    "stalled:failures": "stalled",
}
"""Each clock's rule and the kind of due item it produces."""


RunningClock = tuple[str, int, int]
"""A running clock: ``(rule, n, anchor_at)``; ``n`` is the referral number (referral-reply),
the failed mediation's ordinal (stalled:failures), else 0."""


@dataclass
class CaseFacts:
    """What the due board knows of one case (a ``due_cases`` row)."""

    case_no: str
    status: str
    station: str
    grade: str | None = None
    leader: str | None = None
    officer: str | None = None
    graded_at: int | None = None
    """When the case took its current grade: grading, escalation, downgrade or relapse."""
    last_contact_at: int | None = None
    """Last visit or mediation since the case was graded (or relapsed); None before any."""
    observation: dict[str, Any] = field(default_factory=dict)
    """The latest resolution and the follow-ups since: ``resolved``, ``days``, ``gap`` and
    ``follow_ups`` (sorted; late entries slot in); empty while the case is not observing."""
    open_referrals: dict[int, int] = field(default_factory=dict)
    """Referral number → when it was referred, for referrals without a receipt."""
    failed_mediations: list[int] = field(default_factory=list)
    """Times of the failed mediations since the case was graded (or relapsed)."""
    open_orders: dict[int, str] = field(default_factory=dict)
    """Supervision order number → level, for orders not answered yet."""
    _window: tuple[dict[str, Any], int | None] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    """The observation the window below was computed for, and its end (``observation`` is
    replaced, never changed in place, so the same object gives the same window)."""

    @property
    def observation_anchor(self) -> int | None:
        """The resolution, or the latest follow-up since: the next follow-up is due from it."""
        if not self.observation:
            return None
        anchor: int = max([self.observation["resolved"], *self.observation["follow_ups"]])
        return anchor

    @property
    def observe_until(self) -> int | None:
        """The end of the current observation window (it restarts after a gap, §3)."""
        observation = self.observation
        if not observation:
            return None
        known = self._window
        if known is not None and known[0] is observation:
            return known[1]
        window = observation_window(
            moment(observation["resolved"]),
            observation["days"],
            observation["gap"],
            [moment(t) for t in observation["follow_ups"]],
        )
        until = micros(window.until)
        self._window = (observation, until)
        return until

    @property
    def order_level(self) -> int:
        """Rank (see LEVELS) of the most urgent open supervision order; 0 without one."""
        return max((LEVELS.index(level) for level in self.open_orders.values()), default=0)

    def apply(self, event: Dispute.Event, at: int) -> bool:
        """Take one event into the facts; returns False when the event changes none of them."""
        match event:
            case Dispute.Graded() | Dispute.Relapsed():
                self.status, self.grade, self.graded_at = "open", event.grade, at
                self.last_contact_at, self.failed_mediations = None, []
                self.observation = {}
            case Dispute.Assigned():
                self.leader, self.officer = event.leader, event.officer
            case Dispute.Visited():
                self.last_contact_at = max(at, self.last_contact_at or at)
            case Dispute.Mediated():
                self.last_contact_at = max(at, self.last_contact_at or at)
                if event.result == "failed":
                    self.failed_mediations = sorted([*self.failed_mediations, at])
            case Dispute.Referred():
                self.open_referrals = {**self.open_referrals, event.referral: at}
            case Dispute.ReceiptRecorded():
                self.open_referrals = {
                    n: t for n, t in self.open_referrals.items() if n != event.referral
                }
            case Dispute.Escalated():
                self.grade, self.graded_at = "red", at
            case Dispute.Downgraded():
                self.grade, self.graded_at = "yellow", at
            case Dispute.Resolved():
                self.status, self.grade = "observing", "blue"
                self.observation = {
                    "resolved": at,
                    "days": event.observe_days,
                    "gap": event.follow_up_max_gap_days,
                    "follow_ups": [],
                }
            case Dispute.FollowedUp():
                if not self.observation:
                    return False
                follow_ups = sorted([*self.observation["follow_ups"], at])
                self.observation = {**self.observation, "follow_ups": follow_ups}
            case Dispute.Closed():
                self.status = "closed"
            case Dispute.Supervised():
                self.open_orders = {**self.open_orders, event.order: event.level}
            case Dispute.SupervisionAnswered():
                self.open_orders = {
                    n: level for n, level in self.open_orders.items() if n not in event.orders
                }
            case _:
                return False
        return True

    def clocks(self) -> list[RunningClock]:
        """The clocks running on the case (product.md §4 cadences, issue 3 stall rule)."""
        running: list[RunningClock] = []
        if self.status == "open" and self.graded_at is not None and self.grade in ("red", "yellow"):
            if self.last_contact_at is None:
                running.append((f"first-contact:{self.grade}", 0, self.graded_at))
            else:
                since = max(self.last_contact_at, self.graded_at)
                running.append((f"contact:{self.grade}", 0, since))
            if self.grade == "yellow":
                running.append(("stalled:days", 0, self.graded_at))
                running.extend(
                    ("stalled:failures", k, max(self.graded_at, t))
                    for k, t in enumerate(self.failed_mediations, start=1)
                )
        if self.status == "observing":
            if self.observation_anchor is not None:
                running.append(("follow-up", 0, self.observation_anchor))
            if self.observe_until is not None:
                running.append(("observation-end", 0, self.observe_until))
        if self.status in ("open", "observing"):
            running.extend(("referral-reply", n, t) for n, t in self.open_referrals.items())
        return running
