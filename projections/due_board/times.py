"""The due board's times and levels (split from :mod:`.rules` so that the board's queries,
:mod:`.board`, import neither the aggregate nor the policy model — issue 15's quick reads):
microseconds since the epoch, the supervision levels, and each rule's interval under a cadence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from disputes.domain.policy import Cadence

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
HOUR = 3_600_000_000
DAY = 24 * HOUR
FOREVER = 2**62
"""A bound later than any due time (microseconds)."""

LEVELS = ("normal", "yellow-card", "red-card")
"""Supervision levels (普通, 黄牌, 红牌), least to most urgent; the index is the level's rank."""


def micros(moment: datetime) -> int:
    """A timezone-aware time as integer microseconds since the epoch."""
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def moment(micros_: int) -> datetime:
    """Integer microseconds since the epoch as a timezone-aware time (UTC)."""
    return EPOCH + timedelta(microseconds=micros_)


def intervals(cadence: Cadence) -> list[tuple[str, int, int]]:
    """``(rule, interval in µs, n)`` for every rule under ``cadence``.

    ``n`` selects rows: 0 takes every row of the rule; otherwise only rows with that ``n`` (the
    stall by failed mediations is due at the failure that reaches the policy's count).
    """
    return [
        ("first-contact:red", cadence.red_first_contact_hours * HOUR, 0),
        ("first-contact:yellow", cadence.yellow_first_contact_days * DAY, 0),
        ("contact:red", cadence.red_contact_every_days * DAY, 0),
        ("contact:yellow", cadence.yellow_contact_every_days * DAY, 0),
        ("follow-up", cadence.follow_up_every_days * DAY, 0),
        ("referral-reply", cadence.referral_reply_days * DAY, 0),
        ("observation-end", 0, 0),
        ("stalled:days", cadence.stalled_after_days * DAY, 0),
        ("stalled:failures", 0, cadence.stalled_after_failed_mediations),
    ]
