"""Bitemporal replay.

- *as of* an occurred time T: what had happened by T, as now recorded;
- *known at* a recorded time T: what the store held at T (events recorded by then).

*Known at* selects a prefix of a case's events (recorded times grow with versions), replayed to a
version from the nearest snapshot. *As of* selects the events that had occurred by T: since late
entries (补录) may be recorded after events that occurred later, that is not always a prefix,
and such a case is replayed from the selected events. The ledger is rebuilt in memory by the
ledger projection itself from the events that pass the filter
(:meth:`disputes.storage.store.Store.ledger_of`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from disputes.domain.clock import local_iso
from disputes.domain.errors import InvalidInput, NotFound
from disputes.domain.model import Dispute, replay_selected

if TYPE_CHECKING:
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
    """Replay ``case_no`` as it stood: the events recorded by ``known_at`` (a prefix of
    versions) that had occurred by ``as_of`` — with late entries (补录) not always a prefix, so
    those are replayed one by one (:func:`~disputes.domain.model.replay_selected`)."""
    version = case_version(store, case_no, as_of, known_at)
    case = store.app.get_case(case_no, version=version)
    if as_of is None or case.last_occurred_at <= as_of:
        return case  # versions 1 … version all occurred by as_of: a prefix, from a snapshot
    selected = [
        event
        for event in store.app.events.get(case.id, lte=version)
        if isinstance(event, Dispute.Event | Dispute.Reported) and event.occurred_at <= as_of
    ]
    replayed = replay_selected(selected)
    assert replayed is not None  # the report occurred by as_of: case_version found a version
    return replayed


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
