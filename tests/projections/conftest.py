"""Fixtures of the projection tests: stores (in memory and SQLite files) with the test roster."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from disputes.domain.policy import POLICY_ENV
from disputes.storage.store import Store
from tests.domain.support import NOW, Driver, make_roster

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(autouse=True)
def _bundled_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests use the bundled policy whatever the environment says."""
    monkeypatch.delenv(POLICY_ENV, raising=False)


@pytest.fixture
def store() -> Iterator[Store]:
    with Store(":memory:", clock=lambda: NOW) as opened:
        opened.app.load_roster(make_roster())
        yield opened


@pytest.fixture
def sd(store: Store) -> Driver:
    """A driver recording through the store (each command caught up into the read models)."""
    return Driver(store.app, store.execute)


@pytest.fixture
def db_path(store_location: str) -> str:
    """A fresh store on the backend under test (an SQLite path or a PostgreSQL URL)."""
    return store_location


@pytest.fixture
def file_store(db_path: str) -> Iterator[Store]:
    with Store(db_path, clock=lambda: NOW) as opened:
        opened.app.load_roster(make_roster())
        yield opened
