"""A served store (tests/server/harness.py) on the backend under test: per test (``served``),
or per module (``serving``)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pytest

from tests.server.harness import ADMIN, AUDIT, GRID, LEADER, OFFICER, OTHER_LEADER, Served
from tests.support.stores import BACKEND, create_store, drop_location, new_location

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

SEEN: list[str] = []

PEOPLE = (ADMIN, AUDIT, LEADER, OTHER_LEADER, GRID, OFFICER)
"""Who has an account: the system and audit administrators, two leaders of two stations, a
grid worker and a community officer."""


@contextmanager
def serving(folder: Path, location: str | None = None) -> Iterator[Served]:
    """The sample roster with administrators, accounts for :data:`PEOPLE`, and ``disputes
    serve`` over it, in ``folder`` (a new store there unless ``location`` is given)."""
    own = location is None
    if location is None:
        location = new_location(folder)
        create_store(location)
    server = Served(location, folder)
    try:
        server.prepare(*PEOPLE)
        server.start()
        yield server
    finally:
        server.stop()
        if own:
            drop_location(location)


@pytest.fixture
def served(store_location: str, tmp_path: Path) -> Iterator[Served]:
    """A served store of its own for the test."""
    with serving(tmp_path, store_location) as server:
        yield server


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Callable[..., None]:
    """``figures(sent=…, acknowledged=…)``: what a test saw, printed in a "server figures"
    section of pytest's summary (for the README to quote) and kept as JUnit properties."""

    def record(**numbers: Any) -> None:
        SEEN.append(f"{request.node.name}: " + ", ".join(f"{k} {v}" for k, v in numbers.items()))
        request.node.user_properties.extend(numbers.items())

    return record


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if SEEN:
        terminalreporter.write_sep("-", f"server figures ({BACKEND})")
        for line in SEEN:
            terminalreporter.write_line(line)
