"""Rebuilding the read models from the first event gives exactly the rows built incrementally
(style.md: 'rebuild equals incremental'), whether the events were caught up one by one (each
``Store.execute``), in a batch, or by a projection that fell behind."""

from __future__ import annotations

from datetime import timedelta

import pytest

from disputes.domain.errors import RuleViolation
from disputes.projections import runner
from disputes.storage.store import Store
from tests.domain.support import (
    AUXILIARY,
    LEADER,
    NOW,
    OTHER_LEADER,
    ZK_POLICE,
    Driver,
    day,
    make_roster,
)
from tests.projections.support import dump, ledger_disagreements


def varied(d: Driver) -> list[str]:
    """Several cases through most paths: closed, relapsed, referred, handed over, retried."""
    closed = d.opened("yellow")
    d.act("deliberate", closed, attendees=[LEADER, AUXILIARY])
    d.act("refer", closed, to="SFS")
    d.act("escalate", closed)
    d.act("receipt", closed, referral=1, outcome="handled")
    resolved = day(2)
    d.act("resolve", closed, at=resolved, observe_days=30)
    d.act("follow-up", closed, at=resolved + timedelta(days=15))
    d.act("close", closed, at=resolved + timedelta(days=30))

    relapsed = d.opened("red", assign=True)
    d.act("mediate", relapsed, result="failed", with_units=["SFS", "FL"])
    d.act("visit", relapsed, command_id="visit-once")
    d.act("visit", relapsed, command_id="visit-once")  # a retry: nothing new
    d.act("resolve", relapsed, observe_days=60)
    d.act("relapse", relapsed, grade="yellow")
    d.act("assign", relapsed, leader=OTHER_LEADER, officer=AUXILIARY)
    d.act("refer", relapsed, to="FL")

    other = d.reported(
        actor=ZK_POLICE,
        village="ZK-V01",
        category="group-sensitive",
        parties=[{"name": "张某", "role": "applicant"}],
        people_involved=40,
    )
    d.act("grade", other, actor=ZK_POLICE, signals=["group", "petition-risk"])
    with pytest.raises(RuleViolation):
        d.act("downgrade", other, actor=LEADER)  # nobody is responsible yet: refused
    next_year = d.reported(at="2022-02-01T09:00+08:00")
    return [closed, relapsed, other, next_year]


def test_rebuild_gives_exactly_the_incremental_rows_in_memory(sd: Driver, store: Store) -> None:
    cases = varied(sd)
    incremental = dump(store)
    assert len(incremental["ledger"]) == len(cases)

    read = store.projections.rebuild()

    assert dump(store) == incremental
    events = sum(store.case(case).version for case in cases)
    assert read == events
    assert len(incremental["history"]) == events


def test_rebuild_gives_exactly_the_incremental_rows_in_sqlite(file_store: Store) -> None:
    varied(Driver(file_store.app, file_store.execute))
    incremental = dump(file_store)
    file_store.projections.rebuild()
    assert dump(file_store) == incremental


def test_a_reopened_sqlite_store_has_the_same_rows_and_rebuilds_them(db_path: str) -> None:
    with Store(db_path, clock=lambda: NOW) as first:
        first.app.load_roster(make_roster())
        varied(Driver(first.app, first.execute))
        written = dump(first)
    with Store(db_path, clock=lambda: NOW) as second:
        assert second.catch_up() == 0
        assert dump(second) == written
        second.projections.rebuild()
        assert dump(second) == written


def test_events_recorded_without_catching_up_are_caught_up_later(store: Store) -> None:
    behind = Driver(store.app, store.app.execute)  # records without touching the read models
    cases = varied(behind)
    assert store.ledger_row(cases[0]) is not None  # reading catches up
    caught_up = dump(store)
    store.projections.rebuild()
    assert dump(store) == caught_up
    for case in cases:
        row = store.ledger_row(case)
        assert row is not None
        assert ledger_disagreements(row, store.case(case)) == {}


def test_a_projection_that_fell_behind_catches_up_alone(sd: Driver, store: Store) -> None:
    varied(sd)
    complete = dump(store)
    with store.views.transaction() as cursor:
        cursor.execute("DELETE FROM history")
        cursor.execute("DELETE FROM tracking WHERE projection = 'history'")

    store.catch_up()

    # The history is back; the ledger (which had seen everything) was not applied twice.
    assert dump(store) == complete


def test_catching_up_again_changes_nothing(sd: Driver, store: Store) -> None:
    varied(sd)
    before = dump(store)
    assert store.catch_up() == 0
    assert dump(store) == before


def test_the_rows_agree_with_the_replayed_cases(sd: Driver, store: Store) -> None:
    for case in varied(sd):
        row = store.ledger_row(case)
        assert row is not None
        assert ledger_disagreements(row, store.case(case)) == {}
        assert len(store.history(case)) == store.case(case).version


def test_a_rebuild_in_batches_of_any_size_gives_the_same_rows_and_indexes(
    file_store: Store,
) -> None:
    """A rebuild projects far larger batches than a catch-up after one command, and builds the
    secondary indexes after the load: the rows, and the schema, are those of the incremental
    build, whatever the batch size."""
    varied(Driver(file_store.app, file_store.execute))
    incremental = dump(file_store)

    def schema() -> list[tuple[str, str]]:
        sql = (
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            if file_store.views.dialect.name == "sqlite"
            else "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
        )
        rows = file_store.views.rows(sql)
        return sorted((str(r[0]), str(r[1])) for r in rows)

    indexes = schema()
    for size in (1, 3, 7, runner.REBUILD_BATCH):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(runner, "REBUILD_BATCH", size)
            file_store.projections.rebuild()
        assert dump(file_store) == incremental, f"batches of {size}"
        assert schema() == indexes
