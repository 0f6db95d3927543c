"""The store every store-backed test runs on: SQLite by default, PostgreSQL when
``DISPUTES_TEST_STORE=postgres`` and ``DISPUTES_TEST_POSTGRES`` names a server (a URL to a
database the tests may create databases from; ``scripts/throwaway-postgres`` starts one).

Each test gets a fresh store: a new SQLite file, or a new PostgreSQL database dropped after.
Tests that edit an SQLite file by hand are marked ``sqlite_only``.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit
from uuid import uuid4

import pytest

BACKEND = os.environ.get("DISPUTES_TEST_STORE", "sqlite")
SERVER = os.environ.get("DISPUTES_TEST_POSTGRES", "")


def pytest_report_header() -> str:
    return f"disputes store backend: {BACKEND}"


def pytest_configure(config: pytest.Config) -> None:  # noqa: ARG001 (pytest hook signature)
    if BACKEND not in ("sqlite", "postgres"):
        raise pytest.UsageError(f"DISPUTES_TEST_STORE must be sqlite or postgres, not {BACKEND}")
    if BACKEND == "postgres" and not SERVER:
        raise pytest.UsageError("DISPUTES_TEST_STORE=postgres needs DISPUTES_TEST_POSTGRES (a URL)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if BACKEND != "postgres":
        return
    skip = pytest.mark.skip(reason="edits or inspects an SQLite file directly")
    for item in items:
        if item.get_closest_marker("sqlite_only"):
            item.add_marker(skip)


def fresh_postgres_database() -> str:
    """Create an empty database on the test server; returns its URL."""
    import psycopg

    name = f"disputes_test_{uuid4().hex[:12]}"
    with psycopg.connect(SERVER, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlsplit(SERVER)._replace(path=f"/{name}").geturl()


def drop_postgres_database(url: str) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(SERVER, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def new_location(folder: Path, name: str = "disputes.db") -> str:
    """A fresh store location on the backend under test (call drop_location when done)."""
    if BACKEND == "postgres":
        return fresh_postgres_database()
    return str(folder / name)


def drop_location(location: str) -> None:
    if BACKEND == "postgres":
        drop_postgres_database(location)


def create_store(location: str) -> None:
    """Create an empty store at ``location`` (as ``disputes init`` does)."""
    from disputes.storage.store import Access, Store

    Store(location, access=Access.NEW).close()


@pytest.fixture
def store_location(tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store (created, as ``disputes init`` creates one): an SQLite file path or
    a PostgreSQL URL."""
    location = new_location(tmp_path)
    create_store(location)
    yield location
    drop_location(location)


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
