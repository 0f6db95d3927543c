"""Units of work (storage.batching): several commands saved in one transaction, through the
library's public API only — and guards that fail if the library's behaviour we build on changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from eventsourcing.application import AggregateNotFoundError, Application, Repository
from eventsourcing.domain import Aggregate, event

from disputes.domain.records import policy_id
from disputes.storage.batching import BatchingApp, UnitRepository
from disputes.storage.store import Store
from tests.domain.support import NOW, Driver, make_roster

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def store() -> Iterator[Store]:
    with Store(":memory:", clock=lambda: NOW) as opened:
        opened.app.load_roster(make_roster())
        yield opened


def app_of(store: Store) -> BatchingApp:
    assert isinstance(store.app, BatchingApp)
    return store.app


def story(d: Driver) -> list[str]:
    """Two cases, their commands interleaved; returns the case numbers."""
    first = d.act("report").case_no
    second = d.act("report").case_no
    d.act("grade", first)
    d.act("grade", second)
    d.act("assign", first)
    return [first, second]


def stored_names(d: Driver, since: int = 0) -> list[str]:
    return [type(e).__qualname__ for e in d.stored_since(since)]


def test_a_unit_writes_nothing_until_committed_then_the_events_in_command_order(
    store: Store,
) -> None:
    app = app_of(store)
    d = Driver(app, app.execute)
    start = d.position()
    app.begin_unit()
    story(d)
    assert d.position() == start
    recordings = app.commit_unit()
    assert [r.notification.id for r in recordings] == list(
        range(start + 1, start + len(recordings) + 1)
    )
    with Store(":memory:", clock=lambda: NOW) as plain:
        plain.app.load_roster(make_roster())
        one_by_one = Driver(plain.app, plain.app.execute)
        story(one_by_one)
        assert "PolicyRecord.Adopted" in stored_names(d, start)
        assert stored_names(d, start) == stored_names(one_by_one, start)


def test_a_later_command_of_a_unit_sees_the_earlier_ones(store: Store) -> None:
    app = app_of(store)
    d = Driver(app, app.execute)
    app.begin_unit()
    first, _ = story(d)
    assert app.get_case(first).version == 3
    app.commit_unit()
    assert app.get_case(first).version == 3


def test_an_abandoned_unit_saves_nothing_and_forgets_the_policy_record(store: Store) -> None:
    app = app_of(store)
    d = Driver(app, app.execute)
    start = d.position()
    app.begin_unit()
    d.act("report")  # the first event under this policy brings its PolicyRecord …
    d.act("report")  # … which the second finds (in the unit): "adopted"
    app.abandon_unit()
    assert d.position() == start
    d.act("report")
    assert "PolicyRecord.Adopted" in stored_names(d, start)
    app.repository.get(policy_id(app.policy.version))  # recorded after all


# -- what we rely on in eventsourcing (fails if the library changes under us) -----------------


class Counter(Aggregate):
    count: int = 0

    @event("Counted")
    def count_one(self) -> None:
        self.count += 1


class Counters(Application[Any]):
    snapshotting_intervals = {Counter: 2}  # noqa: RUF012 (library API)


def test_library_save_records_events_in_the_order_given_and_snapshots_their_aggregates() -> None:
    # BatchingApp._save_unit hands save() the unit's events in command order, then the
    # aggregates (with no pending event left) so that save() takes their snapshots.
    app = Counters(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    a, b = Counter(), Counter()
    events = [*a.collect_events(), *b.collect_events()]
    a.count_one()
    events += a.collect_events()
    b.count_one()
    events += b.collect_events()
    app.save(*events, a, b)
    stored = app.recorder.select_notifications(start=1, limit=10)
    assert [(n.originator_id, n.originator_version) for n in stored] == [
        (e.originator_id, e.originator_version) for e in events
    ]
    assert app.snapshots is not None
    assert [s.originator_version for s in app.snapshots.get(a.id)] == [2]
    assert [s.originator_version for s in app.snapshots.get(b.id)] == [2]


def test_library_repository_without_cache_reads_the_store_each_time() -> None:
    # UnitRepository.uncached: a fresh aggregate per get, never one another caller mutated.
    app = Counters(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    a = Counter()
    app.save(a)
    uncached: Repository[Any] = Repository(event_store=app.events, snapshot_store=app.snapshots)
    assert uncached.cache is None
    first = uncached.get(a.id)
    first.count_one()
    second = uncached.get(a.id)
    assert second is not first
    assert second.version == 1
    with pytest.raises(AggregateNotFoundError):
        uncached.get(Counter().id)


def test_the_application_builds_its_repository_through_construct_repository(
    store: Store,
) -> None:
    assert isinstance(app_of(store).repository, UnitRepository)


def test_every_application_class_keeps_the_store_s_name() -> None:
    """The library names an application after its class unless told; on PostgreSQL the name
    is the tables' (``disputes_events``), so a renamed or subclassed application would open an
    empty store beside the real one."""
    from disputes.domain.application import DisputesApp
    from disputes.domain.service import CommandService
    from disputes.storage.batching import BatchingApp

    assert {cls.name for cls in (CommandService, DisputesApp, BatchingApp)} == {"disputes"}
