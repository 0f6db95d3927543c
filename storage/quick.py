"""Quick reads (issue 15): a read of the view tables over a read-only ``sqlite3`` connection,
without the application, the library, the aggregate or the pydantic models — for the CLI's
reads, which otherwise spend most of their time importing and building those.

:func:`open_quick` answers a :class:`QuickStore` only when it can be sure that what it reads
is what the full path (:class:`~disputes.storage.store.Store`) would answer; otherwise None,
and the caller takes the full path, which also gives every error its message. It answers None
for: a PostgreSQL or in-memory store, a file that is not a disputes store (its
``application_id``), a store lacking a table it reads, a projection it reads that is not at its
current version or not caught up with the event log (the full path would catch it up first),
and any ``sqlite3`` error. :meth:`QuickStore.policy` and :meth:`QuickStore.names` answer None
in the cases they cannot read cheaply (see there).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tomllib
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast
from uuid import UUID, uuid5

from disputes.projections.due_board.board import DueSummary, due_summaries
from disputes.projections.ledger_query import list_cases
from disputes.projections.trail import list_history
from disputes.storage.dialect import SQLITE

if TYPE_CHECKING:
    from disputes.domain.policy import Cadence

APPLICATION_ID = int.from_bytes(b"DSPT", "big")
"""``PRAGMA application_id`` of a disputes store (``disputes.storage.sqlite.APPLICATION_ID``)."""
DEMO_APPLICATION_ID = int.from_bytes(b"DEMO", "big")
"""…and of a store made by ``disputes demo`` (``storage.sqlite.DEMO_APPLICATION_ID``)."""
HISTORY = "history"
"""The audit trail's projection name in ``tracking`` (``CaseHistory.name``)."""
LEDGER = "ledger@3"
"""The ledger's projection name in ``tracking`` (``Ledger.name``)."""
DUE_BOARD = "due_board@2"
"""The due board's projection name in ``tracking`` (``DueBoard.name``)."""
LEDGER_DUE_BY_CASE = 2000
"""Up to this many ledger rows, their due-board standing is looked up case by case
(``disputes.storage.store.LEDGER_DUE_BY_CASE``)."""
NAMESPACE = UUID("6f1c3d0e-8a1b-5c7d-9e2f-3a4b5c6d7e8f")
"""The namespace of the store's record ids (:data:`disputes.domain.values.NAMESPACE`)."""
ROSTER_ID = uuid5(NAMESPACE, "roster").hex
"""The roster record's aggregate id, as stored (``RosterRecord.ID``)."""
POLICY_ENV = "DISPUTES_POLICY"
"""Names the policy file (:data:`disputes.domain.policy.POLICY_ENV`)."""
BUNDLED_POLICY = Path(__file__).resolve().parent.parent / "domain" / "policy.toml"
"""The policy in force without ``DISPUTES_POLICY`` (read by ``load_policy`` as a resource)."""
LABEL_KINDS = ("categories", "sources", "signals")
CADENCE_KEYS = (
    "red_first_contact_hours",
    "red_contact_every_days",
    "yellow_first_contact_days",
    "yellow_contact_every_days",
    "follow_up_every_days",
    "referral_reply_days",
    "stalled_after_days",
    "stalled_after_failed_mediations",
    "yellow_card_after_overdue_days",
    "red_card_after_overdue_days",
)
"""The fields of the policy's ``[cadence]`` (:class:`disputes.domain.policy.Cadence`)."""


class Label(NamedTuple):
    """A policy value's names (as :class:`disputes.domain.policy.Label`)."""

    zh: str
    en: str


class QuickCadence(NamedTuple):
    """The policy's ``[cadence]`` (:class:`disputes.domain.policy.Cadence`), for the board."""

    red_first_contact_hours: int
    red_contact_every_days: int
    yellow_first_contact_days: int
    yellow_contact_every_days: int
    follow_up_every_days: int
    referral_reply_days: int
    stalled_after_days: int
    stalled_after_failed_mediations: int
    yellow_card_after_overdue_days: int
    red_card_after_overdue_days: int


class QuickPolicy(NamedTuple):
    """What the reads need of the policy in force: its version, the late-entry threshold, the
    labels of categories, sources and signals (code → :class:`Label`) and the cadence (None
    when the file does not give every field of it: the model's defaults would apply)."""

    version: str
    late_entry_hours: int
    categories: dict[str, Label]
    sources: dict[str, Label]
    signals: dict[str, Label]
    cadence: QuickCadence | None = None


class QuickStore:
    """A store's view tables, read-only. ``query``/``rows`` take the SQL templates of
    :class:`disputes.projections.base.Views` (``{?}`` a parameter)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def query(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        """Rows as dicts (see :meth:`disputes.storage.views.ViewDatabase.query`)."""
        cursor = self.connection.execute(SQLITE.sql(sql), params)
        names = [column[0] for column in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def rows(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        """Rows as tuples."""
        return self.connection.execute(SQLITE.sql(sql), params).fetchall()

    def caught_up(self, *projections: str) -> bool:
        """Whether each of ``projections`` has processed every event of the log (one indexed
        read of the log's last notification id, one of ``tracking``)."""
        last = self.rows("SELECT MAX(rowid) FROM stored_events")[0][0] or 0
        marks = placeholders(len(projections))
        found = dict(
            self.rows(
                f"SELECT projection, notification_id FROM tracking WHERE projection IN ({marks})",
                projections,
            )
        )
        return all(found.get(name, -1) >= last for name in projections)

    def history(self, case_no: str) -> list[dict[str, Any]]:
        """The audit trail of a case, as :meth:`disputes.storage.store.Store.history` (empty
        when there is no such case)."""
        return list_history(self, case_no)

    def policy(self) -> QuickPolicy | None:
        """The policy in force (``DISPUTES_POLICY``, else the bundled one), read with
        ``tomllib``, its version the one the store recorded with its text. None when it cannot
        be sure of it: a policy this store never recorded (so never validated here), or one
        without the keys the reads need (the model's defaults would apply)."""
        chosen = os.environ.get(POLICY_ENV) or None
        try:
            data = Path(chosen or BUNDLED_POLICY).read_bytes()
            raw = tomllib.loads(data.decode("utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return None
        version = hashlib.sha256(data).hexdigest()[:12]
        adopted = self.rows(
            "SELECT 1 FROM stored_events WHERE originator_id = ? AND originator_version = 1",
            [policy_id(version)],
        )
        if not adopted:  # never recorded, so never validated here (nor used): unsure
            return None
        try:
            labels = {
                kind: {code: Label(e["zh"], e["en"]) for code, e in raw.get(kind, {}).items()}
                for kind in LABEL_KINDS
            }
            hours = raw["audit"]["late_entry_hours"]
        except (KeyError, TypeError):
            return None
        if not isinstance(hours, int):
            return None
        return QuickPolicy(version, hours, **labels, cadence=_cadence(raw.get("cadence")))

    def ledger(
        self, cadence: QuickCadence, on: datetime, **filters: str | None
    ) -> list[dict[str, Any]]:
        """Ledger rows with their standing on the due board at ``on``, as
        :meth:`disputes.storage.store.Store.ledger` (``filters`` already checked)."""
        rows = list_cases(self, **filters)
        few = [row["case_no"] for row in rows] if len(rows) <= LEDGER_DUE_BY_CASE else None
        board = cast("Cadence", cadence)
        due = due_summaries(self, board, on, case_nos=few, station=filters.get("station"))
        return [{**row, **due.get(row["case_no"], DueSummary()).as_row()} for row in rows]

    def names(self) -> tuple[dict[str, str], dict[str, str]] | None:
        """Unit code → name and person id → name of the roster in force, when the store's
        roster is one whole load and nothing since (the roster of every time then); None
        otherwise (later changes take effect at their own times: the full path replays them)."""
        loaded = self.roster()
        if loaded is None:
            return None
        units = {str(u["code"]): str(u["name"]) for u in loaded["units"]}
        people = {str(p["id"]): str(p["name"]) for p in loaded["people"]}
        return units, people

    def stations(self) -> set[str] | None:
        """The codes of the roster's stations, under the same condition as :meth:`names`."""
        loaded = self.roster()
        if loaded is None:
            return None
        return {str(u["code"]) for u in loaded["units"] if u["kind"] == "station"}

    def roster(self) -> dict[str, Any] | None:
        """The roster's load event (units and people), when the store's roster is that one
        whole load and nothing since; None otherwise."""
        events = self.rows(
            "SELECT topic, state FROM stored_events WHERE originator_id = ?"
            " ORDER BY originator_version",
            [ROSTER_ID],
        )
        if [topic for topic, _ in events] != ["disputes:Roster.Started", "disputes:Roster.Loaded"]:
            return None
        loaded: dict[str, Any] = json.loads(events[1][1])
        return loaded

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()


def _cadence(raw: Any) -> QuickCadence | None:
    """The ``[cadence]`` table when it gives every field as an integer; else None."""
    if not isinstance(raw, dict):
        return None
    values = [raw.get(key) for key in CADENCE_KEYS]
    if any(type(value) is not int for value in values):
        return None
    return QuickCadence(*cast("list[int]", values))


def policy_id(version: str) -> str:
    """The aggregate id of a policy version, as stored (``records.policy_id``)."""
    return uuid5(NAMESPACE, f"policy:{version}").hex


def placeholders(n: int) -> str:
    """``?, ?, …`` (n of them)."""
    return ", ".join("?" * n)


def open_quick(location: str, *projections: str) -> QuickStore | None:
    """The SQLite store at ``location`` for a quick read of ``projections``, or None when a
    quick read could differ from the full path's (see the module docstring)."""
    if location == ":memory:" or "://" in location or not Path(location).is_file():
        return None
    path = Path(location).resolve()
    try:
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    quick = QuickStore(connection)
    try:
        (app_id,) = quick.rows("PRAGMA application_id")[0]
        if app_id not in (APPLICATION_ID, DEMO_APPLICATION_ID) or not quick.caught_up(*projections):
            quick.close()
            return None
    except sqlite3.Error:
        quick.close()
        return None
    return quick
