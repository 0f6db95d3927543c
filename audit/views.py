"""Comparing the view tables with a replay of the verified events.

The ledger, the audit trail (``history``), the command log, the due board's and the access
log's tables are derived from the events, but the reads print them as they are stored: an
``UPDATE`` of a view table would show forged values while the log verifies. So ``verify``
builds every projection afresh, in an in-memory SQLite database, from the events it has just
verified against the chain, and compares the stored tables with it row by row — the first
difference of each case in each table is a ``view`` problem.

Each projection is replayed through the position its ``tracking`` row names, so views that are
merely behind (a crash between an event and its catch-up) are not a difference; a tracking
position beyond the end of the log is one (events recorded later would never reach the view).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from disputes.audit.chain import ChainRow, EventRow, Problem
from disputes.domain.model import Dispute
from disputes.storage.views import ViewDatabase

if TYPE_CHECKING:
    from disputes.storage.store import Store

BATCH = 2000


class ViewReplay:
    """The projections built afresh in memory from the events as ``verify`` reads them
    (:meth:`feed` each stored event in log order), then compared with the stored view tables
    (:meth:`compare`, only once the events have verified against the chain)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.tracked = store.projections.positions()
        self.through = max(self.tracked.values(), default=0)
        self.topics = set(store.projections.topics)
        self.projections = [type(p)() for p in store.projections.projections]
        self.memory = ViewDatabase(":memory:")
        self.batch: list[tuple[int, Any, str]] = []
        self.case_nos: dict[UUID, str] = {}
        self.failed: Problem | None = None
        with self.memory.transaction() as cursor:
            for projection in self.projections:
                for ddl in projection.tables:
                    cursor.execute(ddl)

    def feed(self, event: EventRow) -> None:
        """Take in one stored event (ignored unless it is a dispute event the views have
        read, and the replay has not failed)."""
        if self.failed or event.topic not in self.topics or event.position > self.through:
            return
        try:
            uuid = UUID(event.originator_id)
            stored = StoredEvent(uuid, event.version, event.topic, event.state)
            domain_event = self.store.app.mapper.to_domain_event(stored)
            if isinstance(domain_event, Dispute.Reported):
                self.case_nos[uuid] = domain_event.case_no
            # An access entry belongs to no case (it names its own).
            case_no = self.case_nos[uuid] if isinstance(domain_event, Dispute.Event) else ""
        except Exception as exc:  # an edited row; the chain names it, the views wait for it
            self.failed = Problem(
                "view",
                event.position,
                event.originator_id,
                event.version,
                f"the views were not compared: the event cannot be replayed ({exc!r})",
            )
            return
        self.batch.append((event.position, domain_event, case_no))
        if len(self.batch) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        with self.memory.transaction() as cursor:
            for projection in self.projections:
                position = self.tracked.get(projection.name, 0)
                todo: list[tuple[Any, str]] = [
                    (e, c)
                    for n, e, c in self.batch
                    if n <= position and isinstance(e, projection.events)
                ]
                if todo:
                    projection.process_many(cursor, todo)
        self.batch.clear()

    def compare(self, chain: Sequence[ChainRow]) -> list[Problem]:
        """The first difference per table and case between the stored views and the replay,
        and every tracking position beyond the end of the log (``chain``)."""
        end = chain[-1].position if chain else 0
        problems = [
            Problem(
                "view",
                position,
                None,
                None,
                f"tracking: {name} is marked as having read the log through position"
                f" {position}, beyond its end ({end}); later events would never reach it",
                table="tracking",
                column="notification_id",
                stored=position,
                replayed=end,
            )
            for name, position in self.tracked.items()
            if position > end
        ]
        if self.failed is not None:
            return [*problems, self.failed]
        self._flush()
        for projection in self.projections:
            for table in projection.table_names:
                problems.extend(_compare(table, self.store.views, self.memory))
        return problems

    def close(self) -> None:
        self.memory.close()


def _compare(table: str, stored_db: ViewDatabase, replayed_db: ViewDatabase) -> list[Problem]:
    """The first difference of each case between the stored and the replayed ``table``."""
    info = replayed_db.rows(f"SELECT name FROM pragma_table_info('{table}')")
    columns = [str(r[0]) for r in info]
    listed = ", ".join(columns)
    stored = _by_case(columns, stored_db.rows(f"SELECT {listed} FROM {table}"))
    replayed = _by_case(columns, replayed_db.rows(f"SELECT {listed} FROM {table}"))
    problems: list[Problem] = []
    for case_no in sorted(stored.keys() | replayed.keys(), key=str):
        ours, theirs = stored.get(case_no, []), replayed.get(case_no, [])
        if ours == theirs or Counter(ours) == Counter(theirs):  # in another order: the same
            continue
        problems.append(_first_difference(table, str(case_no), columns, ours, theirs))
    return problems


def _by_case(columns: list[str], rows: list[tuple[Any, ...]]) -> dict[Any, list[tuple[Any, ...]]]:
    """Rows grouped by case number (by the first column, the entry id, in a table of no case:
    the access log)."""
    at = columns.index("case_no") if "case_no" in columns else 0
    grouped: dict[Any, list[tuple[Any, ...]]] = {}
    for row in rows:
        grouped.setdefault(row[at], []).append(tuple(row))
    return grouped


def _first_difference(
    table: str,
    case_no: str,
    columns: list[str],
    stored: list[tuple[Any, ...]],
    replayed: list[tuple[Any, ...]],
) -> Problem:
    """The first row that differs: an edited row (a stored row and a replayed row paired by
    the most columns they share) names its first differing column; else a row only stored
    (the events do not give it) or only replayed (missing)."""
    extra, missing = Counter(stored), Counter(replayed)
    extra, missing = extra - missing, missing - extra
    only_stored = [row for row in stored if row in extra]
    only_replayed = [row for row in replayed if row in missing]
    at_version = columns.index("version") if "version" in columns else None

    def version_of(row: tuple[Any, ...]) -> int | None:
        value = None if at_version is None else row[at_version]
        return value if isinstance(value, int) else None

    if only_stored and only_replayed:
        theirs = only_replayed[0]
        ours = max(only_stored, key=lambda row: _shared(row, theirs))
        at = next(i for i, (a, b) in enumerate(zip(ours, theirs, strict=True)) if a != b)
        version = version_of(theirs)
        return Problem(
            "view",
            None,
            None,
            version,
            f"{table}.{columns[at]} of {case_no}{'' if version is None else f' v{version}'}:"
            f" stored {ours[at]!r}, the events give {theirs[at]!r}",
            case_no,
            table,
            columns[at],
            ours[at],
            theirs[at],
        )
    row = (only_stored or only_replayed)[0]
    what = dict(zip(columns, row, strict=True))
    detail = (
        f"{table}: a row of {case_no} that the events do not give: {what}"
        if only_stored
        else f"{table}: a row of {case_no} that the events give is missing: {what}"
    )
    return Problem(
        "view",
        None,
        None,
        version_of(row),
        detail,
        case_no,
        table,
        None,
        what if only_stored else None,
        None if only_stored else what,
    )


def _shared(row: tuple[Any, ...], other: tuple[Any, ...]) -> int:
    """How many columns two rows have in common."""
    return sum(a == b for a, b in zip(row, other, strict=True))
