"""A served store per test (tests/server/harness.py), on the backend under test."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.server.harness import ADMIN, AUDIT, GRID, LEADER, OFFICER, OTHER_LEADER, Served

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture
def served(store_location: str, tmp_path: Path) -> Iterator[Served]:
    """The sample roster with administrators, accounts for the people the tests act as, and
    ``disputes serve`` over it."""
    server = Served(store_location, tmp_path)
    server.prepare(ADMIN, AUDIT, LEADER, OTHER_LEADER, GRID, OFFICER)
    server.start()
    yield server
    server.stop()
