"""The desk over a store with accounts, in-process (FastAPI's TestClient over HTTPS, so the
cookies' Secure flag holds as in a deployment)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.server.harness import ADMIN, AUDIT, GRID, LEADER, OFFICER, OTHER_LEADER, Served
from tests.web.support import AtDesk, TestClient

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

AUX = "A-WD-V01"  # auxiliary officer of village WD-V01


@pytest.fixture
def desk_app(
    store_location: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Served, object]]:
    from disputes.server.app import create_app
    from disputes.storage.store import Store

    served = Served(store_location, tmp_path)
    served.prepare(ADMIN, AUDIT, LEADER, OTHER_LEADER, GRID, OFFICER, AUX)
    monkeypatch.setenv("DISPUTES_KEY_FILE", str(served.key_file))
    app = create_app(Store(store_location))
    yield served, app
    app.state.backend.close()


@pytest.fixture
def desk(desk_app: tuple[Served, object]) -> Iterator[Callable[[], AtDesk]]:
    """``desk()``: a new browser (its own cookies) at the desk. The clients are not entered
    (the app's lifespan would close the store when the first one leaves): the fixture above
    closes it."""
    served, app = desk_app
    clients: list[TestClient] = []

    def browser() -> AtDesk:
        client = TestClient(app, base_url="https://testserver")  # type: ignore[arg-type]
        clients.append(client)
        return AtDesk(served, client)

    yield browser
    for client in clients:
        client.close()
