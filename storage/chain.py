"""The tamper-evident log's writing side: every stored event is hash-chained within its case and
in one global chain, computed in the same transaction that writes the event (SQLite here,
PostgreSQL in :mod:`.chain_postgres`).

Canonical serialisation of one event (its *digest*)::

    sha256( json.dumps([originator_id_hex, version, topic, sha256(state).hexdigest()],
                       separators=(",", ":")) )

Chains (all hex SHA-256)::

    case_hash  = sha256(previous case_hash of this aggregate (or "") + ":" + digest)
    chain_hash = sha256(previous chain_hash (or "") + ":" + str(position) + ":" + digest)

``position`` is the event's notification id. The chain lives in the table ``event_chain`` beside
the library's ``stored_events``; :func:`disputes.audit.chain.verify_log` recomputes both and
names every event that was modified, deleted, inserted or reordered.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

CHAIN_TABLE = "event_chain"
GENESIS = ""


def event_digest(originator_id: UUID | str, version: int, topic: str, state: bytes) -> str:
    """The canonical digest of one stored event (see the module docstring)."""
    oid = originator_id.hex if isinstance(originator_id, UUID) else str(originator_id)
    oid = oid.replace("-", "")
    message = json.dumps(
        [oid, version, topic, hashlib.sha256(state).hexdigest()], separators=(",", ":")
    )
    return hashlib.sha256(message.encode()).hexdigest()


def link_case(previous: str, digest: str) -> str:
    """The next hash of a case chain."""
    return hashlib.sha256(f"{previous}:{digest}".encode()).hexdigest()


def link_global(previous: str, position: int, digest: str) -> str:
    """The next hash of the global chain, at notification id ``position``."""
    return hashlib.sha256(f"{previous}:{position}:{digest}".encode()).hexdigest()


CHAIN_DDL = (
    f"CREATE TABLE IF NOT EXISTS {CHAIN_TABLE} ("
    "notification_id INTEGER PRIMARY KEY, "
    "originator_id TEXT NOT NULL, "
    "originator_version INTEGER NOT NULL, "
    "event_digest TEXT NOT NULL, "
    "case_hash TEXT NOT NULL, "
    "chain_hash TEXT NOT NULL)",
    f"CREATE UNIQUE INDEX IF NOT EXISTS {CHAIN_TABLE}_case "
    f"ON {CHAIN_TABLE} (originator_id, originator_version)",
)


class ChainedSQLiteApplicationRecorder(SQLiteApplicationRecorder):
    """The library's SQLite application recorder, plus the hash chains written in the same
    transaction as the events (so a chain entry exists exactly when its event does)."""

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *CHAIN_DDL]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        positions = super()._insert_events(c, stored_events, **kwargs)
        if not stored_events:
            return positions
        assert positions is not None
        c.execute(f"SELECT chain_hash FROM {CHAIN_TABLE} ORDER BY notification_id DESC LIMIT 1")
        row = c.fetchone()

        def previous_case_hash(oid: str, version: int) -> str:
            c.execute(
                f"SELECT case_hash FROM {CHAIN_TABLE} "
                "WHERE originator_id = ? AND originator_version = ?",
                (oid, version),
            )
            found = c.fetchone()
            return str(found[0]) if found else GENESIS

        rows = chain_rows(positions, stored_events, row[0] if row else GENESIS, previous_case_hash)
        c.executemany(f"INSERT INTO {CHAIN_TABLE} VALUES (?,?,?,?,?,?)", rows)
        return positions


ChainEntry = tuple[int, str, int, str, str, str]
"""A chain table row: position, aggregate id (hex), version, digest, case hash, chain hash."""


def chain_rows(
    positions: Sequence[int],
    stored_events: Sequence[StoredEvent],
    head: str,
    previous_case_hash: Callable[[str, int], str],
) -> list[ChainEntry]:
    """The chain entries of newly inserted events, in insertion order.

    ``head`` is the global chain hash before them; ``previous_case_hash(id, version)`` answers
    the stored case hash of an aggregate's earlier version (asked once per aggregate).
    """
    chain = head
    cases: dict[str, str] = {}
    rows: list[ChainEntry] = []
    for position, stored in zip(positions, stored_events, strict=True):
        oid = _oid(stored.originator_id)
        digest = event_digest(oid, stored.originator_version, stored.topic, stored.state)
        previous = cases.get(oid)
        if previous is None:
            previous = GENESIS
            if stored.originator_version > 1:
                previous = previous_case_hash(oid, stored.originator_version - 1)
        cases[oid] = link_case(previous, digest)
        chain = link_global(chain, position, digest)
        rows.append((position, oid, stored.originator_version, digest, cases[oid], chain))
    return rows


def _oid(originator_id: UUID | str) -> str:
    return originator_id.hex if isinstance(originator_id, UUID) else str(originator_id)
