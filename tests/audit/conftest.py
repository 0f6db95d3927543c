"""Fixtures of the auditor's-toolkit tests (issue 4): the root group with every verb including
the audit verbs, a clean environment, and SQLite stores built through the CLI.

The driver is the CLI tests' :class:`~tests.cli.conftest.Disputes` (click's CliRunner,
``catch_exceptions=False``, exit code checked); only the group differs: it also has ``verify``,
``keygen``, ``checkpoint``, ``checkpoints``, ``export``, ``verify-dossier`` and ``policy``.
"""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from tests.cli.conftest import PEOPLE, SAMPLES, UNITS, Disputes

if TYPE_CHECKING:
    import click

SCENARIOS = SAMPLES / "scenarios.jsonl"
YEAR = SAMPLES / "year-2021.jsonl"

ENV_VARS = (
    "DISPUTES_DB",
    "DISPUTES_ACTOR",
    "DISPUTES_LANG",
    "DISPUTES_POLICY",
    "DISPUTES_SIGNING_KEY",
)


@pytest.fixture(scope="session")
def cli() -> click.Group:
    """The root group, as ``main()`` runs it (it registers every verb itself)."""
    from disputes.cli.main import cli as root

    return root


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No store, actor, policy or signing key leaks in from the environment."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))


def settle(db: Path) -> None:
    """Fold the write-ahead log into the database file, so that the file alone holds every row
    (as an attacker editing the file, or a copy of it, would see it)."""
    with closing(sqlite3.connect(db)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def copy_store(source: Path, target: Path) -> Path:
    settle(source)
    shutil.copyfile(source, target)
    return target


def load_sample(d: Disputes, journal: Path) -> None:
    d("roster", "load", "--units", str(UNITS), "--people", str(PEOPLE))
    d("apply", "--quiet", str(journal))


@pytest.fixture(scope="session")
def scenarios_template(cli: click.Group, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the sample roster and scenarios.jsonl (3 cases, 49 commands), built once."""
    db = tmp_path_factory.mktemp("scenarios") / "template.db"
    with pytest.MonkeyPatch.context() as patch:
        for name in ENV_VARS:
            patch.delenv(name, raising=False)
        load_sample(Disputes(cli, CliRunner(), db), SCENARIOS)
    settle(db)
    return db


@pytest.fixture
def d(cli: click.Group, store_location: str) -> Disputes:
    """A driver on a fresh store (SQLite or PostgreSQL) with the sample roster loaded."""
    location = store_location if "://" in store_location else Path(store_location)
    driver = Disputes(cli, CliRunner(), location)
    driver("roster", "load", "--units", str(UNITS), "--people", str(PEOPLE))
    return driver


@pytest.fixture
def sd(cli: click.Group, store_location: str, request: pytest.FixtureRequest) -> Disputes:
    """A driver on this test's own scenarios store (HY-2021-0001 = C01, HY-2021-0002 = C04,
    HY-2022-0001 = C02): a copy of the SQLite template, or loaded afresh on PostgreSQL."""
    if "://" in store_location:
        driver = Disputes(cli, CliRunner(), store_location)
        load_sample(driver, SCENARIOS)
        return driver
    template: Path = request.getfixturevalue("scenarios_template")
    return Disputes(cli, CliRunner(), copy_store(template, Path(store_location)))


@pytest.fixture
def key(tmp_path: Path, cli: click.Group) -> Path:
    """A signing key made by ``disputes keygen`` (its public key is ``KEY.pub``)."""
    path = tmp_path / "station.key"
    result = CliRunner().invoke(cli, ["keygen", "--out", str(path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert path.exists()
    assert Path(f"{path}.pub").exists()
    return path
