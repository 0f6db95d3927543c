"""The reads of informant rewards (issue 13), as the store answers them: the rewards list and
the informant figures, caught up first, each row masked as its reader may see its informant
(:mod:`disputes.domain.informants`). :class:`~disputes.storage.store.Store` has them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from disputes.domain.informants import informant_shown
from disputes.projections.base import Row, iso
from disputes.projections.informants import list_informant_figures
from disputes.projections.rewards import list_rewards

if TYPE_CHECKING:
    from disputes.domain.application import DisputesApp
    from disputes.domain.policy import Policy
    from disputes.storage.views import ViewDatabase


class RewardReads:
    """The rewards list and the informant figures of a store."""

    app: DisputesApp
    views: ViewDatabase

    @property
    def policy(self) -> Policy:
        return self.app.policy

    def catch_up(self) -> int:
        raise NotImplementedError

    def rewards(
        self,
        reader: str | None = None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        purpose: str | None = None,
        **filters: str | None,
    ) -> list[Row]:
        """The rewards list (issue 13; filters as projections.rewards.list_rewards), caught up
        first, each row with ``informant_name``. For a ``reader`` who may not know the
        informant (:func:`~disputes.domain.informants.sees_informant`) the name is masked,
        the id withheld and ``masked`` true; filtering by an informant drops such rows."""
        self.catch_up()
        rows = list_rewards(
            self.views,
            since=None if since is None else iso(since),
            until=None if until is None else iso(until),
            **filters,
        )
        shown = [self._informant(row, reader, purpose) for row in rows]
        if filters.get("informant") is not None:  # who is behind a masked row stays unsaid
            shown = [row for row in shown if not row["masked"]]
        return shown

    def informant_figures(
        self,
        reader: str | None = None,
        *,
        station: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        purpose: str | None = None,
    ) -> list[Row]:
        """Per informant and station (issue 13): reports made, graded, resolved, rewards paid
        and their amount (projections.informants), caught up first; masked as
        :meth:`rewards` masks them."""
        self.catch_up()
        rows = list_informant_figures(
            self.views,
            station=station,
            since=None if since is None else iso(since),
            until=None if until is None else iso(until),
        )
        return [self._informant(row, reader, purpose) for row in rows]

    def _informant(self, row: Row, reader: str | None, purpose: str | None) -> Row:
        """``row`` as ``reader`` may see its informant (domain/informants.py)."""
        payer = self.policy.rewards.payer_role
        return informant_shown(self.app.roster, row, reader, payer_role=payer, purpose=purpose)
