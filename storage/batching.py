"""Batching: several commands' changes saved in one transaction (``disputes apply``).

:class:`BatchingApp` is the application service with a unit of work: while a unit is open,
``save`` keeps the changes in memory, and ``commit_unit`` writes them all at once.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any
from uuid import UUID

from eventsourcing.application import Repository, project_aggregate
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, Recording

from disputes.domain.application import DisputesApp
from disputes.domain.model import Dispute
from disputes.storage.decoding import CheckedMapper

RECENT_AGGREGATES = 5_000
"""Aggregates a unit of work keeps between batches (see :class:`UnitOfWork`), least recently
used first out. Bounds apply's memory: a case's aggregate with its command-id answers weighs
about 19 KB, so 20,000 kept cases grew a run's peak from 150 to 450 MB; a case read again after
it was dropped costs a replay, which at 10k cases measured no CPU difference between 2,000 and
20,000 kept (46.5 s both; 147 vs 253 MB peak)."""


class UnitOfWork:
    """Several commands' changes held in memory and saved in one transaction.

    While a unit is open, ``BatchingApp.save`` does not write: it takes the aggregates' pending
    events (in command order) and keeps the aggregates, and the repository answers from the
    unit's aggregates first, so a later command of the unit sees the earlier ones' changes.
    ``commit`` saves everything with one ``Application.save`` call (one transaction). When that
    fails, the pending events are gone with it: the caller abandons the unit and reloads — a
    failed unit is never saved again.
    """

    def __init__(self, start: int) -> None:
        self.start = start
        """The last notification id when the unit began."""
        self.aggregates: dict[UUID, Any] = {}
        self.changed: dict[UUID, Any] = {}
        self.events: list[DomainEventProtocol[UUID]] = []

    def untouched(self) -> bool:
        """True when no aggregate of the unit holds events that were not handed to save()."""
        return not any(getattr(a, "pending_events", None) for a in self.aggregates.values())


class UnitRepository(Repository[UUID]):
    """The library's repository, answering from the open unit of work (and from the aggregates
    of earlier units, as long as nobody else wrote to the store in between) before the store."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit: UnitOfWork | None = None
        self.recent: OrderedDict[UUID, Any] = OrderedDict()
        self.recent_through = -1
        """The last notification id when ``recent`` was known to be current."""
        # The library's own repository over the same stores, without the aggregate cache: a
        # unit reads each aggregate once and keeps it, so the cache's deep copy (and the stale
        # entry a mutated, abandoned aggregate would leave in it) is not wanted.
        self.uncached: Repository[UUID] = Repository(
            event_store=self.event_store, snapshot_store=self.snapshot_store
        )

    def get(self, aggregate_id: UUID, *, version: int | None = None, **kwargs: Any) -> Any:
        """The aggregate from the open unit, else from ``recent``, else from the store (latest
        version); with ``version``, or outside a unit, the library's own ``get``. Raises
        AggregateNotFoundError."""
        unit = self.unit
        if unit is None or version is not None:
            return super().get(aggregate_id, version=version, **kwargs)
        aggregate = unit.aggregates.get(aggregate_id)
        if aggregate is None:
            aggregate = self.recent.pop(aggregate_id, None)
            if aggregate is None:
                aggregate = self.uncached.get(aggregate_id, **kwargs)
            unit.aggregates[aggregate_id] = aggregate
        return aggregate


class BatchingApp(DisputesApp):
    """:class:`DisputesApp` that can save several commands in one transaction (``begin_unit``,
    ``commit_unit``, ``abandon_unit``); outside a unit it behaves exactly like DisputesApp."""

    name = DisputesApp.name

    def construct_repository(self) -> UnitRepository:
        """The library's repository, as configured by the environment, as a UnitRepository
        (sharing its aggregate cache)."""
        base = super().construct_repository()
        repository = UnitRepository(
            event_store=base.event_store,
            snapshot_store=base.snapshot_store,
            fastforward=base.fastforward,
            fastforward_skipping=base.fastforward_skipping,
            deepcopy_from_cache=base.deepcopy_from_cache,
        )
        repository.cache = base.cache
        return repository

    @property
    def units(self) -> UnitRepository:
        """The application's repository (a :class:`UnitRepository`, see construct_repository)."""
        repository = self.repository
        assert isinstance(repository, UnitRepository)
        return repository

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """``Application.save``; while a unit is open, the aggregates' pending events are taken
        into the unit instead (nothing is written, ``[]`` is returned)."""
        unit = self.units.unit
        if unit is None:
            return super().save(*objs, **kwargs)
        assert not kwargs, "a unit of work saves no keyword arguments"
        for obj in objs:
            if obj is None:
                continue
            unit.events.extend(obj.collect_events())
            unit.aggregates[obj.id] = obj
            unit.changed[obj.id] = obj
        return []

    def construct_mapper(self) -> Mapper[UUID]:
        """The library's mapper, checking each decoded event (:class:`CheckedMapper`)."""
        base = super().construct_mapper()
        return CheckedMapper(base.transcoder, compressor=base.compressor, cipher=base.cipher)

    def recorded_event(self, case: Dispute, version: int) -> Dispute.Event:
        """The event ``case`` recorded at ``version``: from the open unit when it holds it (a
        command id sent twice in one journal batch), else from the store."""
        unit = self.units.unit
        if unit is not None:
            for held in unit.events:
                if held.originator_id == case.id and held.originator_version == version:
                    assert isinstance(held, Dispute.Event | Dispute.Reported)
                    return held
        return super().recorded_event(case, version)

    def begin_unit(self) -> UnitOfWork:
        """Open a unit of work (units do not nest): saves are held until :meth:`commit_unit`."""
        repository = self.units
        assert repository.unit is None, "units of work do not nest"
        start = self.recorder.max_notification_id() or 0
        if start != repository.recent_through:
            repository.recent.clear()  # someone else wrote: reload what we read
        repository.unit = UnitOfWork(start)
        self.pin_roster()  # a batch is judged by one roster (checked once, not per command)
        return repository.unit

    def commit_unit(self) -> list[Recording[UUID]]:
        """Save the unit in one transaction. Raises what ``save`` raises (IntegrityError when
        another writer changed one of its aggregates); then call :meth:`abandon_unit`."""
        repository = self.units
        unit = repository.unit
        assert unit is not None
        repository.unit = None
        try:
            recordings = self._save_unit(unit) if unit.events else []
        except BaseException:
            repository.unit = unit
            raise
        self.unpin_roster()
        last = max((r.notification.id for r in recordings), default=unit.start)
        if unit.start + len(recordings) == last:
            recent = repository.recent
            for aggregate_id, aggregate in unit.aggregates.items():
                recent[aggregate_id] = aggregate
            while len(recent) > RECENT_AGGREGATES:
                recent.popitem(last=False)
            repository.recent_through = last
        else:  # another writer came in between: what we hold may be stale
            repository.recent.clear()
            repository.recent_through = -1
        return recordings

    def _save_unit(self, unit: UnitOfWork) -> list[Recording[UUID]]:
        """What ``Application.save(*events, *aggregates)`` does, through the library's public
        parts: the unit's events (collected from their aggregates as each command saved, in
        command order) put in one transaction by the event store; the aggregates put in the
        repository's cache (as ``save`` does); a snapshot taken of each aggregate whose event
        reached a snapshotting interval (``take_snapshot``, as ``save`` does); the ``notify``
        hook. ``save`` itself would first check every object against the library's runtime
        ``Protocol``s (``isinstance`` on typing Protocols: ≈ 10 % of a journal run, more than
        encoding the events). The private hook ``_notify`` is not called: nothing here
        overrides it (the library's is empty). Raises what ``EventStore.put`` raises."""
        recordings = self.events.put(unit.events)
        repository = self.repository
        if repository.cache and not repository.fastforward:
            for aggregate_id, aggregate in unit.changed.items():
                repository.cache.put(aggregate_id, aggregate)
        intervals = self.snapshotting_intervals
        if self.snapshots is not None and intervals:
            for event in unit.events:
                aggregate = unit.changed.get(event.originator_id)
                if aggregate is None:
                    continue
                kind = type(aggregate)
                interval = intervals.get(kind)
                if interval is not None and event.originator_version % interval == 0:
                    projector = self.snapshotting_projectors.get(kind, project_aggregate)
                    self.take_snapshot(
                        event.originator_id,
                        version=event.originator_version,
                        projector_func=projector,
                    )
        self.notify(unit.events)
        return recordings

    def abandon_unit(self) -> None:
        """Forget the unit: nothing of it is saved, and what it read is read again."""
        repository = self.units
        if repository.unit is not None:
            self.unpin_roster()
        repository.unit = None
        repository.recent.clear()
        repository.recent_through = -1
        self.recheck_roster()
        self.forget_unsaved()
