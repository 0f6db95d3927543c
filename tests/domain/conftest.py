"""Fixtures of the domain tests: an application on the in-memory store with the test roster."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from disputes.domain.application import DisputesApp
from disputes.domain.policy import POLICY_ENV
from tests.domain.support import NOW, Driver, make_roster

if TYPE_CHECKING:
    from collections.abc import Iterator

MEMORY = {"PERSISTENCE_MODULE": "eventsourcing.popo"}


@pytest.fixture(autouse=True)
def _bundled_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests use the bundled policy unless they point DISPUTES_POLICY elsewhere themselves."""
    monkeypatch.delenv(POLICY_ENV, raising=False)


@pytest.fixture
def app() -> Iterator[DisputesApp]:
    application = DisputesApp(MEMORY, clock=lambda: NOW)
    application.load_roster(make_roster())
    yield application
    application.close()


@pytest.fixture
def d(app: DisputesApp) -> Driver:
    """A driver recording straight through the application (no read model)."""
    return Driver(app, app.execute)
