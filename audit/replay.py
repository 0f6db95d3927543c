"""Bitemporal replay.

- *as of* an occurred time T: what had happened by T, as now recorded;
- *known at* a recorded time T: what the store held at T (events recorded by then).

Per case, both select a prefix of its events (occurred times never go backwards within a case;
recorded times grow with versions), so a case is replayed to a version — from the nearest
snapshot — and the ledger is rebuilt in memory by the ledger projection itself from the events
that pass the filter.
"""

from __future__ import annotations

from datetime import datetime

from disputes.domain.clock import local_iso
from disputes.domain.errors import InvalidInput, NotFound
from disputes.domain.model import Dispute
from disputes.projections.base import Row, ViewDatabase, iso
from disputes.projections.ledger import Ledger, case_no_of, list_cases
from disputes.projections.runner import dispute_topics
from disputes.storage.store import Store


def case_version(
    store: Store, case_no: str, as_of: datetime | None = None, known_at: datetime | None = None
) -> int:
    """The last version of ``case_no`` that occurred by ``as_of`` and was recorded by
    ``known_at`` (either may be None). Raises CaseNotFound when none qualifies."""
    store.catch_up()
    sql = "SELECT MAX(version) AS v FROM history WHERE case_no = ?"
    params: list[str | None] = [case_no]
    if as_of is not None:
        sql += " AND occurred_at <= ?"
        params.append(iso(as_of))
    if known_at is not None:
        sql += " AND recorded_at <= ?"
        params.append(iso(known_at))
    version = store.views.query(sql, params)[0]["v"]
    if version is None:
        store.app.get_case(case_no)  # CaseNotFound when there is no such case at all
        when = local_iso(as_of) if as_of is not None else f"known at {local_iso(known_at)}"
        msg = f"case {case_no} had not been reported by {when}"
        raise NotFound(msg)
    return int(version)


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
    store.catch_up()
    first = store.views.query("SELECT MIN(occurred_at) AS o, MIN(recorded_at) AS r FROM history")
    earliest_occurred, earliest_recorded = first[0]["o"], first[0]["r"]
    if as_of is not None and (earliest_occurred is None or iso(as_of) < earliest_occurred):
        raise InvalidInput("--as-of", f"{local_iso(as_of)} is before the first event")
    if known_at is not None and (earliest_recorded is None or iso(known_at) < earliest_recorded):
        raise InvalidInput("--known-at", f"{local_iso(known_at)} is before the first record")
    memory = ViewDatabase(":memory:")
    ledger = Ledger()
    try:
        with memory.transaction() as cursor:
            for ddl in ledger.tables:
                cursor.execute(ddl)
            start = 0
            topics = dispute_topics()
            while True:
                batch = store.app.recorder.select_notifications(
                    start=start, limit=2000, topics=topics, inclusive_of_start=False
                )
                if not batch:
                    break
                for notification in batch:
                    event = store.app.mapper.to_domain_event(notification)
                    assert isinstance(event, Dispute.Event)
                    if as_of is not None and event.occurred_at > as_of:
                        continue
                    if known_at is not None and event.timestamp > known_at:
                        continue
                    if isinstance(event, Dispute.Reported):
                        case_no: str | None = event.case_no
                    else:
                        case_no = case_no_of(cursor, str(event.originator_id))
                    assert case_no is not None
                    ledger.process(cursor, event, case_no)
                start = batch[-1].id
        return list_cases(memory, **filters)
    finally:
        memory.close()
