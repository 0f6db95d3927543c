"""Issue 11, "every verb works as today": the CLI as the server's client renders its reads with
local mode's own code (Chinese headers, labels and names; csv, xlsx and json to ``--out``), from
the gate's ``--json`` rows and the server's ``/api/labels``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from tests.server.harness import ADMIN, AUDIT, GRID, LEADER, Served

if TYPE_CHECKING:
    from pathlib import Path

    import click

NEW_PERSON = "P-WD-02"  # 程志强, on the sample roster without an account


def _report(served: Served, cli: click.Group) -> str:
    answer = served.disputes(
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
    )
    case: str = json.loads(answer.stdout)["case_no"]
    return case


def test_the_client_renders_its_reads_as_local_mode(
    served: Served, cli: click.Group, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    for person in (GRID, LEADER, ADMIN, AUDIT):
        served.login(cli, person)
    case = _report(served, cli)

    def zh(person: str, *args: str, code: int | None = 0) -> str:
        return served.disputes(cli, person, "--lang", "zh", *args, code=code).stdout

    # The table: Chinese headers, labels and names.
    table = zh(LEADER, "ledger")
    assert "台账" in table
    assert "案件编号" in table
    assert "王店派出所" in table
    assert "station" not in table

    # --json is unchanged: the gate's rows.
    rows = json.loads(zh(LEADER, "ledger", "--json"))
    assert [row["case_no"] for row in rows] == [case]
    assert rows[0]["station"] == "WD"

    # csv to --out: UTF-8 with BOM, Chinese; never overwritten.
    out = tmp_path / "台账.csv"
    said = zh(LEADER, "ledger", "--format", "csv", "--out", str(out))
    assert str(out) in said
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "王店派出所" in text
    assert "案件编号" in text.splitlines()[0]
    assert case in text
    zh(LEADER, "ledger", "--format", "csv", "--out", str(out), code=2)
    assert out.read_bytes() == data

    # xlsx to --out: a workbook; without --out refused.
    book_path = tmp_path / "台账.xlsx"
    zh(LEADER, "ledger", "--format", "xlsx", "--out", str(book_path))
    book = load_workbook(book_path)
    sheet = book["台账"]
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "案件编号" in values
    assert "王店派出所" in values
    assert case in values
    zh(LEADER, "ledger", "--format", "xlsx", code=2)

    # A table with --out is refused, and nothing is written.
    refused = tmp_path / "table.txt"
    zh(LEADER, "ledger", "--out", str(refused), code=2)
    assert not refused.exists()

    # json to --out.
    json_out = tmp_path / "ledger.json"
    zh(LEADER, "ledger", "--format", "json", "--out", str(json_out))
    assert json.loads(json_out.read_text(encoding="utf-8")) == rows

    # show and history: Chinese, by name.
    shown = zh(LEADER, "show", case)
    assert "王店派出所" in shown
    assert "状态" in shown
    trail = zh(LEADER, "history", case)
    assert "办理记录" in trail
    assert "发生时间" in trail

    # The due board.
    due = zh(LEADER, "due", "--within", "30")
    assert "到期事项" in due

    # accounts create: the Chinese one-time lines; list in Chinese.
    created = zh(ADMIN, "accounts", "create", NEW_PERSON)
    assert f"{NEW_PERSON}：已开设账号" in created
    assert "初始密码：" in created
    assert "动态验证码密钥（手动输入）：" in created
    assert "已锁定" in zh(ADMIN, "accounts", "lock", NEW_PERSON)
    listed = zh(ADMIN, "accounts", "list")
    assert "程志强" in listed

    # access-log: Chinese headers, 是/否 and 允许 rather than True/False.
    log = zh(AUDIT, "access-log", "--case", case)
    assert "查阅人" in log
    assert "允许" in log
    assert "True" not in log
    assert "False" not in log


def test_labels_name_units_and_staff_never_parties(served: Served) -> None:
    token = served.sign_in(LEADER)
    with served.http(token) as http:
        answer = http.get("/api/labels")
        assert answer.status_code == 200
        labels = answer.json()
        assert labels["units"]["WD"] == "王店派出所"
        assert labels["people"][LEADER] == "萧卫东"
        assert labels["policy"]["categories"]["neighbour"]["zh"]
        assert http.get("/api/labels", headers={"Authorization": "Bearer x"}).status_code == 401
