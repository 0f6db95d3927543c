"""Which store each test runs on.

The suite runs twice (``.ci/run``): on SQLite (the default) and with
``DISPUTES_TEST_STORE=postgres``, which needs ``DISPUTES_TEST_POSTGRES`` to name a server (a URL
to a database the tests may create databases from; ``scripts/throwaway-postgres`` starts one).
A store-backed test is one of two kinds:

- **It follows the backend under test** (fixture ``store_location``): almost every test. Its
  behaviour is the product's, whatever the store, so it runs once per run — on SQLite in the
  SQLite run, on PostgreSQL in the PostgreSQL run.
- **It is parametrised by backend** (fixture ``backend``, ids ``[sqlite]`` and ``[postgres]``):
  the tests that reach past the product into the database itself — a store made read-only
  (tests/scale/test_durability.py) — where each backend needs its own hands but the behaviour
  checked is one. (The attacker's edits of the event, chain and view tables are SQLite-only in
  tests/audit/test_tamper.py, with a thin PostgreSQL slice in tests/scale/test_postgres_audit.py.)
  In the SQLite run both cases run, the PostgreSQL one only when
  ``DISPUTES_TEST_POSTGRES`` names a server (else it is skipped, saying so); in the PostgreSQL
  run only the PostgreSQL case runs (the SQLite one ran in the SQLite run). So no test runs
  twice on the same backend across the two CI runs, which give the SQLite run no server.

Tests that need a server of their own whatever the backend under test (bad store URLs, the two
stores compared) are marked ``needs_server`` (tests/support/stores.py). Tests of what one backend
alone has (SQLite's file, WAL and pragmas; a full disk, whose mechanism and message differ per
backend) are marked ``sqlite_only`` — skipped in the PostgreSQL run — or skipped unless the
backend under test is PostgreSQL.

Each test gets a fresh store: a new SQLite file, or a new PostgreSQL database dropped after.
What the test folders share (stores, the CLI driver, the model's lists) is in tests/support/.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.support.stores import (
    BACKEND,
    BACKENDS,
    NO_SERVER,
    SERVER,
    create_store,
    drop_location,
    new_location,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    import click


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


@pytest.fixture
def store_location(tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store on the backend under test (created, as ``disputes init`` creates
    one): an SQLite file path or a PostgreSQL URL."""
    location = new_location(tmp_path)
    create_store(location)
    yield location
    drop_location(location)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """``sqlite`` or ``postgres``: the backend of a test parametrised by backend (see above)."""
    name: str = request.param
    if name == "postgres" and not SERVER:
        pytest.skip(NO_SERVER)
    return name


@pytest.fixture
def backend_location(backend: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store on ``backend``."""
    location = new_location(tmp_path, backend=backend)
    yield location
    drop_location(location)


@pytest.fixture(scope="session")
def cli() -> click.Group:
    """The root group, as ``main()`` runs it (it registers every verb itself)."""
    from disputes.cli.main import cli as root

    return root
