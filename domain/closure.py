"""不化解不销案 — the closure rule (product.md §3), read off a case's state.

``closure_failures`` names every condition that fails; ``Dispute.close`` refuses with all of
them at once (:class:`~disputes.domain.errors.ClosureRefused`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from disputes.domain.values import Status

if TYPE_CHECKING:
    from disputes.domain.model import Dispute


def days(delta: timedelta) -> float:
    """A duration in days (fractional)."""
    return delta.total_seconds() / 86400


def closure_failures(case: Dispute, actor: str, at: datetime, max_gap_days: int) -> list[str]:
    """Every condition of product.md §3 that fails for closing ``case`` at ``at`` by ``actor``.

    Returns an empty list when the case may be closed. ``max_gap_days`` is the policy's
    longest allowed gap between follow-ups (回访), in days.
    """
    failures: list[str] = []
    if case.status != Status.OBSERVING:
        failures.append(f"1. the case must be observing (resolved, blue); it is {case.status}")
    if case.observe_until is not None and at < case.observe_until:
        left = days(case.observe_until - at)
        failures.append(
            f"2. the observation period runs until {case.observe_until.isoformat()} "
            f"({left:.1f} days left)"
        )
    elif case.observe_until is None:
        failures.append("2. no observation period has started (the case was never resolved)")
    gap = longest_gap_until(case, at)
    if gap is not None and days(gap[1] - gap[0]) > max_gap_days:
        failures.append(
            f"3. no follow-up for {days(gap[1] - gap[0]):.1f} days between "
            f"{gap[0].isoformat()} and {gap[1].isoformat()} (at most {max_gap_days})"
        )
    unanswered = [r for r in case.referrals if r.get("outcome") is None]
    if unanswered:
        listed = ", ".join(f"{r['referral']} ({r['to']})" for r in unanswered)
        failures.append(f"4. referrals without a receipt: {listed}")
    if actor != case.leader:
        failures.append(
            f"5. only the responsible leader ({case.leader or 'none assigned'}) may close; "
            f"{actor} is not"
        )
    if case.open_supervisions:
        listed = ", ".join(
            f"{o['order']} ({o['level']} by {o['actor']})" for o in case.open_supervisions
        )
        failures.append(f"6. supervision orders (督办) without an answer: {listed}")
    return failures


def longest_gap_until(case: Dispute, at: datetime) -> tuple[datetime, datetime] | None:
    """The longest stretch without a follow-up since the latest resolution, up to ``at``:
    (from, to), or None when the case was never resolved."""
    if case.observation_anchor is None:
        return None
    candidates = [(case.observation_anchor, at)]
    if case.longest_gap:
        candidates.append((case.longest_gap[0], case.longest_gap[1]))
    return max(candidates, key=lambda pair: pair[1] - pair[0])
