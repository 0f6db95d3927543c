"""跟办 — the due board (``DueBoard``): what is due and what is late, for any moment.

Three tables, all built from the dispute events only:

- ``due_cases`` — the facts of each case that drive its clocks: status, grade and when the case
  took that grade (``graded_at``: grading, escalation, downgrade or relapse), the last contact
  (visit or mediation) since grading, the observation anchor (resolution or last follow-up), the
  end of observation, the open referrals with their times, the failed mediations of the open
  spell, and the open supervision orders (督办).
- ``due_items`` — one row per clock running now: its ``rule`` (``contact:red``, ``follow-up``,
  …), the time the clock started (``anchor_at``), the responsible officer and leader, the level
  of the case's open supervision order, and since when the row holds (``valid_from``, the
  occurred time of the event that started it). Kept in ``(rule, anchor_at)`` order.
- ``due_history`` — the clocks that ended, with ``valid_to`` (the occurred time of the event that
  ended or changed them), kept in ``valid_to`` order. So the board *as it stood* at a past
  moment is still there to read: the rows with ``valid_from <= on < valid_to``.

Nothing stored is a deadline: a row's due time is ``anchor_at`` plus the interval the policy's
``[cadence]`` gives its rule, added when the board is read. Changing the cadence therefore takes
effect at once, for the past as for the future, and no stored timer can drift. Within one rule
the due time is the anchor plus a constant, so ``due_items`` in ``(rule, anchor_at)`` order is an
index on the due time: the board is a handful of range scans, never a replay of events.

Whether an item is overdue, by how many days, and the supervision level it earns (normal,
yellow card, red card: policy thresholds on the overdue days, or an open supervision order,
whichever is higher) are computed for the ``on`` moment of the query.

Times are stored as integer microseconds since the Unix epoch (UTC).

The package: :mod:`.rules` (the clocks each case's facts start, the supervision levels),
:mod:`.projection` (the three tables and how events change them), :mod:`.board` (the board's
queries, :func:`list_due` and :func:`due_summaries`).
"""

from typing import TYPE_CHECKING, Any

from disputes.projections.due_board.board import (
    FILTERS,
    DueItem,
    DueSummary,
    due_summaries,
    end_of_day,
    list_due,
)
from disputes.projections.due_board.times import LEVELS, intervals, micros

if TYPE_CHECKING:
    from disputes.projections.due_board.projection import DueBoard
    from disputes.projections.due_board.rules import RULES, CaseFacts

_LAZY = {"DueBoard": "projection", "RULES": "rules", "CaseFacts": "rules"}
"""Names of the modules that import the aggregate, loaded on first use: the board's queries
(:mod:`.board`) are read without them (issue 15's quick reads)."""


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    from importlib import import_module

    return getattr(import_module(f"{__name__}.{module}"), name)


__all__ = [
    "FILTERS",
    "LEVELS",
    "RULES",
    "CaseFacts",
    "DueBoard",
    "DueItem",
    "DueSummary",
    "due_summaries",
    "end_of_day",
    "intervals",
    "list_due",
    "micros",
]
