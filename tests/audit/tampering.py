"""What an attacker with access to the database does, on each backend: the same edits of the
event and chain tables — an event's state, a row deleted, two rows' positions swapped, a forged
row appended, the chain recomputed — with ``sqlite3`` on an SQLite file, with SQL on PostgreSQL
(as psql would, each statement committed at once).

A position is an event's notification id: the ``rowid`` of ``stored_events`` on SQLite, the
``notification_id`` of ``disputes_events`` on PostgreSQL.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

from disputes.audit.chain import GENESIS, event_digest, link_case, link_global
from disputes.domain.model import dispute_id
from tests.support.driver import Disputes

VIEWS = ("ledger", "history", "command_log", "tracking")


class Hands(Protocol):
    """The attacker's hands on one store (``d`` drives the store as its users do)."""

    d: Disputes

    def position(self, case_no: str, version: int) -> int: ...
    def state_of(self, position: int) -> bytes: ...
    def set_state(self, position: int, state: bytes) -> None: ...
    def delete(self, position: int) -> None: ...
    def swap(self, first: int, second: int) -> None:
        """Give two rows each other's position."""

    def append_copy(self, case_no: str, version: int, new_version: int) -> int:
        """Append a copy of a case's event as ``new_version`` at the next position; returns it."""

    def rechain(self) -> None:
        """Recompute the whole chain table from the events, exactly as the recorder does (the
        attacker knows the algorithm; only the signing key is secret)."""

    def head(self) -> str:
        """The chain hash of the last position."""

    def contents(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of the event store, the chain and the read models."""


def chain_rows(events: list[tuple[int, str, int, str, bytes]]) -> list[tuple[Any, ...]]:
    """The chain rows of ``(position, hex originator id, version, topic, state)`` rows."""
    head, cases, chain = GENESIS, dict[str, str](), []
    for position, oid, version, topic, state in events:
        digest = event_digest(oid, version, topic, bytes(state))
        cases[oid] = link_case(cases.get(oid, GENESIS), digest)
        head = link_global(head, position, digest)
        chain.append((position, oid, version, digest, cases[oid], head))
    return chain


@dataclass
class SqliteHands:
    d: Disputes

    @property
    def db(self) -> Path:
        return Path(self.d.db)

    def sql(self, *statements: tuple[str, tuple[Any, ...]] | str) -> None:
        """Run statements on the store file and commit, as the sqlite3 tool would."""
        with closing(sqlite3.connect(self.db)) as connection:
            for statement in statements:
                if isinstance(statement, str):
                    connection.execute(statement)
                else:
                    connection.execute(*statement)
            connection.commit()

    def one(self, statement: str, *params: Any) -> Any:
        with closing(sqlite3.connect(self.db)) as connection:
            row = connection.execute(statement, params).fetchone()
        return None if row is None else row[0]

    def position(self, case_no: str, version: int) -> int:
        rowid = self.one(
            "SELECT rowid FROM stored_events WHERE originator_id = ? AND originator_version = ?",
            dispute_id(case_no).hex,
            version,
        )
        assert rowid is not None, f"{case_no} v{version} is not stored"
        return int(rowid)

    def state_of(self, position: int) -> bytes:
        return bytes(self.one("SELECT state FROM stored_events WHERE rowid = ?", position))

    def set_state(self, position: int, state: bytes) -> None:
        self.sql(("UPDATE stored_events SET state = ? WHERE rowid = ?", (state, position)))

    def delete(self, position: int) -> None:
        self.sql(("DELETE FROM stored_events WHERE rowid = ?", (position,)))

    def swap(self, first: int, second: int) -> None:
        self.sql(
            ("UPDATE stored_events SET rowid = -1 WHERE rowid = ?", (first,)),
            ("UPDATE stored_events SET rowid = ? WHERE rowid = ?", (first, second)),
            ("UPDATE stored_events SET rowid = ? WHERE rowid = -1", (second,)),
        )

    def append_copy(self, case_no: str, version: int, new_version: int) -> int:
        source = self.position(case_no, version)
        topic = self.one("SELECT topic FROM stored_events WHERE rowid = ?", source)
        self.sql(
            (
                "INSERT INTO stored_events VALUES (?, ?, ?, ?)",
                (dispute_id(case_no).hex, new_version, topic, self.state_of(source)),
            )
        )
        return self.position(case_no, new_version)

    def rechain(self) -> None:
        with closing(sqlite3.connect(self.db)) as connection:
            events = connection.execute(
                "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events"
                " ORDER BY rowid"
            ).fetchall()
            connection.execute("DELETE FROM event_chain")
            connection.executemany(
                "INSERT INTO event_chain VALUES (?,?,?,?,?,?)", chain_rows(events)
            )
            connection.commit()

    def head(self) -> str:
        head: str = self.one(
            "SELECT chain_hash FROM event_chain ORDER BY notification_id DESC LIMIT 1"
        )
        return head

    def contents(self) -> dict[str, list[tuple[Any, ...]]]:
        with closing(sqlite3.connect(self.db)) as connection:
            return {
                table: connection.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
                for table in ("stored_events", "event_chain", *VIEWS)
            }


EVENTS_TABLE, CHAIN_TABLE = "disputes_events", "disputes_events_chain"


@dataclass
class PostgresHands:
    d: Disputes

    def sql(self, statement: str, *params: Any) -> list[tuple[Any, ...]]:
        """Run one statement on the store's database, as psql would (committed at once)."""
        import psycopg

        with psycopg.connect(str(self.d.db), autocommit=True) as connection:
            cursor = connection.execute(statement, params or None)
            return list(cursor.fetchall()) if cursor.description else []

    def position(self, case_no: str, version: int) -> int:
        rows = self.sql(
            f"SELECT notification_id FROM {EVENTS_TABLE}"
            " WHERE originator_id = %s AND originator_version = %s",
            dispute_id(case_no),
            version,
        )
        assert rows, f"{case_no} v{version} is not stored"
        return int(rows[0][0])

    def state_of(self, position: int) -> bytes:
        rows = self.sql(f"SELECT state FROM {EVENTS_TABLE} WHERE notification_id = %s", position)
        return bytes(rows[0][0])

    def set_state(self, position: int, state: bytes) -> None:
        update = f"UPDATE {EVENTS_TABLE} SET state = %s WHERE notification_id = %s"
        self.sql(update, state, position)

    def delete(self, position: int) -> None:
        self.sql(f"DELETE FROM {EVENTS_TABLE} WHERE notification_id = %s", position)

    def swap(self, first: int, second: int) -> None:
        update = f"UPDATE {EVENTS_TABLE} SET notification_id = %s WHERE notification_id = %s"
        self.sql(update, -1, first)
        self.sql(update, first, second)
        self.sql(update, second, -1)

    def append_copy(self, case_no: str, version: int, new_version: int) -> int:
        self.sql(
            f"INSERT INTO {EVENTS_TABLE} (originator_id, originator_version, topic, state)"
            f" SELECT originator_id, %s, topic, state FROM {EVENTS_TABLE}"
            " WHERE notification_id = %s",
            new_version,
            self.position(case_no, version),
        )
        return self.position(case_no, new_version)

    def rechain(self) -> None:
        events = self.sql(
            "SELECT notification_id, originator_id, originator_version, topic, state"
            f" FROM {EVENTS_TABLE} ORDER BY notification_id",
        )
        rows = chain_rows([(p, UUID(str(o)).hex, v, t, s) for p, o, v, t, s in events])
        import psycopg

        with psycopg.connect(str(self.d.db)) as connection:  # one transaction
            connection.execute(f"DELETE FROM {CHAIN_TABLE}")
            with connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {CHAIN_TABLE} VALUES (%s,%s,%s,%s,%s,%s)", rows)

    def head(self) -> str:
        rows = self.sql(
            f"SELECT chain_hash FROM {CHAIN_TABLE} ORDER BY notification_id DESC LIMIT 1"
        )
        return str(rows[0][0])

    def contents(self) -> dict[str, list[tuple[Any, ...]]]:
        return {
            table: self.sql(f"SELECT * FROM {table} ORDER BY 1, 2")
            for table in (EVENTS_TABLE, CHAIN_TABLE, *VIEWS)
        }


# -- what the auditor sees -----------------------------------------------------------------------


def verify(hands: Hands, *args: str, code: int) -> dict[str, Any]:
    """``disputes verify --json``; checks the exit code and that verify changed nothing (nor fed
    a forged row to the read models on the way)."""
    before = hands.contents()
    report: dict[str, Any] = hands.d.json("verify", "--json", *args, code=code)
    assert hands.contents() == before, "verify changed the store"
    assert report["intact"] is (code == 0)
    return report


def problems(report: dict[str, Any]) -> set[tuple[str, str | None, int | None]]:
    return {(p["kind"], p["case_no"], p["version"]) for p in report["problems"]}


def human(hands: Hands) -> str:
    """The human report of a failing ``disputes verify`` (stderr)."""
    result = hands.d("verify", code=1)
    assert result.stdout == ""
    return result.stderr


def checkpoint(hands: Hands, key: Path) -> dict[str, Any]:
    taken: dict[str, Any] = hands.d.json("checkpoint", "--key", str(key), "--json")
    return taken
