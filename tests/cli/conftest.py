"""Fixtures of the CLI tests: a fresh store per test (on the backend under test) with the
Huaiyang sample roster, and the driver of tests/support/driver.py on it.

The root group ``cli`` and the stores come from tests/conftest.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from tests.support.driver import Disputes, clean_environment

if TYPE_CHECKING:
    import click


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_environment(monkeypatch, tmp_path)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(catch_exceptions=False)


@pytest.fixture
def bare(cli: click.Group, runner: CliRunner, store_location: str) -> Disputes:
    """A driver on a fresh store without a roster."""
    location = Path(store_location) if "://" not in store_location else store_location
    return Disputes(cli, runner, location)


@pytest.fixture
def d(bare: Disputes) -> Disputes:
    """A driver on a fresh store with the sample roster loaded."""
    bare.load_roster()
    return bare
