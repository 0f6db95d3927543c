"""A served store (tests/server/harness.py) on the backend under test: per test (``served``),
or per module (``serving``)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest

from tests.server.harness import ADMIN, AUDIT, GRID, LEADER, OFFICER, OTHER_LEADER, Served
from tests.support.stores import create_store, drop_location, new_location

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

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
