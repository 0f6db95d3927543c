"""The hash-chaining recorder must still pass the eventsourcing library's own recorder test cases
(issue 4 §3), on a file database and in memory, with UUID and text originator ids — as the
library runs them for its SQLiteApplicationRecorder — and must write exactly one chain entry per
event, in the same transaction."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from typing import TYPE_CHECKING, Literal
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.sqlite import SQLiteDatastore
from eventsourcing.tests.persistence import ApplicationRecorderTestCase, tmpfile_uris

from disputes.audit.chain import ChainRow, EventRow, verify_log
from disputes.storage.chain import (
    CHAIN_TABLE,
    GENESIS,
    ChainedSQLiteApplicationRecorder,
    event_digest,
    link_case,
    link_global,
)

pytestmark = pytest.mark.sqlite_only  # edits the SQLite file by hand

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


def read_rows(connection: sqlite3.Connection) -> tuple[list[EventRow], list[ChainRow]]:
    """The stored events and the chain, raw, in position order."""
    events = [
        EventRow(int(r[0]), str(r[1]), int(r[2]), str(r[3]), bytes(r[4]))
        for r in connection.execute(
            "SELECT rowid, originator_id, originator_version, topic, state"
            " FROM stored_events ORDER BY rowid"
        )
    ]
    chain = [
        ChainRow(*r)
        for r in connection.execute(f"SELECT * FROM {CHAIN_TABLE} ORDER BY notification_id")
    ]
    return events, chain


class TestChainedRecorder(ApplicationRecorderTestCase[ChainedSQLiteApplicationRecorder]):
    """The library's ApplicationRecorderTestCase, configured like the library's own
    TestSQLiteApplicationRecorder (tests/persistence_tests/test_sqlite.py): in memory by
    default, temporary files and a shared in-memory database for the concurrency tests."""

    db_uri = ":memory:"
    originator_id_type: Literal["uuid", "text"] = "uuid"

    def create_recorder(self) -> ChainedSQLiteApplicationRecorder:
        recorder = ChainedSQLiteApplicationRecorder(
            SQLiteDatastore(
                db_name=self.db_uri,
                pool_size=100,
                originator_id_type=self.originator_id_type,
            )
        )
        recorder.create_table()
        return recorder

    def test_insert_select_on_a_file(self) -> None:
        self.uris = tmpfile_uris()
        self.db_uri = next(self.uris)
        super().test_insert_select()
        # The library's checks passed; the chain beside its three events is whole.
        with closing(sqlite3.connect(self.db_uri, uri=True)) as connection:
            events, chain = read_rows(connection)
        assert len(events) == len(chain) == 3
        assert list(verify_log(events, chain)) == []

    def test_concurrent_writers_keep_the_chain_whole(self) -> None:
        """Many writers at once (a file database, like the CLI's): one chain, no gaps."""
        self.uris = tmpfile_uris()
        self.db_uri = next(self.uris)
        recorder = self.create_recorder()

        def write(_: int) -> None:
            originator = self.new_originator_id()
            for version in range(1, 6):
                recorder.insert_events(
                    [
                        StoredEvent(
                            originator_id=originator,
                            originator_version=version,
                            topic="topic",
                            state=f"state {version}".encode(),
                        )
                    ]
                )

        with ThreadPoolExecutor(max_workers=8) as executor:
            list(executor.map(write, range(40)))
        with closing(sqlite3.connect(self.db_uri, uri=True)) as connection:
            events, chain = read_rows(connection)
        assert len(events) == len(chain) == 200
        assert list(verify_log(events, chain)) == []

    def test_concurrent_no_conflicts(self) -> None:  # type: ignore[override]
        self.uris = tmpfile_uris()
        self.db_uri = next(self.uris)
        super().test_concurrent_no_conflicts()

    def test_concurrent_no_conflicts_in_memory_db(self) -> None:
        self.db_uri = "file::memory:?cache=shared"
        super().test_concurrent_no_conflicts()

    def test_concurrent_throughput(self) -> None:
        self.uris = tmpfile_uris()
        self.db_uri = next(self.uris)
        super().test_concurrent_throughput()

    def test_concurrent_throughput_in_memory_db(self) -> None:
        self.db_uri = "file::memory:?cache=shared"
        super().test_concurrent_throughput()


class TestChainedRecorderWithTextOriginatorID(TestChainedRecorder):
    originator_id_type: Literal["uuid", "text"] = "text"

    def new_originator_id(self) -> UUID | str:
        return "test-" + str(uuid4())


# -- the chain itself, written beside the events ------------------------------------------------


@pytest.fixture
def recorder(tmp_path: Path) -> Iterator[ChainedSQLiteApplicationRecorder]:
    datastore = SQLiteDatastore(db_name=str(tmp_path / "chain.db"))
    made = ChainedSQLiteApplicationRecorder(datastore)
    made.create_table()
    yield made
    datastore.close()


def rows(db: Path) -> tuple[list[EventRow], list[ChainRow]]:
    with closing(sqlite3.connect(db)) as connection:
        return read_rows(connection)


def stored(originator: UUID, version: int, state: bytes) -> StoredEvent:
    return StoredEvent(originator_id=originator, originator_version=version, topic="t", state=state)


def test_every_event_gets_its_chain_entry_in_the_same_write(
    recorder: ChainedSQLiteApplicationRecorder, tmp_path: Path
) -> None:
    first, second = uuid4(), uuid4()
    assert recorder.insert_events([stored(first, 1, b"a"), stored(first, 2, b"b")]) == [1, 2]
    assert recorder.insert_events([stored(second, 1, b"c")]) == [3]
    assert recorder.insert_events([stored(first, 3, b"d"), stored(second, 2, b"e")]) == [4, 5]

    events, chain = rows(tmp_path / "chain.db")
    assert [(c.position, c.originator_id, c.version) for c in chain] == [
        (e.position, e.originator_id, e.version) for e in events
    ]
    # Recompute both chains by hand from the definition in chain.py's docstring.
    head, cases = GENESIS, {first.hex: GENESIS, second.hex: GENESIS}
    for event, entry in zip(events, chain, strict=True):
        digest = event_digest(event.originator_id, event.version, event.topic, event.state)
        assert entry.digest == digest
        cases[event.originator_id] = link_case(cases[event.originator_id], digest)
        head = link_global(head, event.position, digest)
        assert (entry.case_hash, entry.chain_hash) == (cases[event.originator_id], head)
    assert list(verify_log(events, chain)) == []


def test_a_refused_write_leaves_no_chain_entry(
    recorder: ChainedSQLiteApplicationRecorder, tmp_path: Path
) -> None:
    originator = uuid4()
    recorder.insert_events([stored(originator, 1, b"a")])
    with pytest.raises(IntegrityError):
        recorder.insert_events([stored(originator, 2, b"b"), stored(originator, 1, b"again")])
    events, chain = rows(tmp_path / "chain.db")
    assert len(events) == len(chain) == 1
    # The next write links to the surviving head, not to the rolled-back one.
    recorder.insert_events([stored(originator, 2, b"b")])
    events, chain = rows(tmp_path / "chain.db")
    assert list(verify_log(events, chain)) == []


def test_the_digest_is_canonical() -> None:
    """Same event, same digest, whatever the id's spelling; any field changes it."""
    oid = uuid4()
    digest = event_digest(oid, 3, "topic", b"state")
    assert digest == event_digest(oid.hex, 3, "topic", b"state")
    assert digest == event_digest(str(oid), 3, "topic", b"state")
    assert (
        len(
            {
                digest,
                event_digest(uuid4(), 3, "topic", b"state"),
                event_digest(oid, 4, "topic", b"state"),
                event_digest(oid, 3, "topiC", b"state"),
                event_digest(oid, 3, "topic", b"statE"),
            }
        )
        == 5
    )
