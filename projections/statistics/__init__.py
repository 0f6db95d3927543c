"""统计 — the figures leaders report upward (issue 12), counted from the dispute events.

- :mod:`.projection` — the ``Statistics`` projection: the facts of every case and event
  (append-only tables ``stat_cases`` and ``stat_events``);
- :mod:`.cases` — a case as the figures see it (:class:`CaseLine`), read for a period;
- :mod:`.figures` — the figures of a period (:class:`Figures`, defined in docs/statistics.md);
- :mod:`.clocks` — the contact and follow-up deadlines of a case, met or missed;
- :mod:`.rating` — 五星警务室, the half-year rating of a village police room.

Figures are counted when asked, from the facts of the cases in question, for any period: the
tables hold facts, never totals, so late entries (补录) land in the right period and a past
report is reproduced from the facts recorded by then.
"""

from disputes.projections.statistics.cases import ACTIVE_SOURCES, CaseLine, load_cases
from disputes.projections.statistics.figures import KEYS, OUTCOME_KINDS, Figures, Standing, count
from disputes.projections.statistics.projection import Statistics
from disputes.projections.statistics.rating import RatingInputs, Score, inputs, score

__all__ = [
    "ACTIVE_SOURCES",
    "KEYS",
    "OUTCOME_KINDS",
    "CaseLine",
    "Figures",
    "RatingInputs",
    "Score",
    "Standing",
    "Statistics",
    "count",
    "inputs",
    "load_cases",
    "score",
]
