"""Opening a store: the application (write side) and its projections (read side), wired together.

``DISPUTES_DB`` (or ``--db``) selects the store: a file path (SQLite, the embedded default),
``postgresql://user:password@host:port/dbname`` (PostgreSQL; the password may instead come from
``PGPASSWORD`` or a libpq password file), or ``:memory:`` (tests; nothing persists). Without
either, the store is ``$XDG_DATA_HOME/disputes/disputes.db`` (``~/.local/share/…``).
"""

from __future__ import annotations

import getpass
import os
import re
from collections import OrderedDict
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from uuid import UUID

from eventsourcing.application import ProcessingEvent, Repository, project_aggregate
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Recording

from disputes.domain.application import DisputesApp, Outcome
from disputes.domain.clock import Clock, system_clock
from disputes.domain.commands import Command
from disputes.domain.errors import StoreError
from disputes.domain.model import Dispute
from disputes.domain.policy import Policy, load_policy
from disputes.projections.base import Row, ViewDatabase
from disputes.projections.due_board import DueItem, DueSummary, due_summaries, list_due
from disputes.projections.history import list_history
from disputes.projections.ledger import get_case_row, list_cases
from disputes.projections.runner import Projections
from disputes.storage.failures import describe, is_store_failure

DB_ENV = "DISPUTES_DB"


def default_db_path() -> Path:
    """The store used when neither ``--db`` nor ``DISPUTES_DB`` is given."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "disputes" / "disputes.db"


def resolve_db(db: str | None) -> str:
    """The store location: ``db``, else ``$DISPUTES_DB``, else :func:`default_db_path`."""
    return db or os.environ.get(DB_ENV) or str(default_db_path())


def store_env(db: str) -> dict[str, str]:
    """The eventsourcing environment for a store location. Raises StoreError when unusable."""
    if db == ":memory:":
        return {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    if "://" in db:
        return postgres_env(db)
    if URL_LIKE.match(db):
        raise StoreError(
            f"DISPUTES_DB: malformed store URL '{redact(db)}' (a URL needs '://': "
            "postgresql://user:password@host:port/dbname; for an SQLite file whose name has "
            f"a colon, write ./{db})"
        )
    path = Path(db)
    if path.is_dir():
        raise StoreError(f"DISPUTES_DB: {db} is a directory, not a database file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"DISPUTES_DB: cannot create {path.parent}: {exc.strerror}") from None
    return {
        # eventsourcing.sqlite, plus synchronous=FULL on every connection (WAL and the busy
        # timeout, SQLITE_LOCK_TIMEOUT, are the library's own).
        "PERSISTENCE_MODULE": "disputes.storage.sqlite:DurableSQLiteFactory",
        "SQLITE_DBNAME": str(path),
        # Hash-chain every event in the transaction that writes it (disputes.audit.chain).
        "APPLICATION_RECORDER_TOPIC": "disputes.audit.chain:ChainedSQLiteApplicationRecorder",
        "SQLITE_LOCK_TIMEOUT": "10",
        "AGGREGATE_CACHE_MAXSIZE": "2000",
    }


POSTGRES_SCHEMES = ("postgresql", "postgres")
URL_LIKE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:")
"""A location starting ``scheme:`` without ``//`` is a mistyped URL, not a file name."""


def postgres_env(url: str) -> dict[str, str]:
    """The eventsourcing environment of a ``postgresql://`` URL.

    Raises StoreError (exit 2) for an unknown scheme or a URL without host or database name.
    The password comes from the URL, else ``PGPASSWORD``, else libpq's password file.
    """
    try:
        parts = urlsplit(url)
        port = parts.port or 5432
    except ValueError as exc:
        raise StoreError(f"DISPUTES_DB: malformed store URL ({exc})") from None
    if parts.scheme not in POSTGRES_SCHEMES:
        raise StoreError(
            f"DISPUTES_DB: unsupported store URL scheme '{parts.scheme}://' "
            "(use postgresql://user:password@host:port/dbname, or a file path for SQLite)"
        )
    dbname = unquote(parts.path.lstrip("/"))
    if not parts.hostname or not dbname or "/" in dbname:
        raise StoreError(
            "DISPUTES_DB: a PostgreSQL URL needs a host and a database name: "
            "postgresql://user:password@host:port/dbname"
        )
    user = unquote(parts.username) if parts.username else os.environ.get("PGUSER", "")
    password = unquote(parts.password) if parts.password else os.environ.get("PGPASSWORD", "")
    return {
        # eventsourcing.postgres, creating its tables one process at a time (see the module).
        "PERSISTENCE_MODULE": "disputes.storage.postgres:SerialSchemaPostgresFactory",
        "POSTGRES_DBNAME": dbname,
        "POSTGRES_HOST": parts.hostname,
        "POSTGRES_PORT": str(port),
        "POSTGRES_USER": user or getpass.getuser(),
        "POSTGRES_PASSWORD": password,
        "POSTGRES_CONNECT_TIMEOUT": "10",
        "POSTGRES_LOCK_TIMEOUT": "10",
        # Hash-chain every event in the transaction that writes it (disputes.audit.chain).
        "APPLICATION_RECORDER_TOPIC": (
            "disputes.storage.chain_postgres:ChainedPostgresApplicationRecorder"
        ),
        "AGGREGATE_CACHE_MAXSIZE": "2000",
    }


def redact(location: str) -> str:
    """A store location fit for messages: a URL's password replaced by ``***``."""
    if "://" not in location:
        return location
    parts = urlsplit(location)
    if parts.password is None:
        return location
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def open_views(location: str) -> ViewDatabase:
    """The view tables' database for a store location (same database as the events)."""
    if "://" in location:
        # Imported here: psycopg takes longer to import than the rest of a CLI command.
        from disputes.storage.views_postgres import PostgresViewDatabase

        try:
            return PostgresViewDatabase(location, events_table=f"{DisputesApp.name.lower()}_events")
        except StoreError as exc:
            raise StoreError(f"cannot open store {redact(location)}: {exc.message}") from None
    return ViewDatabase(location)


RECENT_AGGREGATES = 20_000
"""Aggregates a unit of work keeps between batches (see :class:`UnitOfWork`)."""


class UnitOfWork:
    """Several commands' changes held in memory and saved in one transaction.

    While a unit is open, ``BatchingApp.save`` does not write: it takes the aggregates' pending
    events (in command order) and keeps the aggregates, and the repository answers from the
    unit's aggregates first, so a later command of the unit sees the earlier ones' changes.
    ``commit`` saves everything with one ``Application.save`` call (one transaction). When that
    fails, the pending events are gone with it: the caller abandons the unit and reloads — a
    failed unit is never saved again.
    """

    def __init__(self, start: int) -> None:
        self.start = start
        """The last notification id when the unit began."""
        self.aggregates: dict[UUID, Any] = {}
        self.changed: dict[UUID, Any] = {}
        self.events: list[DomainEventProtocol[UUID]] = []

    def untouched(self) -> bool:
        """True when no aggregate of the unit holds events that were not handed to save()."""
        return not any(getattr(a, "pending_events", None) for a in self.aggregates.values())


class UnitRepository(Repository[UUID]):
    """The library's repository, answering from the open unit of work (and from the aggregates
    of earlier units, as long as nobody else wrote to the store in between) before the store."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit: UnitOfWork | None = None
        self.recent: OrderedDict[UUID, Any] = OrderedDict()
        self.recent_through = -1
        """The last notification id when ``recent`` was known to be current."""

    def get(self, aggregate_id: UUID, *, version: int | None = None, **kwargs: Any) -> Any:
        unit = self.unit
        if unit is None or version is not None:
            return super().get(aggregate_id, version=version, **kwargs)
        aggregate = unit.aggregates.get(aggregate_id)
        if aggregate is None:
            aggregate = self.recent.pop(aggregate_id, None)
            if aggregate is None:
                project: Any = project_aggregate
                aggregate = self._reconstruct_aggregate(aggregate_id, None, project)
            unit.aggregates[aggregate_id] = aggregate
        return aggregate


class BatchingApp(DisputesApp):
    """:class:`DisputesApp` that can save several commands in one transaction (``begin_unit``,
    ``commit_unit``, ``abandon_unit``); outside a unit it behaves exactly like DisputesApp."""

    name = DisputesApp.name

    def construct_repository(self) -> UnitRepository:
        base = super().construct_repository()
        repository = UnitRepository(
            event_store=base.event_store,
            snapshot_store=base.snapshot_store,
            fastforward=base.fastforward,
            fastforward_skipping=base.fastforward_skipping,
            deepcopy_from_cache=base.deepcopy_from_cache,
        )
        repository.cache = base.cache
        return repository

    @property
    def units(self) -> UnitRepository:
        repository = self.repository
        assert isinstance(repository, UnitRepository)
        return repository

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        unit = self.units.unit
        if unit is None:
            return super().save(*objs, **kwargs)
        assert not kwargs, "a unit of work saves no keyword arguments"
        for obj in objs:
            if obj is None:
                continue
            unit.events.extend(obj.collect_events())
            unit.aggregates[obj.id] = obj
            unit.changed[obj.id] = obj
        return []

    def begin_unit(self) -> UnitOfWork:
        repository = self.units
        assert repository.unit is None, "units of work do not nest"
        start = self.recorder.max_notification_id() or 0
        if start != repository.recent_through:
            repository.recent.clear()  # someone else wrote: reload what we read
        repository.unit = UnitOfWork(start)
        # Flags the application sets on the assumption that a save succeeded (e.g. "policy
        # recorded"): put back if the unit is abandoned.
        self._unit_flags = {
            k: v
            for k, v in vars(self).items()
            if k.startswith("_") and isinstance(v, bool | int | str | None)
        }
        return repository.unit

    def commit_unit(self) -> list[Recording[UUID]]:
        """Save the unit in one transaction. Raises what ``save`` raises (IntegrityError when
        another writer changed one of its aggregates); then call :meth:`abandon_unit`."""
        repository = self.units
        unit = repository.unit
        assert unit is not None
        repository.unit = None
        try:
            recordings = self._save_unit(unit) if unit.events else []
        except BaseException:
            repository.unit = unit
            raise
        last = max((r.notification.id for r in recordings), default=unit.start)
        if unit.start + len(recordings) == last:
            recent = repository.recent
            for aggregate_id, aggregate in unit.aggregates.items():
                recent[aggregate_id] = aggregate
            while len(recent) > RECENT_AGGREGATES:
                recent.popitem(last=False)
            repository.recent_through = last
        else:  # another writer came in between: what we hold may be stale
            repository.recent.clear()
            repository.recent_through = -1
        return recordings

    def _save_unit(self, unit: UnitOfWork) -> list[Recording[UUID]]:
        # Application.save, given the events in command order and the aggregates they came from
        # (for snapshots); ProcessingEvent is filled directly because collect_events() would
        # check every event against runtime Protocols, which costs more than encoding it.
        processing: ProcessingEvent[UUID] = ProcessingEvent()
        processing.events = list(unit.events)
        processing.aggregates = dict(unit.changed)
        recordings = self._record(processing)
        self._take_snapshots(processing)
        self._notify(recordings)
        return recordings

    def abandon_unit(self) -> None:
        """Forget the unit: nothing of it is saved, and what it read is read again."""
        repository = self.units
        repository.unit = None
        repository.recent.clear()
        repository.recent_through = -1
        for key, value in getattr(self, "_unit_flags", {}).items():
            setattr(self, key, value)


LEDGER_DUE_BY_CASE = 2000
"""Up to this many ledger rows, their due-board standing is looked up case by case."""


class Store:
    """One store: ``app`` records commands, ``projections`` answer reads.

    ``execute`` records a command and catches the projections up, so a read right after a
    write sees it.
    """

    def __init__(
        self, db: str | None = None, *, policy: Policy | None = None, clock: Clock = system_clock
    ) -> None:
        self.location = resolve_db(db)
        env = store_env(self.location)
        self.views = open_views(self.location)
        try:
            self.app = BatchingApp(env, policy=policy or load_policy(), clock=clock)
        except StoreError:
            self.views.close()
            raise
        except Exception as exc:
            self.views.close()
            cause = describe(exc, redact(self.location))
            raise StoreError(f"cannot open store {redact(self.location)}: {cause}") from None
        self.projections = Projections(self.app, self.views)
        self.app.command_lookup = self.projections

    @property
    def policy(self) -> Policy:
        return self.app.policy

    def execute(self, command: Command) -> Outcome:
        """Record one command (see DisputesApp.execute) and catch the projections up."""
        outcome = self.app.execute(command)
        try:
            self.projections.catch_up()
        except Exception as exc:
            if not is_store_failure(exc):
                raise
            raise StoreError(
                f"{outcome.case_no}: {outcome.event} v{outcome.version} was recorded, but the "
                f"views of store {redact(self.location)} were not brought up to date "
                f"({describe(exc, redact(self.location))}); they catch up on the next command"
            ) from exc
        return outcome

    def catch_up(self) -> int:
        return self.projections.catch_up()

    def ledger(self, **filters: str | None) -> list[Row]:
        """Ledger rows (see projections.ledger.list_cases), caught up first, each with its
        standing on the due board now (``next_due_at``, ``overdue_days``, ``supervision``)."""
        self.catch_up()
        rows = list_cases(self.views, **filters)
        few = [row["case_no"] for row in rows] if len(rows) <= LEDGER_DUE_BY_CASE else None
        due = due_summaries(
            self.views,
            self.policy.cadence,
            self.app.clock(),
            case_nos=few,
            station=filters.get("station"),
        )
        return [{**row, **due.get(row["case_no"], DueSummary()).as_row()} for row in rows]

    def ledger_row(self, case_no: str) -> Row | None:
        self.catch_up()
        row = get_case_row(self.views, case_no)
        return None if row is None else {**row, **self.due_summary(case_no).as_row()}

    def due(self, on: datetime | None = None, **options: Any) -> list[DueItem]:
        """The due board at ``on`` (default now); options as projections.due_board.list_due."""
        self.catch_up()
        return list_due(self.views, self.policy.cadence, on or self.app.clock(), **options)

    def due_summary(self, case_no: str, on: datetime | None = None) -> DueSummary:
        """A case's next due time, days overdue and supervision level at ``on`` (default now)."""
        self.catch_up()
        on = on or self.app.clock()
        found = due_summaries(self.views, self.policy.cadence, on, case_no=case_no)
        return found.get(case_no, DueSummary())

    def history(self, case_no: str) -> list[Row]:
        """The audit trail of a case (raises CaseNotFound when there is no such case)."""
        self.catch_up()
        rows = list_history(self.views, case_no)
        if not rows:
            self.app.get_case(case_no)  # raises CaseNotFound
        return rows

    def case(self, case_no: str) -> Dispute:
        """Replay one case from its events (raises CaseNotFound)."""
        return self.app.get_case(case_no)

    def close(self) -> None:
        self.app.close()
        self.views.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
