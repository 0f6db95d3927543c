"""The tamper-evident log: every stored event is hash-chained within its case and in one global
chain, computed in the same transaction that writes the event.

Canonical serialisation of one event (its *digest*)::

    sha256( json.dumps([originator_id_hex, version, topic, sha256(state).hexdigest()],
                       separators=(",", ":")) )

Chains (all hex SHA-256)::

    case_hash  = sha256(previous case_hash of this aggregate (or "") + ":" + digest)
    chain_hash = sha256(previous chain_hash (or "") + ":" + str(position) + ":" + digest)

``position`` is the event's notification id. The chain lives in the table ``event_chain`` beside
the library's ``stored_events``; :func:`verify_log` recomputes both and names every event that was
modified, deleted, inserted or reordered.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the log: ``kind`` (modified, deleted, inserted, reordered, chain),
    the position (notification id), the aggregate/case and version, and a sentence."""

    kind: str
    position: int | None
    originator_id: str | None
    version: int | None
    detail: str
    case_no: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "position": self.position,
            "case_no": self.case_no,
            "originator_id": self.originator_id,
            "version": self.version,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class ChainRow:
    position: int
    originator_id: str
    version: int
    digest: str
    case_hash: str
    chain_hash: str


@dataclass(frozen=True)
class EventRow:
    position: int
    originator_id: str
    version: int
    topic: str
    state: bytes


def verify_log(events: Iterable[EventRow], chain: Iterable[ChainRow]) -> Iterator[Problem]:
    """Compare the stored events with the stored chain and recompute both chains.

    ``events`` and ``chain`` are in position order. Yields a Problem for every event that was
    modified (digest differs), deleted (chain entry without event), inserted (event without
    chain entry), reordered (a different event at a position), and for every chain entry whose
    hashes do not follow (the chain table itself was edited).
    """
    by_position = {row.position: row for row in chain}
    seen: set[int] = set()
    previous_chain = GENESIS
    case_heads: dict[str, str] = {}
    for event in events:
        seen.add(event.position)
        entry = by_position.get(event.position)
        digest = event_digest(event.originator_id, event.version, event.topic, event.state)
        if entry is None:
            yield Problem(
                "inserted",
                event.position,
                event.originator_id,
                event.version,
                "an event with no chain entry (added outside the application)",
            )
            continue
        if (entry.originator_id, entry.version) != (event.originator_id, event.version):
            yield Problem(
                "reordered",
                event.position,
                event.originator_id,
                event.version,
                f"position {event.position} was written for {entry.originator_id} "
                f"v{entry.version}, now holds v{event.version} of {event.originator_id}",
            )
        elif entry.digest != digest:
            yield Problem(
                "modified",
                event.position,
                event.originator_id,
                event.version,
                "the event's content differs from what was written",
            )
    for entry in sorted(by_position.values(), key=lambda r: r.position):
        expected_case = link_case(case_heads.get(entry.originator_id, GENESIS), entry.digest)
        expected_chain = link_global(previous_chain, entry.position, entry.digest)
        if entry.case_hash != expected_case or entry.chain_hash != expected_chain:
            yield Problem(
                "chain",
                entry.position,
                entry.originator_id,
                entry.version,
                "the chain entry does not follow from the one before (chain edited)",
            )
        case_heads[entry.originator_id] = entry.case_hash
        previous_chain = entry.chain_hash
        if entry.position not in seen:
            yield Problem(
                "deleted",
                entry.position,
                entry.originator_id,
                entry.version,
                "the event written at this position is missing",
            )
