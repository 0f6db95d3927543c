"""Verifying a store's log and taking signed checkpoints (SQLite store).

Reads the library's ``stored_events`` table and the ``event_chain`` table written beside it by
:class:`~disputes.storage.chain.ChainedSQLiteApplicationRecorder`, through the store's own view
connection (read-only queries).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from eventsourcing.utils import get_topic

from disputes.audit.chain import ChainRow, EventRow, Problem, verify_log
from disputes.audit.checkpoint import (
    CHECKPOINT_DDL,
    Checkpoint,
    sign,
    signature_valid,
)
from disputes.domain.clock import local_iso
from disputes.domain.errors import RuleViolation
from disputes.domain.model import Dispute
from disputes.storage.store import Store
from disputes.storage.views import P, ViewDatabase


@dataclass
class VerifyReport:
    """What ``disputes verify`` found: events checked, checkpoints checked, every problem."""

    events: int = 0
    checkpoints: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {
            "intact": self.intact,
            "events": self.events,
            "checkpoints": self.checkpoints,
            "problems": [p.as_json() for p in self.problems],
        }


def read_events(db: ViewDatabase) -> Iterator[EventRow]:
    """Every stored event in notification order (raw rows, not decoded).

    A row edited by hand may hold any SQLite type in any column (text where a blob was, a
    string where a version was): such values are taken as they are, never trusted to decode.
    """
    position = db.position_column
    rows = db.stream(
        f"SELECT {position}, originator_id, originator_version, topic, state"
        f" FROM {db.events_table} ORDER BY {position}"
    )
    for row in rows:
        yield EventRow(int(row[0]), hex_id(row[1]), _int(row[2]), str(row[3]), _bytes(row[4]))


def read_chain(db: ViewDatabase) -> list[ChainRow]:
    """Every stored chain entry in position order (raw rows)."""
    rows = db.rows(
        "SELECT notification_id, originator_id, originator_version, event_digest, case_hash,"
        f" chain_hash FROM {db.chain_table} ORDER BY notification_id"
    )
    return [
        ChainRow(int(r[0]), str(r[1]), _int(r[2]), str(r[3]), str(r[4]), str(r[5])) for r in rows
    ]


def hex_id(value: object) -> str:
    """An aggregate id as 32 hex digits (SQLite stores hex text, PostgreSQL a uuid); a value
    edited in that is no UUID is kept as its text."""
    try:
        return UUID(str(value)).hex
    except ValueError:
        return str(value)


def _int(value: object) -> int:
    """A stored version as written (an int); anything else edited in becomes -1 (no version)."""
    return value if isinstance(value, int) else -1


def _bytes(value: object) -> bytes:
    """A stored state as written (a blob); text or a number edited in is taken as its text."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return b"" if value is None else str(value).encode("utf-8")


def ensure_tables(db: ViewDatabase) -> None:
    """Create the ``checkpoints`` table if it is missing."""
    with db.transaction() as cursor:
        cursor.execute(CHECKPOINT_DDL)


def list_checkpoints(db: ViewDatabase) -> list[Checkpoint]:
    """Every checkpoint taken, oldest first."""
    ensure_tables(db)
    return [
        Checkpoint(
            r["position"], r["chain_hash"], r["signed_at"], r["public_key"], r["signature"], r["id"]
        )
        for r in db.query(
            "SELECT id, position, chain_hash, signed_at, public_key, signature"
            " FROM checkpoints ORDER BY id"
        )
    ]


def case_numbers(store: Store) -> dict[str, str]:
    """Aggregate id (hex) → case number: from the ledger, else from the stored reports (raw rows,
    read without the read models catching up)."""
    db = store.views
    names = {UUID(oid).hex: case_no for oid, case_no in store.case_numbers().items()}
    for raw_oid, state in db.stream(
        f"SELECT originator_id, state FROM {db.events_table} WHERE topic = {P}",
        (get_topic(Dispute.Reported),),
    ):
        oid = hex_id(raw_oid)
        if oid in names:
            continue
        try:
            case_no = json.loads(_bytes(state))["case_no"]
        except (ValueError, TypeError, KeyError):
            continue
        if isinstance(case_no, str):
            names[str(oid)] = case_no
    return names


def verify_store(store: Store, key: Ed25519PublicKey | None = None) -> VerifyReport:
    """Re-read the whole log, recompute the chains, check every checkpoint.

    ``key``: when given, every checkpoint must also verify with this public key.
    """
    # No catch-up: the read models must not take in (or choke on) rows under suspicion.
    db = store.views
    report = VerifyReport()
    chain = read_chain(db)
    counted: list[EventRow] = []

    def events() -> Iterator[EventRow]:
        for event in read_events(db):
            counted.append(event)
            yield event

    names = case_numbers(store)
    for problem in verify_log(events(), chain):
        report.problems.append(_named(problem, names))
    report.events = len(counted)
    by_position = {row.position: row for row in chain}
    for checkpoint in list_checkpoints(db):
        report.checkpoints += 1
        entry = by_position.get(checkpoint.position)
        if not signature_valid(checkpoint):
            report.problems.append(
                Problem(
                    "checkpoint",
                    checkpoint.position,
                    None,
                    None,
                    f"checkpoint {checkpoint.id}: bad signature",
                )
            )
        elif key is not None and not signature_valid(checkpoint, key):
            report.problems.append(
                Problem(
                    "checkpoint",
                    checkpoint.position,
                    None,
                    None,
                    f"checkpoint {checkpoint.id}: not signed by --key",
                )
            )
        if entry is None or entry.chain_hash != checkpoint.chain_hash:
            report.problems.append(
                Problem(
                    "checkpoint",
                    checkpoint.position,
                    None,
                    None,
                    f"checkpoint {checkpoint.id}: the log no longer has the signed head at "
                    f"position {checkpoint.position}",
                )
            )
    for problem in verify_snapshots(store):
        report.problems.append(_named(problem, names))
    return report


def verify_snapshots(store: Store) -> Iterator[Problem]:
    """Replay every snapshotted aggregate from its events and compare it with the snapshot.

    Snapshots are not in the chain (they are derived), but replays start from them, so an
    edited snapshot would change what ``show`` says: yields a ``snapshot`` Problem for each one
    that differs from its events.
    """
    from eventsourcing.persistence import StoredEvent

    db = store.views
    if not db.table_exists(db.snapshots_table):
        return
    mapper = store.app.mapper
    rows = db.rows(
        f"SELECT originator_id, originator_version, topic, state FROM {db.snapshots_table}"
        " ORDER BY originator_id, originator_version"
    )
    for oid, version, topic, state in rows:
        try:
            uuid = UUID(str(oid))
            snapshot: Any = mapper.to_domain_event(
                StoredEvent(uuid, int(version), str(topic), bytes(state))
            )
            aggregate: Any = None
            stored: Any
            for stored in store.app.events.get(uuid, lte=int(version)):
                aggregate = stored.mutate(aggregate)
            # Both sides as the current class reads them: a snapshot taken by an older
            # version of the aggregate is upcast when it is restored (Dispute.upcast_v1_v2).
            restored_case = snapshot.mutate(None)
            if getattr(restored_case, "replay_needed", False):
                continue  # a snapshot its class no longer trusts is never read: cases replay
            expected = type(snapshot).take(aggregate)
            restored = type(snapshot).take(restored_case)
            transcoder = mapper.transcoder  # compared as decoded values: key order aside
            same = transcoder.decode(transcoder.encode(expected.state)) == transcoder.decode(
                transcoder.encode(restored.state)
            )
        except Exception:
            same = False
        if not same:
            yield Problem(
                "snapshot",
                None,
                UUID(str(oid)).hex if _is_uuid(oid) else str(oid),
                int(version) if str(version).isdigit() else None,
                "the snapshot differs from a replay of the events (edited); "
                f"delete it from {db.snapshots_table} to fall back to a full replay",
            )


def _is_uuid(value: object) -> bool:
    try:
        UUID(str(value))
    except ValueError:
        return False
    return True


def _named(problem: Problem, names: dict[str, str]) -> Problem:
    if problem.originator_id is None:
        return problem
    return Problem(
        problem.kind,
        problem.position,
        problem.originator_id,
        problem.version,
        problem.detail,
        names.get(problem.originator_id),
    )


def take_checkpoint(store: Store, key: Ed25519PrivateKey) -> Checkpoint:
    """Sign the current head of the global chain and store the checkpoint.

    Raises :class:`RuleViolation` when the log is empty or does not verify (never sign a
    tampered log).
    """
    report = verify_store(store)
    if not report.intact:
        msg = f"checkpoint refused: the log does not verify ({len(report.problems)} problems)"
        raise RuleViolation(msg)
    chain = read_chain(store.views)
    if not chain:
        msg = "checkpoint refused: the log is empty"
        raise RuleViolation(msg)
    head = chain[-1]
    signed_at = local_iso(store.app.clock())
    assert signed_at is not None
    checkpoint = sign(key, head.position, head.chain_hash, signed_at)
    with store.views.transaction() as cursor:
        row = cursor.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM checkpoints").fetchone()
        new_id = int(row[0])
        cursor.execute(
            "INSERT INTO checkpoints (id, position, chain_hash, signed_at, public_key, signature)"
            " VALUES ({?},{?},{?},{?},{?},{?})",
            (
                new_id,
                checkpoint.position,
                checkpoint.chain_hash,
                checkpoint.signed_at,
                checkpoint.public_key,
                checkpoint.signature,
            ),
        )
    return Checkpoint(
        checkpoint.position,
        checkpoint.chain_hash,
        checkpoint.signed_at,
        checkpoint.public_key,
        checkpoint.signature,
        new_id,
    )
