"""The access log at the command line and under ``verify``: ``disputes access-log`` (Chinese by
default, English with ``--lang en``, Asia/Shanghai to the minute, for the audit administrator and
auditors), ``--purpose`` on the reads in local mode, and ``verify`` naming an access entry or an
access-log view row edited by hand."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner

from disputes.domain.clock import local_text
from disputes.storage.store import Store
from tests.gate.conftest import AUDITOR, OTHER_STATION_LEADER, PARTIES, World, roster
from tests.support.driver import AUX, LEADER, OFFICER, at
from tests.support.stores import settle

if TYPE_CHECKING:
    import click

TOPIC = "disputes:AccessEntry.AccessRecorded"


def disputes(cli: click.Group, db: str, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(cli, ["--db", db, *args], catch_exceptions=False)
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result.stdout or result.stderr


@pytest.fixture
def logged_store(store_location: str) -> str:
    """A store with one case and three access entries (two reads, one refused), closed."""
    with Store(store_location) as store:
        store.app.load_roster(roster())
        world = World(store)
        world.case = world.report()
        world.run("grade", OFFICER, at(1, 10), case=world.case, grade="red", reason="r")
        world.gate(LEADER, logged=True).show(world.case)
        world.gate(AUDITOR, logged=True).history(world.case)
        with pytest.raises(Exception, match="jurisdiction rule"):
            world.gate(OTHER_STATION_LEADER, logged=True).show(world.case)
    return store_location


def test_access_log_json_and_tables(cli: click.Group, logged_store: str) -> None:
    rows: list[dict[str, Any]] = json.loads(disputes(cli, logged_store, "access-log", "--json"))
    assert [(r["person"], r["action"], r["masked"], r["allowed"]) for r in rows] == [
        (LEADER, "show", False, True),
        (AUDITOR, "history", True, True),
        (OTHER_STATION_LEADER, "show", False, False),
    ]
    zh = disputes(cli, logged_store, "--as", AUDITOR, "access-log")
    assert "查阅日志（3 条）" in zh
    assert "查看办理记录" in zh
    assert "拒绝" in zh
    first = json.loads(disputes(cli, logged_store, "access-log", "--json"))[0]
    from datetime import datetime

    assert local_text(datetime.fromisoformat(first["at"])) in zh  # to the minute, +08:00
    en = disputes(cli, logged_store, "--lang", "en", "access-log", "--person", AUDITOR)
    assert "access log (1 entries)" in en
    assert "history" in en
    none = disputes(cli, logged_store, "access-log", "--to", "2000-01-01", "--json")
    assert json.loads(none) == []
    error = disputes(cli, logged_store, "--as", LEADER, "access-log", code=1)
    assert "访问日志" in error


def test_purpose_at_the_command_line(cli: click.Group, store_location: str) -> None:
    with Store(store_location) as store:
        store.app.load_roster(roster())
        world = World(store)
        case = world.report()
    masked = json.loads(disputes(cli, store_location, "--as", AUDITOR, "show", case, "--json"))
    assert [p["name"] for p in masked["parties"]] == ["梁**", "张*"]
    full = json.loads(
        disputes(cli, store_location, "--as", AUDITOR, "show", case, "--purpose", "audit", "--json")
    )
    assert full["parties"] == PARTIES
    trail = disputes(cli, store_location, "--as", AUDITOR, "history", case, "--json")
    assert "梁某某" not in trail
    disputes(cli, store_location, "--as", OTHER_STATION_LEADER, "show", case, code=1)
    ledger = json.loads(disputes(cli, store_location, "--as", AUX, "ledger", "--json"))
    assert [r["case_no"] for r in ledger] == [case]  # the auxiliary officer of the village
    # Local mode keeps no access log.
    assert json.loads(disputes(cli, store_location, "access-log", "--json")) == []


@pytest.mark.sqlite_only
def test_verify_names_an_edited_access_entry(cli: click.Group, logged_store: str) -> None:
    assert json.loads(disputes(cli, logged_store, "verify", "--json"))["intact"] is True
    settle(logged_store)
    with closing(sqlite3.connect(logged_store)) as connection:
        rowid, state = connection.execute(
            "SELECT rowid, state FROM stored_events WHERE topic = ? ORDER BY rowid LIMIT 1",
            (TOPIC,),
        ).fetchone()
        forged = json.loads(state)
        forged["person"] = "P-WD-02"  # someone else read it, says the forger
        connection.execute(
            "UPDATE stored_events SET state = ? WHERE rowid = ?",
            (json.dumps(forged).encode(), rowid),
        )
        connection.commit()
    report = json.loads(disputes(cli, logged_store, "verify", "--json", code=1))
    assert report["intact"] is False
    named = {p["position"]: p["case_no"] for p in report["problems"]}
    assert named[rowid] == "access entry"


@pytest.mark.sqlite_only
def test_verify_names_an_edited_access_log_view(cli: click.Group, logged_store: str) -> None:
    disputes(cli, logged_store, "access-log")  # caught up
    settle(logged_store)
    with closing(sqlite3.connect(logged_store)) as connection:
        connection.execute("UPDATE access_log SET allowed = 1 WHERE allowed = 0")
        connection.commit()
    report = json.loads(disputes(cli, logged_store, "verify", "--json", code=1))
    views = [p for p in report["problems"] if p["kind"] == "view"]
    assert [(p["table"], p["column"]) for p in views] == [("access_log", "allowed")]
