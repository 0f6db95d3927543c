"""Bad store locations (issue 5, "Bad input"): a malformed URL, an unknown scheme, a server that
is not there, a wrong password, a missing database, a user who may not create tables, a file that
is no store — each a clear message naming the store (password hidden) and the cause, exit 2, and
nothing half-created: no file or folder for a mistyped URL, no database, no table.

The tests that need a PostgreSQL server run when ``DISPUTES_TEST_POSTGRES`` names one
(``needs_server``, tests/conftest.py).
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

import pytest
from click.testing import CliRunner

from tests.support.driver import Disputes
from tests.support.stores import SERVER, admin, needs_server, server_url


def refused(cli: Any, db: str, *args: str) -> str:
    """Run a command on store ``db`` (``ledger`` if none); it must fail with exit 2 and a
    one-line message (in English: ``--lang en``)."""
    result = Disputes(cli, CliRunner(), db)("--lang", "en", *(args or ("ledger",)), code=2)
    assert result.stdout == ""
    assert result.stderr.startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The working directory, empty: a mistyped URL must not leave a file or folder in it."""
    here = tmp_path / "cwd"
    here.mkdir()
    monkeypatch.chdir(here)
    return here


@pytest.mark.parametrize(
    ("url", "cause"),
    [
        ("postgresql://u:secret@localhost:99999/db", "Port out of range"),
        ("postgresql://u:secret@[::1/db", "Invalid IPv6 URL"),
        ("postgresql:/localhost/db", "a URL needs '://'"),
        ("postgres:db", "a URL needs '://'"),
        ("postgresql:///db", "needs a host and a database name"),
        ("postgresql://localhost", "needs a host and a database name"),
        ("postgresql://localhost/a/b", "needs a host and a database name"),
    ],
)
def test_a_malformed_url(cli: Any, folder: Path, url: str, cause: str) -> None:
    message = refused(cli, url)
    assert cause in message
    assert "secret" not in message
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("url", ["mysql://u:p@host/db", "sqlite:///tmp/x.db", "http://host/db"])
def test_an_unknown_scheme(cli: Any, folder: Path, url: str) -> None:
    scheme = url.split(":", 1)[0]
    assert f"unsupported store URL scheme '{scheme}://'" in refused(cli, url)
    assert list(folder.iterdir()) == []


def test_a_file_that_is_no_store_is_left_alone(cli: Any, folder: Path) -> None:
    notes = folder / "notes.txt"
    notes.write_text("not a database\n" * 100)
    message = refused(cli, str(notes))
    assert message.startswith(f"error: cannot open store {notes}: ")
    assert "not a disputes store" in message
    assert notes.read_text() == "not a database\n" * 100
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]


def test_a_folder_is_no_store(cli: Any, folder: Path) -> None:
    assert "is a directory" in refused(cli, str(folder))


# -- a PostgreSQL server -------------------------------------------------------------------------


def databases() -> set[str]:
    return {row[0] for row in admin("SELECT datname FROM pg_database")}


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@needs_server
def test_an_unreachable_server(cli: Any) -> None:
    url = f"postgresql://disputes:secret@127.0.0.1:{closed_port()}/disputes"
    message = refused(cli, url)
    assert message.startswith(f"error: cannot open store {url.replace('secret', '***')}: ")
    assert "Connection refused" in message
    assert "secret" not in message


@needs_server
def test_a_wrong_password(cli: Any) -> None:
    parts = urlsplit(SERVER)
    url = server_url(netloc=f"{parts.username}:not-the-password@{parts.hostname}:{parts.port}")
    before = databases()
    message = refused(cli, url, "--as", "P-WD-01", "visit", "HY-2024-0001")
    assert "password authentication failed" in message
    assert "not-the-password" not in message
    assert databases() == before


@needs_server
def test_a_missing_database_is_not_created(cli: Any) -> None:
    name = f"disputes_missing_{uuid4().hex[:8]}"
    message = refused(cli, server_url(path=f"/{name}"))
    assert f'database "{name}" does not exist' in message
    assert name not in databases()


@needs_server
def test_a_user_who_may_not_create_tables_leaves_no_table(cli: Any) -> None:
    """``init``: the views' connection succeeds, the event store's tables cannot be created:
    nothing is created at all (the view tables come after the event store)."""
    tag = uuid4().hex[:8]
    database, role = f"disputes_test_readers_{tag}", f"disputes_reader_{tag}"
    admin(f"CREATE DATABASE {database}")
    admin(f"CREATE ROLE {role} LOGIN PASSWORD 'reader'")
    try:
        parts = urlsplit(SERVER)
        url = server_url(netloc=f"{role}:reader@{parts.hostname}:{parts.port}", path=f"/{database}")
        admin(f"REVOKE CREATE ON DATABASE {database} FROM PUBLIC")
        message = refused(cli, url, "init")
        assert message.startswith(f"error: cannot open store {url.replace(':reader@', ':***@')}: ")
        assert "permission denied" in message
        owner = server_url(path=f"/{database}")
        import psycopg

        with psycopg.connect(owner, autocommit=True) as connection:
            tables = connection.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            ).fetchall()
        assert tables == []
    finally:
        admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        admin(f"DROP ROLE IF EXISTS {role}")
