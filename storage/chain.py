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
import re
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import lru_cache
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
    state_hash = hashlib.sha256(state).hexdigest()
    if type(version) is int and _PLAIN.fullmatch(oid):
        # json.dumps's own output for these values (hex id, int, topic, hex), built directly.
        message = f'["{oid}",{version},{_json_text(topic)},"{state_hash}"]'
    else:
        message = json.dumps([oid, version, topic, state_hash], separators=(",", ":"))
    return hashlib.sha256(message.encode()).hexdigest()


_PLAIN = re.compile(r"[0-9A-Za-z]*")


@lru_cache(maxsize=256)
def _json_text(text: str) -> str:
    """``json.dumps(text)`` (a topic: a few dozen distinct ones)."""
    return json.dumps(text)


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
)
"""The chain table. Its rows are one per event by ``notification_id`` (the event's rowid); a
case's earlier entry is found through the events table's primary key (PREVIOUS_CASE_HASH), so
the chain has no index of its own on (originator_id, originator_version): stores created before
issue 15 keep theirs (``event_chain_case``), unused, and new ones do not pay for it on every
insert."""


CASE_HEADS = 20_000
"""Cases whose last stored (version, case hash) a recorder remembers (least recently written
forgotten first): a case written again soon links to it without reading the chain table."""

PREVIOUS_CASE_HASH = (
    f"SELECT c.case_hash FROM stored_events e JOIN {CHAIN_TABLE} c "
    "ON c.notification_id = e.rowid WHERE e.originator_id = ? AND e.originator_version = ?"
)
"""The stored case hash of one event, found through the events table's primary key."""


class CaseHeads:
    """The last committed (version, case hash) of recently written cases, bounded.

    Entries computed inside a transaction are ``stage``d and only ``commit``ted once the
    transaction has committed: a rolled-back write leaves nothing behind. A committed chain
    entry never changes, so a remembered head is as good as reading it (for the same version).
    """

    def __init__(self, size: int = CASE_HEADS) -> None:
        self.size = size
        self.heads: OrderedDict[str, tuple[int, str]] = OrderedDict()
        self.staged: dict[str, tuple[int, str]] = {}

    def get(self, oid: str, version: int) -> str | None:
        """The case hash of ``oid`` at ``version`` when remembered, else None."""
        head = self.heads.get(oid)
        return head[1] if head is not None and head[0] == version else None

    def stage(self, rows: Sequence[ChainEntry]) -> None:
        """Remember the last entry of each case of ``rows`` once :meth:`commit` is called."""
        self.staged = {oid: (version, case_hash) for _, oid, version, _, case_hash, _ in rows}

    def commit(self) -> None:
        heads = self.heads
        for oid, head in self.staged.items():
            heads[oid] = head
            heads.move_to_end(oid)
        self.staged = {}
        while len(heads) > self.size:
            heads.popitem(last=False)

    def drop(self) -> None:
        """Forget what was staged (the transaction did not commit)."""
        self.staged = {}


class ChainedSQLiteApplicationRecorder(SQLiteApplicationRecorder):
    """The library's SQLite application recorder, plus the hash chains written in the same
    transaction as the events (so a chain entry exists exactly when its event does)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case_heads = CaseHeads()

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *CHAIN_DDL]

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """The library's insert (one transaction, chain included); the cases' new heads are
        remembered once it has committed. Raises what the library raises."""
        try:
            positions = super().insert_events(stored_events, **kwargs)
        except BaseException:
            self.case_heads.drop()
            raise
        self.case_heads.commit()
        return positions

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        positions = super()._insert_events(c, stored_events, **kwargs)
        if not stored_events:
            return positions
        assert positions is not None
        c.execute(f"SELECT chain_hash FROM {CHAIN_TABLE} ORDER BY notification_id DESC LIMIT 1")
        row = c.fetchone()
        heads = self.case_heads

        def previous_case_hash(oid: str, version: int) -> str:
            known = heads.get(oid, version)
            if known is not None:
                return known
            c.execute(PREVIOUS_CASE_HASH, (oid, version))
            found = c.fetchone()
            return str(found[0]) if found else GENESIS

        rows = chain_rows(positions, stored_events, row[0] if row else GENESIS, previous_case_hash)
        c.executemany(f"INSERT INTO {CHAIN_TABLE} VALUES (?,?,?,?,?,?)", rows)
        heads.stage(rows)
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
