"""Issue 12 §5: click's own usage errors and the store's errors in Chinese by default, in
English (click's own text, the store's English text) with ``--lang en`` before or after the
verb or ``DISPUTES_LANG=en``; exit 2 and no traceback either way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

INVALID = 2
ACTOR = "P-CZ-01"


def run(cli: click.Group, *args: str, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(
        cli, list(args), env=env, catch_exceptions=False, prog_name="disputes"
    )
    assert result.exit_code == INVALID, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    return result


def usage_cases(tmp: Path) -> list[tuple[list[str], str, list[str], str]]:
    """(root options, verb and its arguments, Chinese error line, English text)."""
    missing = str(tmp / "nonexist.jsonl")
    return [
        (
            ["--as", ACTOR],
            ["grade", "HY-2022-0184", "--grade", "purple", "--reason", "x"],
            "错误：--grade 的值 'purple' 无效，只能是 red（红）、yellow（黄）",
            "Error: Invalid value for '--grade': 'purple' is not one of 'red', 'yellow'.",
        ),
        (
            [],
            ["ledger", "--status", "bogus"],
            "错误：--status 的值 'bogus' 无效，只能是 reported（已登记）、open（在办）、"
            "observing（观察中）、closed（已销号）",
            "Error: Invalid value for '--status': 'bogus' is not one of",
        ),
        (
            [],
            ["stats", "--by", "nonsense"],
            "错误：--by 的值 'nonsense' 无效，只能是 station、",
            "Error: Invalid value for '--by': 'nonsense' is not one of",
        ),
        (
            [],
            ["due", "--within", "-3"],
            "错误：--within 的值 '-3' 无效，需要 0 到 366 之间的整数",
            "Error: Invalid value for '--within': -3 is not in the range 0<=x<=366.",
        ),
        (
            [],
            ["due", "--within", "abc"],
            "错误：--within 的值 'abc' 无效，需要 0 到 366 之间的整数",
            "Error: Invalid value for '--within': 'abc' is not a valid integer",
        ),
        (
            [],
            ["stats", "--to", "2021-12-31"],
            "错误：缺少选项 --from",
            "Error: Missing option '--from'.",
        ),
        (
            [],
            ["report-month", "2021-11"],
            "错误：缺少选项 --out",
            "Error: Missing option '--out'.",
        ),
        ([], ["show"], "错误：缺少参数 CASE", "Error: Missing argument 'CASE'."),
        (
            [],
            ["apply", missing],
            f"错误：FILE：文件 '{missing}' 不存在",
            f"Error: Invalid value for 'FILE': File '{missing}' does not exist.",
        ),
        (
            [],
            ["import-ledger", str(tmp / "nonexist.xlsx")],
            f"错误：FILE：文件 '{tmp / 'nonexist.xlsx'}' 不存在",
            "does not exist.",
        ),
        (
            [],
            ["apply", str(tmp)],
            f"错误：FILE：'{tmp}' 是文件夹，不是文件",
            f"Error: Invalid value for 'FILE': File '{tmp}' is a directory.",
        ),
        (
            [],
            ["ledger", "--no-such-option"],
            "错误：没有选项 --no-such-option",
            "Error: No such option '--no-such-option'.",
        ),
        (
            [],
            ["grade", "HY-2022-0184", "--grade"],
            "错误：选项 --grade 需要一个值",
            "Error: Option '--grade' requires an argument.",
        ),
        (
            [],
            ["ledger", "--json=x"],
            "错误：选项 --json 不接受值",
            "Error: Option '--json' does not take a value.",
        ),
    ]


CASE_IDS = [
    "grade",
    "ledger-status",
    "stats-by",
    "due-negative",
    "due-abc",
    "stats-missing-from",
    "report-month-missing-out",
    "show-missing-case",
    "apply-missing-file",
    "import-ledger-missing-file",
    "apply-directory",
    "no-such-option",
    "option-without-value",
    "flag-with-value",
]


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "store.db")


@pytest.mark.parametrize("index", range(len(CASE_IDS)), ids=CASE_IDS)
def test_a_usage_error_is_in_chinese_by_default(
    cli: click.Group, db: str, tmp_path: Path, index: int
) -> None:
    root, verb, zh, en = usage_cases(tmp_path)[index]
    err = run(cli, "--db", db, *root, *verb).stderr
    assert zh in err
    assert "错误：" in err
    assert "Error:" not in err
    assert "Usage:" not in err
    assert en not in err
    assert f"用法：disputes {verb[0]} " in err
    assert f"请运行 disputes {verb[0]} --help 查看说明" in err


@pytest.mark.parametrize("where", ["before", "after", "env"])
@pytest.mark.parametrize("index", range(len(CASE_IDS)), ids=CASE_IDS)
def test_a_usage_error_is_clicks_english_with_lang_en(
    cli: click.Group, db: str, tmp_path: Path, index: int, where: str
) -> None:
    root, verb, _zh, en = usage_cases(tmp_path)[index]
    env: dict[str, Any] | None = None
    if where == "before":
        args = ["--db", db, "--lang", "en", *root, *verb]
    elif where == "after":
        args = ["--db", db, *root, verb[0], "--lang", "en", *verb[1:]]
    else:
        args, env = ["--db", db, *root, *verb], {"DISPUTES_LANG": "en"}
    err = run(cli, *args, env=env).stderr
    assert en in err
    assert "错误" not in err


def test_an_unknown_verb_in_chinese_and_in_english(cli: click.Group, db: str) -> None:
    err = run(cli, "--db", db, "settle", "HY-2024-0001").stderr
    assert "错误：没有命令 'settle'" in err
    assert "请运行 disputes --help 查看说明" in err
    assert "No such command" not in err
    err = run(cli, "--db", db, "--lang", "en", "settle", "HY-2024-0001").stderr
    assert "Error: No such command 'settle'." in err


def test_an_unknown_language_is_refused_in_chinese(cli: click.Group, db: str) -> None:
    err = run(cli, "--db", db, "--lang", "xx", "ledger").stderr
    assert "错误：--lang 的值 'xx' 无效，只能是 zh（中文）、en（英文）" in err
    err = run(cli, "--db", db, "--lang", "xx", "ledger", env={"DISPUTES_LANG": "en"}).stderr
    assert "Error: Invalid value for '--lang': 'xx' is not one of 'zh', 'en'." in err


# -- the store's own errors --------------------------------------------------------------------


def store_cases(tmp: Path) -> list[tuple[list[str], dict[str, str] | None, str, str]]:
    """(arguments before the verb, environment, Chinese text, English text)."""
    missing = tmp / "nonexist.db"
    return [
        (
            ["--db", str(tmp)],
            None,
            f"error: 数据库无法使用：DISPUTES_DB：{tmp} 是文件夹，不是数据库文件\n",
            f"error: DISPUTES_DB: {tmp} is a directory, not a database file\n",
        ),
        (
            ["--db", str(missing)],
            None,
            f"error: 数据库不存在：{missing}；请用 `disputes --db {missing} init` 新建，"
            "或用 `roster load`（新建数据库并载入花名册）\n",
            f"error: no such store: {missing}; create it with `disputes --db {missing} init`",
        ),
        (
            [],
            {"DISPUTES_DB": ""},
            "error: 数据库无法使用：已设置 DISPUTES_DB 但其值为空；请指定数据库，",
            "error: DISPUTES_DB is set but empty: name a store",
        ),
        (
            ["--db", " "],
            None,
            "error: 数据库无法使用：--db 为空；请指定数据库（SQLite 文件路径或 PostgreSQL 地址）\n",
            "error: --db is empty: name a store",
        ),
    ]


STORE_IDS = ["directory", "missing", "empty-env", "empty-db"]


@pytest.mark.parametrize("index", range(len(STORE_IDS)), ids=STORE_IDS)
def test_a_store_error_is_in_chinese_by_default(
    cli: click.Group, tmp_path: Path, index: int
) -> None:
    root, env, zh, _en = store_cases(tmp_path)[index]
    err = run(cli, *root, "ledger", env=env).stderr
    assert err.startswith(zh) if zh.endswith("，") else zh in err
    assert not any(word in err for word in ("is a directory", "no such store", "set but empty"))


@pytest.mark.parametrize("where", ["before", "after"])
@pytest.mark.parametrize("index", range(len(STORE_IDS)), ids=STORE_IDS)
def test_a_store_error_is_in_english_with_lang_en(
    cli: click.Group, tmp_path: Path, index: int, where: str
) -> None:
    root, env, _zh, en = store_cases(tmp_path)[index]
    args = (
        [*root, "--lang", "en", "ledger"]
        if where == "before"
        else [*root, "ledger", "--lang", "en"]
    )
    err = run(cli, *args, env=env).stderr
    assert err.startswith(en)
    assert "数据库" not in err
