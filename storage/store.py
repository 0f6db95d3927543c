"""Opening a store: the application (write side) and its projections (read side), wired together.

Where the store is and what it is made of: :mod:`.location` (``--db``/``DISPUTES_DB``),
:mod:`.views` (the view tables), :mod:`.batching` (the application service with units of work).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

from disputes.domain.application import Outcome
from disputes.domain.clock import Clock, system_clock
from disputes.domain.commands import Command, RecordedCommand
from disputes.domain.errors import StoreError
from disputes.domain.model import Dispute
from disputes.domain.policy import Policy, load_policy
from disputes.projections.access_log import list_access
from disputes.projections.base import Row
from disputes.projections.command_log import find_commands
from disputes.projections.due_board import DueItem, DueSummary, due_summaries, list_due
from disputes.projections.history import get_first_times, get_last_version, list_history
from disputes.projections.ledger import (
    Ledger,
    case_no_of,
    get_case_row,
    list_case_numbers,
    list_scopes,
)
from disputes.projections.ledger_query import COLUMNS, list_cases
from disputes.projections.runner import Projections, dispute_topics
from disputes.storage.batching import BatchingApp
from disputes.storage.failures import describe, is_store_failure
from disputes.storage.location import redact, resolve_db, store_env
from disputes.storage.rewards import RewardReads
from disputes.storage.sqlite import APPLICATION_ID, inspect, unread_log, writable
from disputes.storage.views import ViewDatabase, open_views

# redact, resolve_db: cli/main.py imports them from here.
__all__ = [
    "LEDGER_COLUMNS",
    "Access",
    "DueItem",
    "DueSummary",
    "Row",
    "Store",
    "redact",
    "resolve_db",
]


class Access(Enum):
    """What opening a store may do.

    - ``OPEN``: an existing store only (a missing one is "no such store"); read-only when it
      cannot be written (reads work, projections are not caught up, writes are refused).
    - ``CREATE``: an existing store, or a new empty one (``roster load``, ``demo``, the library).
    - ``NEW``: ``disputes init``: a new empty store; an existing store is opened and left as it
      is (``Store.created`` is False).

    Whatever the access, a file that is not a disputes store is refused and left untouched.
    """

    OPEN = "open"
    CREATE = "create"
    NEW = "new"


def how_to_create(location: str) -> str:
    """How a new store is made, for messages."""
    return (
        f"create it with `disputes --db {redact(location)} init`, or with `roster load` "
        "(a new store with its roster)"
    )


def how_to_create_zh(location: str) -> str:
    """:func:`how_to_create` in Chinese."""
    return (
        f"请用 `disputes --db {redact(location)} init` 新建，或用 `roster load`"
        "（新建数据库并载入花名册）"
    )


LEDGER_COLUMNS = COLUMNS
"""The ledger's columns, in order (a ledger row has these, then its due-board standing)."""

LEDGER_DUE_BY_CASE = 2000
"""Up to this many ledger rows, their due-board standing is looked up case by case."""


class Store(RewardReads):
    """One store: ``app`` records commands, ``projections`` answer reads.

    ``execute`` records a command and catches the projections up, so a read right after a
    write sees it.
    """

    def __init__(
        self,
        db: str | None = None,
        *,
        policy: Policy | None = None,
        clock: Clock = system_clock,
        access: Access = Access.CREATE,
        note: Callable[[str], None] | None = None,
    ) -> None:
        """Open the store at ``db`` (see :func:`.location.resolve_db`) as ``access`` allows
        (the library's default creates a missing store; the CLI opens with ``Access.OPEN``
        unless the verb creates). ``note`` is told, once each, what a reader should know (a
        read-only store whose projections are behind its events). Raises StoreError."""
        self.location = resolve_db(db)
        self.note = note
        self._told: set[str] = set()
        self.read_only = False
        """True when the store cannot be written: opened read-only, never caught up."""
        self.created = False
        """True when this opening created the store (its tables)."""
        self._prepare(access)
        env = store_env(self.location, read_only=self.read_only)
        self.views = open_views(self.location, read_only=self.read_only)
        try:
            if self.location != ":memory:" and "://" in self.location:
                self._check_schema(access)
            self.app = BatchingApp(env, policy=policy or load_policy(), clock=clock)
            self.projections = Projections(self.app, self.views)
            if self.created and "://" not in self.location and self.location != ":memory:":
                self.views.connection.execute(f"PRAGMA application_id={APPLICATION_ID}")
        except StoreError:
            self.views.close()
            raise
        except Exception as exc:
            self.views.close()
            cause = describe(exc, redact(self.location))
            raise StoreError(
                f"cannot open store {redact(self.location)}: {cause}",
                zh=f"数据库无法打开：{redact(self.location)}：{cause}",
            ) from None
        self.app.command_lookup = self.projections

    def _prepare(self, access: Access) -> None:
        """Check what is at an SQLite location before anything opens it: refuse what is not a
        disputes store, and a missing store unless ``access`` creates; set ``read_only`` and
        ``created``; make a new store's folder."""
        location = self.location
        if location == ":memory:" or "://" in location:
            self.created = location == ":memory:"
            return
        store_env(location)  # raises for a mistyped URL or a directory
        path = Path(location)
        try:
            found = inspect(path)
        except (OSError, sqlite3.Error) as exc:
            cause = describe(exc, location)
            raise StoreError(
                f"cannot open store {location}: {cause}",
                zh=f"数据库无法打开：{location}：{cause}",
            ) from None
        if found.kind in ("not-sqlite", "foreign"):
            raise StoreError(
                f"cannot open store {location}: {found.describe()}, not a disputes store; it was "
                "left untouched (name another file with --db/DISPUTES_DB)",
                zh=f"数据库无法打开：{location}：{found.describe()}，不是 disputes 数据库；"
                "该文件未被改动（请用 --db/DISPUTES_DB 指定另一个文件）",
            )
        new = found.kind in ("missing", "empty")
        if new and access is Access.OPEN:
            what = "no such store" if found.kind == "missing" else "an empty database, no store"
            what_zh = "数据库不存在" if found.kind == "missing" else "这是空数据库，还没有数据"
            raise StoreError(
                f"{what}: {location}; {how_to_create(location)}",
                zh=f"{what_zh}：{location}；{how_to_create_zh(location)}",
            )
        if not writable(path if path.exists() else _existing_parent(path)):
            if new:
                raise StoreError(
                    f"store {location}: the store is read-only (the file, its folder or its "
                    "mount cannot be written); nothing was created",
                    zh=f"数据库 {location} 只读（文件、所在文件夹或所在磁盘不可写）；"
                    "未新建任何内容",
                )
            self.read_only = True  # whatever the access: writes are refused when they come
            if unread_log(path):
                self._tell(
                    f"store {location} is read-only and has a write-ahead log ({path}-wal) that "
                    "cannot be read without its -shm index: its last transactions are not shown"
                )
            return
        if new:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"cannot create {path.parent}: {exc.strerror}",
                    zh=f"无法新建文件夹 {path.parent}：{exc.strerror}",
                ) from None
            self.created = True

    def _check_schema(self, access: Access) -> None:
        """PostgreSQL: a database without the events table is not a disputes store yet; only an
        access that creates goes on (the library then creates the schema)."""
        present = self.views.table_exists(self.views.events_table)
        if not present and access is Access.OPEN:
            raise StoreError(
                f"store {redact(self.location)}: not a disputes store yet (the database has no "
                f"{self.views.events_table} table); {how_to_create(self.location)}",
                zh=f"数据库 {redact(self.location)} 还不是 disputes 数据库（没有 "
                f"{self.views.events_table} 表）；{how_to_create_zh(self.location)}",
            )
        self.created = not present

    def _tell(self, text: str) -> None:
        if self.note is not None and text not in self._told:
            self._told.add(text)
            self.note(text)

    def require_writable(
        self, what: str = "nothing was recorded", what_zh: str = "未记录任何内容"
    ) -> None:
        """Raise StoreError (exit 2) when the store was opened read-only."""
        if self.read_only:
            raise StoreError(
                f"store {redact(self.location)}: the store is read-only (the file, its folder "
                f"or its mount cannot be written); {what}",
                zh=f"数据库 {redact(self.location)} 只读（文件、所在文件夹或所在磁盘不可写）；"
                + what_zh,
            )

    @property
    def policy(self) -> Policy:
        """The policy in force (the application's)."""
        return self.app.policy

    def execute(self, command: Command, *, os_user: str | None = None) -> Outcome:
        """Record one command (see DisputesApp.execute; ``os_user`` recorded beside the actor)
        and catch the projections up. Raises StoreError on a read-only store (nothing is
        recorded)."""
        self.require_writable()
        outcome = self.app.execute(command, os_user=os_user)
        try:
            self.projections.catch_up()
        except Exception as exc:
            if not is_store_failure(exc):
                raise
            raise StoreError(
                f"{outcome.case_no}: {outcome.event} v{outcome.version} was recorded, but the "
                f"views of store {redact(self.location)} were not brought up to date "
                f"({describe(exc, redact(self.location))}); they catch up on the next command",
                zh=f"{outcome.case_no}：{outcome.event} 第 {outcome.version} 版已记录，但数据库 "
                f"{redact(self.location)} 的视图未能更新"
                f"（{describe(exc, redact(self.location))}）；下一条命令时会补上",
            ) from exc
        return outcome

    def catch_up(self) -> int:
        """Bring the projections up to date; returns how many dispute events they processed.
        Raises what the store raises (see ``storage.failures``).

        A read-only store is not caught up (that would write): when its projections are
        behind its events, ``note`` is told so, once, and the reads answer from them as they
        are."""
        if self.read_only:
            behind = self.behind()
            if behind:
                self._tell(
                    f"store {redact(self.location)} is read-only and its projections are "
                    f"behind its log by {behind} event{'s' if behind > 1 else ''}: the ledger, "
                    "histories and the due board may miss the latest changes (show replays "
                    "the case from its events; verify reads the log itself)"
                )
            return 0
        return self.projections.catch_up()

    def behind(self) -> int:
        """How many logged events (any aggregate) come after the projections' position."""
        through = self.app.recorder.max_notification_id() or 0
        start = min(self.projections.positions().values(), default=0)
        return max(0, through - start)

    def ledger(self, **filters: str | None) -> list[Row]:
        """Ledger rows (see projections.ledger.list_cases), caught up first, each with its
        standing on the due board now (``next_due_at``, ``overdue_days``, ``supervision``)."""
        self.catch_up()
        rows = list_cases(self.views, **filters)
        return self.with_standing(rows, station=filters.get("station"))

    def with_standing(
        self, rows: list[Row], on: datetime | None = None, *, station: str | None = None
    ) -> list[Row]:
        """Ledger ``rows`` (of ``station``, when given), each with its standing on the due
        board at ``on`` (default now): ``next_due_at``, ``overdue_days``, ``supervision``."""
        few = [row["case_no"] for row in rows] if len(rows) <= LEDGER_DUE_BY_CASE else None
        due = due_summaries(
            self.views,
            self.policy.cadence,
            on or self.app.clock(),
            case_nos=few,
            station=station,
        )
        return [{**row, **due.get(row["case_no"], DueSummary()).as_row()} for row in rows]

    def ledger_row(self, case_no: str) -> Row | None:
        """One case's ledger row with its due-board standing now (as :meth:`ledger`), caught
        up first; None when there is no such case."""
        self.catch_up()
        row = get_case_row(self.views, case_no)
        return None if row is None else {**row, **self.due_summary(case_no).as_row()}

    def scopes(self, case_no: str | None = None) -> dict[str, tuple[str, str, str]]:
        """Case number → (owning station, village, reporter) of every case (or of
        ``case_no``), caught up first: what jurisdiction needs of a case."""
        self.catch_up()
        return list_scopes(self.views, case_no)

    def access_log(
        self,
        *,
        case: str | None = None,
        person: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[Row]:
        """Access entries, oldest first (see projections.access_log.list_access), caught up
        first."""
        self.catch_up()
        return list_access(self.views, case=case, person=person, since=since, until=until)

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

    def last_version(
        self,
        case_no: str,
        *,
        occurred_by: datetime | None = None,
        recorded_by: datetime | None = None,
    ) -> int | None:
        """The last version of a case that occurred by ``occurred_by`` and was recorded by
        ``recorded_by`` (None = any time), caught up first; None when none qualifies."""
        self.catch_up()
        return get_last_version(
            self.views, case_no, occurred_by=occurred_by, recorded_by=recorded_by
        )

    def first_times(self) -> tuple[datetime | None, datetime | None]:
        """When the first event occurred and when the first was recorded (UTC), caught up
        first; None for each before the first event."""
        self.catch_up()
        occurred, recorded = get_first_times(self.views)
        return (
            None if occurred is None else datetime.fromisoformat(occurred),
            None if recorded is None else datetime.fromisoformat(recorded),
        )

    def dispute_events(self) -> Iterator[Dispute.Event]:
        """Every dispute event in the store, in log order (decoded from the notification log,
        read in batches of 2000)."""
        start = 0
        topics = dispute_topics()
        while True:
            batch = self.app.recorder.select_notifications(
                start=start, limit=2000, topics=topics, inclusive_of_start=False
            )
            if not batch:
                return
            for notification in batch:
                event = self.app.mapper.to_domain_event(notification)
                assert isinstance(event, Dispute.Event)
                yield event
            start = batch[-1].id

    @staticmethod
    def ledger_of(events: Iterable[Dispute.Event], **filters: str | None) -> list[Row]:
        """The ledger rows (filters as :meth:`ledger`, without due-board standing) that the
        ledger projection builds from ``events`` alone (in log order), in memory."""
        memory = ViewDatabase(":memory:")
        ledger = Ledger()
        try:
            with memory.transaction() as cursor:
                for ddl in ledger.tables:
                    cursor.execute(ddl)
                for event in events:
                    if isinstance(event, Dispute.Reported):
                        case_no: str | None = event.case_no
                    else:
                        case_no = case_no_of(cursor, str(event.originator_id))
                    assert case_no is not None
                    ledger.process(cursor, event, case_no)
            return list_cases(memory, **filters)
        finally:
            memory.close()

    def case_numbers(self) -> dict[str, str]:
        """Aggregate id (text) → case number, as the ledger holds them now (not caught up
        first: the audit checks read the store as they find it)."""
        return list_case_numbers(self.views)

    def find_commands(self, command_ids: Sequence[str]) -> dict[str, RecordedCommand]:
        """The case and verb each of ``command_ids`` recorded, as the command log holds them
        now (not caught up first: the caller did); ids that recorded nothing are absent."""
        return find_commands(self.views, command_ids)

    def case(self, case_no: str) -> Dispute:
        """Replay one case from its events (raises CaseNotFound)."""
        return self.app.get_case(case_no)

    def close(self) -> None:
        """Close the application's and the views' connections."""
        self.app.close()
        self.views.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _existing_parent(path: Path) -> Path:
    """The nearest existing folder above ``path`` (where a new store's folder would be made),
    as a stand-in file path for :func:`.sqlite.writable`."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder / path.name
