"""Fixtures of the domain tests: an application on the in-memory store with the test roster."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from disputes.domain.application import DisputesApp
from disputes.domain.policy import POLICY_ENV
from disputes.storage.store import Store
from tests.domain.support import NOW, Driver, make_roster, new_app

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(autouse=True)
def _bundled_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests use the bundled policy unless they point DISPUTES_POLICY elsewhere themselves."""
    monkeypatch.delenv(POLICY_ENV, raising=False)


@pytest.fixture
def app() -> Iterator[DisputesApp]:
    application = new_app()
    yield application
    application.close()


@pytest.fixture
def d(app: DisputesApp) -> Driver:
    """A driver recording straight through the application (no read model)."""
    return Driver(app, app.execute)


@pytest.fixture
def store() -> Iterator[Store]:
    """The in-memory store: the application plus its read models (the command log answers
    retried reports)."""
    with Store(":memory:", clock=lambda: NOW) as opened:
        opened.app.load_roster(make_roster())
        yield opened


@pytest.fixture
def sd(store: Store) -> Driver:
    """A driver recording through the store (application and read models)."""
    return Driver(store.app, store.execute)
