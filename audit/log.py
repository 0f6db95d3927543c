"""Verifying a store's log and taking signed checkpoints (SQLite store).

Reads the library's ``stored_events`` table and the ``event_chain`` table written beside it by
:class:`~disputes.storage.chain.ChainedSQLiteApplicationRecorder`, through the store's own view
connection (read-only queries).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from eventsourcing.utils import get_topic

from disputes.audit.chain import ChainRow, EventRow, Problem, verify_log
from disputes.audit.checkpoint import (
    CHECKPOINT_TOPIC,
    CHECKPOINTS_ID,
    Checkpoint,
    from_json,
    record_state,
    sign,
    signature_valid,
)
from disputes.audit.snapshots import verify_snapshots
from disputes.audit.views import ViewReplay
from disputes.domain.access import AccessEntry
from disputes.domain.clock import local_iso
from disputes.domain.errors import RuleViolation
from disputes.domain.model import Dispute
from disputes.storage.store import Store
from disputes.storage.views import P, ViewDatabase


@dataclass
class VerifyReport:
    """What ``disputes verify`` found: events checked (checkpoint records aside), checkpoints
    checked, heads of the witness file checked, every problem, and the *tail*: how many events
    were recorded after the latest checkpoint's signed head (``covered_through``, None when
    there is no checkpoint) — protected by the chain alone."""

    events: int = 0
    checkpoints: int = 0
    problems: list[Problem] = field(default_factory=list)
    covered_through: int | None = None
    tail: int = 0
    witnessed: int | None = None
    views_compared: bool = False

    @property
    def intact(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "intact": self.intact,
            "events": self.events,
            "checkpoints": self.checkpoints,
            "problems": [p.as_json() for p in self.problems],
        }
        # Only when they say something: the report of an intact, fully covered store keeps
        # the shape it always had (tests/compat holds reports recorded by the old code).
        if self.tail:
            found["tail"] = {"events": self.tail, "after_position": self.covered_through}
        if self.witnessed is not None:
            found["witnessed"] = self.witnessed
        if not self.views_compared:
            found["views_compared"] = False
        return found

    def tail_note(self) -> str:
        """The sentence about the events no checkpoint covers (empty when there are none)."""
        return tail_sentence(self.tail, self.covered_through)


def tail_sentence(tail: int, covered_through: int | None) -> str:
    """The sentence about the ``tail`` events after the latest checkpoint's head at
    ``covered_through`` (None: no checkpoint), empty when there are none."""
    if not tail:
        return ""
    if covered_through is None:
        return (
            f"no checkpoint yet: all {tail} events are protected by the chain alone "
            "(run `disputes checkpoint`)"
        )
    return (
        f"{tail} events after the latest checkpoint (position {covered_through})"
        " are protected by the chain alone"
    )


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


def list_checkpoints(db: ViewDatabase) -> list[Checkpoint]:
    """Every checkpoint taken, oldest first: those of a store from before checkpoints were
    chained (its ``checkpoints`` table), then the checkpoint records of the log. A record
    that cannot be read (edited) is left out here; :func:`verify_store` names it."""
    return [c for c in _checkpoints(db) if isinstance(c, Checkpoint)]


def _checkpoints(db: ViewDatabase) -> list[Checkpoint | int]:
    """The checkpoints (see :func:`list_checkpoints`), with the position of each record that
    cannot be read in its place."""
    legacy: list[Checkpoint | int] = []
    if db.table_exists("checkpoints"):
        legacy = [
            Checkpoint(int(r[1]), str(r[2]), str(r[3]), str(r[4]), str(r[5]), int(r[0]))
            for r in db.rows(
                "SELECT id, position, chain_hash, signed_at, public_key, signature"
                " FROM checkpoints ORDER BY id"
            )
        ]
    found: list[Checkpoint | int] = []
    for position, version, state in checkpoint_records(db):
        try:
            found.append(from_json(json.loads(state), len(legacy) + version))
        except ValueError:
            found.append(position)
    return legacy + found


def checkpoint_records(db: ViewDatabase) -> list[tuple[int, int, bytes]]:
    """The checkpoint records of the log: (position, version, stored state), by version."""
    if not db.table_exists(db.events_table):
        return []
    oid: object = CHECKPOINTS_ID.hex if db.dialect.name == "sqlite" else CHECKPOINTS_ID
    return [
        (int(r[0]), _int(r[1]), _bytes(r[2]))
        for r in db.rows(
            f"SELECT {db.position_column}, originator_version, state FROM {db.events_table}"
            f" WHERE originator_id = {P} ORDER BY originator_version",
            (oid,),
        )
    ]


def case_numbers(store: Store) -> dict[str, str]:
    """Aggregate id (hex) → case number: from the ledger, else from the stored reports (raw rows,
    read without the read models catching up); an access entry's id → ``access entry``."""
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
    access = get_topic(AccessEntry.AccessRecorded)  # an access entry is named as one
    for (raw_oid,) in db.stream(
        f"SELECT originator_id FROM {db.events_table} WHERE topic = {P}", (access,)
    ):
        names.setdefault(hex_id(raw_oid), "access entry")
    return names


def verify_store(
    store: Store,
    key: Ed25519PublicKey | None = None,
    witness: Sequence[Checkpoint] | None = None,
) -> VerifyReport:
    """Re-read the whole log, recompute the chains, check every checkpoint (and every head of
    a ``witness`` file), every snapshot and — when the events verify — every view table
    against a replay of the events.

    ``key``: when given, every checkpoint and witnessed head must also verify with this public
    key.
    """
    # No catch-up: the read models must not take in (or choke on) rows under suspicion.
    with one_snapshot(store.views):
        return _verify(store, key, witness)


@contextmanager
def one_snapshot(db: ViewDatabase) -> Iterator[None]:
    """Every read of ``db`` inside sees the database as of one moment (an SQLite read
    transaction; REPEATABLE READ on PostgreSQL), so that writers committing meanwhile — new
    events, views catching up — cannot make the chain, the events, the tracking positions
    and the view tables disagree. Read-only: rolled back at the end."""
    if isinstance(db.connection, sqlite3.Connection):
        db.connection.execute("BEGIN")
        try:
            yield
        finally:
            db.connection.execute("ROLLBACK")
        return
    from disputes.storage.views_postgres import PostgresViewDatabase

    assert isinstance(db, PostgresViewDatabase)
    with db.pg.raw.transaction(force_rollback=True):
        db.pg.raw.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _verify(
    store: Store, key: Ed25519PublicKey | None, witness: Sequence[Checkpoint] | None
) -> VerifyReport:
    db = store.views
    report = VerifyReport()
    chain = read_chain(db)
    taken = _checkpoints(db)
    signed = [c for c in taken if isinstance(c, Checkpoint)]
    covered = max((c.position for c in signed), default=None)
    report.covered_through = covered
    own = CHECKPOINTS_ID.hex
    replay = ViewReplay(store)

    def events() -> Iterator[EventRow]:
        for event in read_events(db):
            if event.originator_id != own:
                report.events += 1
                if covered is None or event.position > covered:
                    report.tail += 1
            replay.feed(event)
            yield event

    names = case_numbers(store)
    names[own] = "checkpoint"
    try:
        log_problems = [_named(problem, names) for problem in verify_log(events(), chain)]
        if not log_problems:
            view_problems = replay.compare(chain)
            report.views_compared = True
    finally:
        replay.close()
    report.problems.extend(log_problems)
    by_position = {row.position: row for row in chain}
    for checkpoint in taken:
        report.checkpoints += 1
        if isinstance(checkpoint, int):
            report.problems.append(
                Problem(
                    "checkpoint",
                    checkpoint,
                    own,
                    None,
                    "a checkpoint record that cannot be read (edited)",
                    "checkpoint",
                )
            )
            continue
        report.problems.extend(_head_problems("checkpoint", checkpoint, key, by_position))
    if witness is not None:
        report.witnessed = len(witness)
        in_store = {(c.position, c.chain_hash, c.signature) for c in signed}
        for head in witness:
            found = _head_problems("witness", head, key, by_position)
            if not found and (head.position, head.chain_hash, head.signature) not in in_store:
                found.append(
                    Problem(
                        "witness",
                        head.position,
                        None,
                        None,
                        f"the store lacks the witnessed checkpoint at position {head.position}"
                        f" (signed {head.signed_at}): deleted",
                    )
                )
            report.problems.extend(found)
    for problem in verify_snapshots(store):
        report.problems.append(_named(problem, names))
    if report.views_compared:
        report.problems.extend(view_problems)
    return report


def _head_problems(
    kind: str,
    head: Checkpoint,
    key: Ed25519PublicKey | None,
    by_position: dict[int, ChainRow],
) -> list[Problem]:
    """What is wrong with a signed head (a checkpoint, or a head of the witness file): its
    signature, its key when one is pinned, and the log's chain hash at its position."""
    name = f"checkpoint {head.id}" if kind == "checkpoint" else f"witnessed head {head.id}"
    found: list[Problem] = []

    def problem(detail: str) -> None:
        found.append(Problem(kind, head.position, None, None, f"{name}: {detail}"))

    if not signature_valid(head):
        problem("bad signature")
    elif key is not None and not signature_valid(head, key):
        problem("not signed by --key")
    entry = by_position.get(head.position)
    if entry is None:
        problem(
            f"the log no longer has the signed head at position {head.position}"
            " (rolled back or rewritten)"
        )
    elif entry.chain_hash != head.chain_hash:
        problem(f"the log no longer has the signed head at position {head.position}")
    return found


def _named(problem: Problem, names: dict[str, str]) -> Problem:
    if problem.originator_id is None:
        return problem
    return replace(problem, case_no=names.get(problem.originator_id))


def take_checkpoint(store: Store, key: Ed25519PrivateKey) -> Checkpoint:
    """Sign the current head of the global chain and record the checkpoint in the log (an
    entry of the chain itself, see :mod:`disputes.audit.checkpoint`).

    Raises :class:`RuleViolation` when the log is empty or the store does not verify (never
    sign a tampered store), or when another checkpoint was recorded at the same moment.
    """
    from eventsourcing.persistence import IntegrityError, StoredEvent

    report = verify_store(store)
    if not report.intact:
        msg = f"checkpoint refused: the store does not verify ({len(report.problems)} problems)"
        raise RuleViolation(msg)
    chain = read_chain(store.views)
    if not chain:
        msg = "checkpoint refused: the log is empty"
        raise RuleViolation(msg)
    head = chain[-1]
    signed_at = local_iso(store.app.clock())
    assert signed_at is not None
    checkpoint = sign(key, head.position, head.chain_hash, signed_at)
    records = checkpoint_records(store.views)
    version = max((v for _, v, _ in records), default=0) + 1
    legacy = len(_checkpoints(store.views)) - len(records)
    record = StoredEvent(CHECKPOINTS_ID, version, CHECKPOINT_TOPIC, record_state(checkpoint))
    try:
        store.app.recorder.insert_events([record])
    except IntegrityError:
        msg = "checkpoint refused: another checkpoint was recorded at the same moment; try again"
        raise RuleViolation(msg) from None
    return replace(checkpoint, id=legacy + version)
