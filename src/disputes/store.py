"""Opening a store: the application (write side) and its projections (read side), wired together.

``DISPUTES_DB`` (or ``--db``) selects the store: a file path (SQLite, the embedded default),
``:memory:`` (tests and demos; nothing persists) — PostgreSQL URLs are reserved for the
PostgreSQL store. Without either, the store is ``$XDG_DATA_HOME/disputes/disputes.db``
(``~/.local/share/disputes/disputes.db``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from disputes.domain.application import DisputesApp, Outcome
from disputes.domain.clock import Clock, system_clock
from disputes.domain.commands import Command
from disputes.domain.errors import StoreError
from disputes.domain.model import Dispute
from disputes.domain.policy import Policy, load_policy
from disputes.projections.base import Row, ViewDatabase
from disputes.projections.history import list_history
from disputes.projections.ledger import get_case_row, list_cases
from disputes.projections.runner import Projections

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
        scheme = db.split("://", 1)[0]
        raise StoreError(
            f"DISPUTES_DB: unsupported store URL scheme '{scheme}://' (use a file path for SQLite)"
        )
    path = Path(db)
    if path.is_dir():
        raise StoreError(f"DISPUTES_DB: {db} is a directory, not a database file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"DISPUTES_DB: cannot create {path.parent}: {exc.strerror}") from None
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(path),
        # Hash-chain every event in the transaction that writes it (disputes.audit.chain).
        "APPLICATION_RECORDER_TOPIC": "disputes.audit.chain:ChainedSQLiteApplicationRecorder",
        "SQLITE_LOCK_TIMEOUT": "10",
        "AGGREGATE_CACHE_MAXSIZE": "2000",
    }


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
        try:
            self.views = ViewDatabase(self.location)
            self.app = DisputesApp(env, policy=policy or load_policy(), clock=clock)
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(f"cannot open store {self.location}: {exc}") from None
        self.projections = Projections(self.app, self.views)
        self.app.command_lookup = self.projections

    @property
    def policy(self) -> Policy:
        return self.app.policy

    def execute(self, command: Command) -> Outcome:
        """Record one command (see DisputesApp.execute) and catch the projections up."""
        outcome = self.app.execute(command)
        self.projections.catch_up()
        return outcome

    def catch_up(self) -> int:
        return self.projections.catch_up()

    def ledger(self, **filters: str | None) -> list[Row]:
        """Ledger rows (see projections.ledger.list_cases), caught up first."""
        self.catch_up()
        return list_cases(self.views, **filters)

    def ledger_row(self, case_no: str) -> Row | None:
        self.catch_up()
        return get_case_row(self.views, case_no)

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
