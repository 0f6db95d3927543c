"""Bitemporal replay.

- *as of* an occurred time T: what had happened by T, as now recorded;
- *known at* a recorded time T: what the store held at T (events recorded by then).

Per case, both select a prefix of its events (occurred times never go backwards within a case;
recorded times grow with versions), so a case is replayed to a version — from the nearest
snapshot — and the ledger is rebuilt in memory by the ledger projection itself from the events
that pass the filter (:meth:`disputes.storage.store.Store.ledger_of`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from disputes.domain.clock import local_iso
from disputes.domain.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from disputes.domain.model import Dispute
    from disputes.storage.store import Row, Store


def case_version(
    store: Store, case_no: str, as_of: datetime | None = None, known_at: datetime | None = None
) -> int:
    """The last version of ``case_no`` that occurred by ``as_of`` and was recorded by
    ``known_at`` (either may be None). Raises CaseNotFound when none qualifies."""
    version = store.last_version(case_no, occurred_by=as_of, recorded_by=known_at)
    if version is None:
        store.app.get_case(case_no)  # CaseNotFound when there is no such case at all
        when = local_iso(as_of) if as_of is not None else f"known at {local_iso(known_at)}"
        msg = f"case {case_no} had not been reported by {when}"
        raise NotFound(msg)
    return version


def case_as_of(
    store: Store, case_no: str, as_of: datetime | None = None, known_at: datetime | None = None
) -> Dispute:
    """Replay ``case_no`` as it stood (see :func:`case_version`)."""
    return store.app.get_case(case_no, version=case_version(store, case_no, as_of, known_at))


def ledger_as_of(
    store: Store,
    as_of: datetime | None = None,
    known_at: datetime | None = None,
    **filters: str | None,
) -> list[Row]:
    """Ledger rows as they stood (same shape and filters as the live ledger).

    Raises :class:`InvalidInput` (``--as-of``/``--known-at``) when T is before the first event.
    """
    earliest_occurred, earliest_recorded = store.first_times()
    if as_of is not None and (earliest_occurred is None or as_of < earliest_occurred):
        raise InvalidInput("--as-of", f"{local_iso(as_of)} is before the first event")
    if known_at is not None and (earliest_recorded is None or known_at < earliest_recorded):
        raise InvalidInput("--known-at", f"{local_iso(known_at)} is before the first record")
    events = (
        event
        for event in store.dispute_events()
        if (as_of is None or event.occurred_at <= as_of)
        and (known_at is None or event.timestamp <= known_at)
    )
    return store.ledger_of(events, **filters)
