"""Fixtures of the auditor's-toolkit tests (issue 4): stores built through the CLI with the
driver of tests/support/driver.py, and a signing key.

The root group ``cli`` and the stores come from tests/conftest.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from tests.support.driver import SCENARIOS, Disputes, clean_environment
from tests.support.stores import (
    BACKEND,
    drop_location,
    drop_postgres_database,
    fresh_postgres_database,
    settle,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    import click


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_environment(monkeypatch, tmp_path)


def copy_store(source: Path, target: Path) -> Path:
    settle(source)
    shutil.copyfile(source, target)
    return target


@pytest.fixture(scope="session")
def scenarios_template(cli: click.Group, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the sample roster and scenarios.jsonl (3 cases, 49 commands), built once."""
    folder = tmp_path_factory.mktemp("scenarios")
    db = folder / "template.db"
    with pytest.MonkeyPatch.context() as patch:
        clean_environment(patch, folder)
        Disputes(cli, CliRunner(), db).load_sample(SCENARIOS)
    settle(db)
    return db


@pytest.fixture(scope="session")
def postgres_scenarios_template(
    cli: click.Group, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The same store on the PostgreSQL test server: a database that each test copies
    (``CREATE DATABASE … TEMPLATE``), never used directly; its name."""
    folder = tmp_path_factory.mktemp("postgres-scenarios")
    url = fresh_postgres_database()
    try:
        with pytest.MonkeyPatch.context() as patch:
            clean_environment(patch, folder)
            Disputes(cli, CliRunner(), url).load_sample(SCENARIOS)
        yield urlsplit(url).path.lstrip("/")
    finally:
        drop_postgres_database(url)


@pytest.fixture
def d(cli: click.Group, store_location: str) -> Disputes:
    """A driver on a fresh store (SQLite or PostgreSQL) with the sample roster loaded."""
    location = store_location if "://" in store_location else Path(store_location)
    driver = Disputes(cli, CliRunner(), location)
    driver.load_roster()
    return driver


def scenarios_store(backend: str, folder: Path, request: pytest.FixtureRequest) -> str:
    """A new copy of the scenarios store on ``backend`` (drop it with ``drop_location``)."""
    if backend == "postgres":
        return fresh_postgres_database(request.getfixturevalue("postgres_scenarios_template"))
    template: Path = request.getfixturevalue("scenarios_template")
    return str(copy_store(template, folder / "disputes.db"))


@pytest.fixture
def sd(cli: click.Group, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Disputes]:
    """A driver on this test's own scenarios store (HY-2021-0001 = C01, HY-2021-0002 = C04,
    HY-2022-0001 = C02) on the backend under test: a copy of the template store."""
    location = scenarios_store(BACKEND, tmp_path, request)
    yield Disputes(cli, CliRunner(), location if "://" in location else Path(location))
    drop_location(location)


@pytest.fixture
def key(tmp_path: Path, cli: click.Group) -> Path:
    """A signing key made by ``disputes keygen`` (its public key is ``KEY.pub``)."""
    path = tmp_path / "station.key"
    result = CliRunner().invoke(cli, ["keygen", "--out", str(path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert path.exists()
    assert Path(f"{path}.pub").exists()
    return path
