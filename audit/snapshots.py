"""Snapshots checked against the events they stand for (``disputes verify``, kind ``snapshot``).

Snapshots are derived, not chained, but replays start from them: an edited snapshot would
change what ``show`` says, so each one is compared with a replay of its aggregate's events.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from uuid import UUID

from disputes.audit.chain import Problem

if TYPE_CHECKING:
    from disputes.storage.store import Store


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
                int(version) if str(version).isascii() and str(version).isdigit() else None,
                "the snapshot differs from a replay of the events (edited); "
                f"delete it from {db.snapshots_table} to fall back to a full replay",
            )


def _is_uuid(value: object) -> bool:
    try:
        UUID(str(value))
    except ValueError:
        return False
    return True
