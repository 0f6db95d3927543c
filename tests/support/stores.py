"""The stores the tests run on (see the docstring of tests/conftest.py for which test runs where).

``DISPUTES_TEST_STORE`` (``sqlite``, the default, or ``postgres``) is the backend under test;
``DISPUTES_TEST_POSTGRES`` names a PostgreSQL server (a URL to a database the tests may create
databases from; ``scripts/throwaway-postgres`` starts one).
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

import pytest

BACKEND = os.environ.get("DISPUTES_TEST_STORE", "sqlite")
SERVER = os.environ.get("DISPUTES_TEST_POSTGRES", "")
NO_SERVER = "DISPUTES_TEST_POSTGRES is not set (scripts/throwaway-postgres starts a server)"

BACKENDS: tuple[str, ...] = ("sqlite", "postgres") if BACKEND == "sqlite" else ("postgres",)
"""The backends a test parametrised by ``backend`` runs on in this run: both in the SQLite run
(PostgreSQL skipped without a server), PostgreSQL alone in the PostgreSQL run — the SQLite case
ran in the SQLite run already."""


def admin(statement: str, *params: Any) -> list[tuple[Any, ...]]:
    """Run one statement on the test server (autocommit); returns its rows, if any."""
    import psycopg

    with psycopg.connect(SERVER, autocommit=True) as connection:
        cursor = connection.execute(statement, params or None)
        return list(cursor.fetchall()) if cursor.description else []


def server_url(**parts: Any) -> str:
    """The test server's URL with some parts replaced (``netloc``, ``path``)."""
    return urlsplit(SERVER)._replace(**parts).geturl()


def database_url(name: str) -> str:
    """The URL of database ``name`` on the test server."""
    return server_url(path=f"/{name}")


def fresh_postgres_database(template: str | None = None) -> str:
    """Create an empty database on the test server (a copy of ``template`` if given); returns
    its URL."""
    name = f"disputes_test_{uuid4().hex[:12]}"
    admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return database_url(name)


def drop_postgres_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def new_location(folder: Path, name: str = "disputes.db", backend: str = BACKEND) -> str:
    """A fresh store location on ``backend`` (call drop_location when done)."""
    if backend == "postgres":
        return fresh_postgres_database()
    return str(folder / name)


def drop_location(location: str) -> None:
    if "://" in location:
        drop_postgres_database(location)


def stored_events(location: str | Path) -> int:
    """How many events the event store itself holds (not a read model)."""
    location = str(location)
    if "://" in location:
        import psycopg

        with psycopg.connect(location, autocommit=True) as connection:
            row = connection.execute("SELECT to_regclass('disputes_events') IS NOT NULL").fetchone()
            if not row or not row[0]:
                return 0
            counted = connection.execute("SELECT COUNT(*) FROM disputes_events").fetchone()
            return int(counted[0]) if counted else 0
    if not Path(location).exists():
        return 0
    with closing(sqlite3.connect(location)) as connection:
        tables = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'stored_events'"
        ).fetchall()
        if not tables:
            return 0
        (count,) = connection.execute("SELECT COUNT(*) FROM stored_events").fetchone()
    return int(count)


needs_server = pytest.mark.skipif(not SERVER, reason=NO_SERVER)
"""For a test that needs a PostgreSQL server of its own, whatever the backend under test."""


def settle(db: Path | str) -> None:
    """Fold an SQLite store's write-ahead log into the database file, so that the file alone
    holds every row (as an attacker editing the file, or a copy of it, would see it)."""
    with closing(sqlite3.connect(db)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def create_store(location: str) -> None:
    """Create an empty store at ``location`` (as ``disputes init`` does)."""
    from disputes.storage.store import Access, Store

    Store(location, access=Access.NEW).close()
