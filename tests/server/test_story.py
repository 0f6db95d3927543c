"""Issue 11, "Done when", over a real server: an administrator creates accounts for a station
leader and a grid worker, both sign in from the CLI; the grid worker reports and sees only their
report; the leader of another station is refused on it; the access log shows each read."""

from __future__ import annotations

import json
import stat
from typing import TYPE_CHECKING

from tests.server.harness import (
    ADMIN,
    AUDIT,
    GRID,
    LEADER,
    OTHER_LEADER,
    Person,
    Served,
    body_error,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    import click

import pytest


@pytest.fixture
def bare(store_location: str, tmp_path: Path) -> Iterator[Served]:
    """A served store where only the administrators and the other station's leader have
    accounts (the administrator makes the rest)."""
    server = Served(store_location, tmp_path)
    server.prepare(ADMIN, AUDIT, OTHER_LEADER)
    server.start()
    yield server
    server.stop()


def _create(served: Served, cli: click.Group, person: str) -> None:
    answer = json.loads(served.disputes(cli, ADMIN, "accounts", "create", person, "--json").stdout)
    assert answer["person"] == person
    assert answer["password"]
    assert answer["provisioning_uri"].startswith("otpauth://")
    served.people[person] = Person(
        person, answer["password"], answer["totp_secret"], served.folder / person
    )


def test_done_when(bare: Served, cli: click.Group) -> None:
    served = bare
    served.login(cli, ADMIN)
    _create(served, cli, LEADER)
    _create(served, cli, GRID)
    accounts = json.loads(served.disputes(cli, ADMIN, "accounts", "list", "--json").stdout)
    assert {LEADER, GRID} <= {row["person"] for row in accounts}

    served.login(cli, LEADER)
    served.login(cli, GRID)
    served.login(cli, OTHER_LEADER)
    served.login(cli, AUDIT)
    session = served.folder / GRID / "disputes" / "session.json"
    assert stat.S_IMODE(session.stat().st_mode) == 0o600
    me = json.loads(served.disputes(cli, GRID, "whoami", "--json").stdout)
    assert (me["person"], me["role"], me["unit"]) == (GRID, "grid-worker", "WD-V01-G1")

    reported = json.loads(
        served.disputes(
            cli,
            GRID,
            "report",
            "--category",
            "neighbour",
            "--source",
            "informant",
            "--village",
            "WD-V01",
            "--summary",
            "梁某与邻居因宅基地边界争吵",
            "--parties",
            "梁某:applicant",
            "--parties",
            "周某:respondent",
            "--json",
        ).stdout
    )
    case = reported["case_no"]
    assert reported["event"] == "Reported"

    # The grid worker sees their report: status and next step, no parties.
    own = json.loads(served.disputes(cli, GRID, "show", case, "--json").stdout)
    assert own["case_no"] == case
    assert "parties" not in own
    assert "梁某" not in json.dumps(own, ensure_ascii=False)
    rows = json.loads(served.disputes(cli, GRID, "ledger", "--json").stdout)
    assert [row["case_no"] for row in rows] == [case]

    # The station's leader reads it in full.
    full = json.loads(served.disputes(cli, LEADER, "show", case, "--json").stdout)
    assert "梁某" in json.dumps(full, ensure_ascii=False)

    # The leader of another station is refused, from the CLI (exit 1) and over HTTP (403).
    refused = served.disputes(cli, OTHER_LEADER, "show", case, code=1)
    assert OTHER_LEADER in refused.stderr
    assert "Traceback" not in refused.output
    token = served.sign_in(OTHER_LEADER)
    with served.http(token) as http:
        answer = http.get(f"/api/cases/{case}")
        assert answer.status_code == 403
        assert body_error(answer)["kind"] == "refused"
        graded = http.post(
            "/api/commands",
            json={
                "id": "dm-1",
                "command": "grade",
                "case": case,
                "args": {"grade": "red", "reason": "x"},
            },
        )
        assert graded.status_code == 403

    # The access log shows each read, the refused ones too.
    log = json.loads(served.disputes(cli, AUDIT, "access-log", "--case", case, "--json").stdout)
    readers = {(row["person"], row["allowed"]) for row in log}
    assert (LEADER, True) in readers
    assert (OTHER_LEADER, False) in readers


def test_the_client_refuses_as_and_local_verbs(served: Served, cli: click.Group) -> None:
    served.login(cli, LEADER)
    refused = served.disputes(cli, LEADER, "--as", OTHER_LEADER, "ledger", code=2)
    assert "--as" in refused.stderr
    assert "Traceback" not in refused.output
    local = served.disputes(cli, LEADER, "init", code=2)
    assert "local mode" in local.stderr
    roster = served.disputes(cli, LEADER, "roster", "load", "--units", "x", code=2)
    assert "server host" in roster.stderr


def test_the_cli_speaks_chinese_by_default(served: Served, cli: click.Group) -> None:
    not_signed_in = served.disputes(cli, LEADER, "--lang", "zh", "whoami", code=2)
    assert "尚未登录" in not_signed_in.stderr
    served.login(cli, LEADER)
    local = served.disputes(cli, LEADER, "--lang", "zh", "init", code=2)
    assert "只能在服务器主机上" in local.stderr
    token = served.sign_in(OTHER_LEADER)
    with served.http(token) as http:
        answer = http.post(
            "/api/commands",
            json={
                "id": "zh-1",
                "command": "report",
                "args": {
                    "category": "neighbour",
                    "source": "visit",
                    "village": "WD-V01",
                    "summary": "争执",
                },
            },
        )
    assert answer.status_code == 403
    assert "管辖规则" in body_error(answer)["zh"]
    refused = served.disputes(cli, LEADER, "--lang", "zh", "--as", GRID, "ledger", code=2)
    assert "已登录的本人" in refused.stderr


def test_logout_ends_the_session(served: Served, cli: click.Group) -> None:
    served.login(cli, LEADER)
    served.disputes(cli, LEADER, "whoami")
    served.disputes(cli, LEADER, "logout")
    assert not (served.folder / LEADER / "disputes" / "session.json").exists()
    result = served.disputes(cli, LEADER, "whoami", code=2)
    assert "login" in result.stderr


def test_apply_sends_only_the_signed_in_persons_lines(
    served: Served, cli: click.Group, tmp_path: Path
) -> None:
    served.login(cli, LEADER)
    report = {
        "category": "neighbour",
        "source": "visit",
        "village": "WD-V01",
        "summary": "两户因排水沟争执",
    }
    lines = [
        {
            "id": "a1",
            "at": "2024-03-01T09:00",
            "actor": LEADER,
            "command": "report",
            "case": "C1",
            "args": report,
        },
        {
            "id": "a2",
            "at": "2024-03-01T10:00",
            "actor": "P-WD-01",
            "command": "grade",
            "case": "C1",
            "args": {"grade": "red", "reason": "持械"},
        },
        {
            "id": "a3",
            "at": "2024-03-01T11:00",
            "actor": LEADER,
            "command": "grade",
            "case": "C1",
            "args": {"grade": "yellow", "reason": "可控"},
        },
    ]
    journal = tmp_path / "journal.jsonl"
    journal.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n")
    result = served.disputes(cli, LEADER, "apply", str(journal), "--json", code=1)
    answer = json.loads(result.stdout)
    assert (answer["applied"], answer["skipped"]) == (2, 0)
    assert [failure["line"] for failure in answer["failed"]] == [2]
    again = json.loads(served.disputes(cli, LEADER, "apply", str(journal), "--json", code=1).stdout)
    assert (again["applied"], again["skipped"]) == (0, 2)
    case = answer["cases"]["C1"]
    history = json.loads(served.disputes(cli, LEADER, "history", case, "--json").stdout)
    assert [entry["actor"] for entry in history] == [LEADER, LEADER]


def test_the_reads_print_tables_and_csv(served: Served, cli: click.Group) -> None:
    served.login(cli, LEADER)
    case = json.loads(
        served.disputes(
            cli, LEADER, "report", "--category", "neighbour", "--source", "visit",
            "--village", "WD-V01", "--summary", "两家因排水沟争执", "--json",
        ).stdout
    )["case_no"]  # fmt: skip
    served.disputes(cli, LEADER, "grade", case, "--grade", "red", "--reason", "持械")
    for args in (
        ("show", case),
        ("history", case),
        ("ledger",),
        ("ledger", "--format", "csv"),
        ("due", "--on", "2099-01-01T09:00"),
        ("--lang", "zh", "show", case),
    ):
        result = served.disputes(cli, LEADER, *args)
        assert case in result.stdout, args
        assert "Traceback" not in result.output
    verified = served.disputes(cli, LEADER, "verify", code=None)
    assert verified.exit_code in (0, 1)
    assert "Traceback" not in verified.output


def test_login_prompts_for_person_password_and_code(served: Served, cli: click.Group) -> None:
    who = served.people[LEADER]
    result = served.disputes(
        cli, LEADER, "--lang", "zh", "login", input=f"{LEADER}\n{who.password}\n{who.code()}\n"
    )
    assert "人员编号" in result.output
    assert "密码" in result.output
    assert who.password not in result.output  # typed hidden
    assert f"已登录：{LEADER}" in result.stdout
    assert json.loads(served.disputes(cli, LEADER, "whoami", "--json").stdout)["person"] == LEADER
