"""Verifying the tamper-evident log: the stored events against the stored hash chains.

The chains and the canonical event digest are defined where they are written,
:mod:`disputes.storage.chain` (SQLite) and :mod:`disputes.storage.chain_postgres`;
:func:`verify_log` recomputes both and names every event that was modified, deleted, inserted or
reordered.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from disputes.storage.chain import GENESIS, event_digest, link_case, link_global

__all__ = [
    "GENESIS",  # re-exported: the digest and links are the verifier's contract too
    "ChainRow",
    "EventRow",
    "Problem",
    "event_digest",
    "link_case",
    "link_global",
    "verify_log",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the store: ``kind`` (modified, deleted, inserted, reordered, chain,
    checkpoint, witness, snapshot, view), the position (notification id), the aggregate/case and
    version, and a sentence. A ``view`` problem also names the ``table`` and ``column`` and the
    ``stored`` and ``replayed`` values of the first difference."""

    kind: str
    position: int | None
    originator_id: str | None
    version: int | None
    detail: str
    case_no: str | None = None
    table: str | None = None
    column: str | None = None
    stored: Any = None
    replayed: Any = None

    def as_json(self) -> dict[str, Any]:
        found = {
            "kind": self.kind,
            "position": self.position,
            "case_no": self.case_no,
            "originator_id": self.originator_id,
            "version": self.version,
            "detail": self.detail,
        }
        if self.table is not None:
            found.update(
                table=self.table, column=self.column, stored=self.stored, replayed=self.replayed
            )
        return found


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
