"""What a new user's trial of issue 12 found: chart labels, table widths at ``COLUMNS``, periods
that have not begun, stations by name, and workbooks named other than ``.xlsx``."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from rich.cells import cell_len

if TYPE_CHECKING:
    from tests.support.driver import Disputes

CHART = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"


def test_every_chart_names_its_categories_and_series(d: Disputes, tmp_path: Path) -> None:
    d.open_case("yellow")
    out = tmp_path / "m.xlsx"
    d("report-month", "2024-03", "--out", str(out))
    with zipfile.ZipFile(out) as book:
        charts = sorted(n for n in book.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        assert len(charts) == 3
        for name in charts:
            xml = book.read(name).decode("utf-8")
            # Labels are text: a string reference (a number reference shows 1 … n in WPS).
            cats = re.findall(r"<(?:c:)?cat>\s*<(?:c:)?strRef>\s*<(?:c:)?f>([^<]+)<", xml)
            assert cats, name
            assert all("$A$" in f for f in cats), (name, cats)
            assert re.search(r"<(?:c:)?tx>\s*<(?:c:)?strRef>\s*<(?:c:)?f>[^<]*\$B\$", xml), name
    from openpyxl import load_workbook

    charts_read = load_workbook(out)["图表"]._charts
    for chart in charts_read:
        for series in chart.series:
            assert series.cat is not None
            assert series.cat.strRef is not None
            assert series.tx is not None


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_rating_and_stats_tables_fit_columns(
    d: Disputes, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    d.open_case("yellow")
    monkeypatch.setenv("COLUMNS", "100")
    tables = [
        d("--lang", lang, "rating", "2024H1").stdout,
        d(
            "--lang", lang, "stats", "--from", "2024-03-01", "--to", "2024-03-31", "--by", "station"
        ).stdout,
    ]
    for table in tables:
        widest = max(cell_len(line) for line in table.splitlines())
        assert widest <= 100, table
        # Not cropped at the edge either: every row of the table ends in its border.
        body = [line for line in table.splitlines() if line[:1] in "┃│"]
        assert body
        assert all(line.rstrip()[-1] in "┃│" for line in body), table
    if lang == "en":
        # A header breaks between words, never inside one ('public-o' / 'rder').
        assert not re.search(r"(?<![a-z-])rder", tables[0]), tables[0]


def test_json_is_unchanged_by_columns(d: Disputes, monkeypatch: pytest.MonkeyPatch) -> None:
    d.open_case("yellow")
    wide = d.json("rating", "2024H1", "--format", "json")
    monkeypatch.setenv("COLUMNS", "100")
    assert d.json("rating", "2024H1", "--format", "json") == wide


@pytest.mark.parametrize(
    "args",
    [
        ["rating", "2999H1"],
        ["report-month", "2999-01", "--out", "{tmp}/f.xlsx"],
        ["stats", "--from", "2024-01-01", "--to", "2024-12-31", "--known-at", "2999-01-01"],
        ["stats", "--from", "2024-01-01", "--to", "2024-12-31", "--as-of", "2999-01-01"],
        ["stats", "--from", "2999-01-01", "--to", "2999-12-31"],
        ["report-month", "2024-03", "--out", "{tmp}/k.xlsx", "--known-at", "2999-01-01"],
    ],
)
def test_the_future_is_refused(d: Disputes, tmp_path: Path, args: list[str]) -> None:
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    zh = d.fails(*argv, code=2, lang=None)
    assert "尚未开始" in zh or "将来" in zh, zh
    assert "今天" in zh or "现在" in zh
    en = d.fails("--lang", "en", *argv, code=2)
    assert "has not begun" in en or "in the future" in en, en
    assert not list(tmp_path.glob("*.xlsx"))


def test_a_period_in_progress_is_counted_and_called_partial(d: Disputes) -> None:
    from datetime import datetime

    from disputes.domain.clock import SHANGHAI

    today = datetime.now(SHANGHAI).date()
    half = f"{today.year}H{1 if today.month <= 6 else 2}"
    assert "未结束" in d("rating", half).stdout
    assert "partial" in d("--lang", "en", "rating", half).stdout


def test_a_station_by_name_or_code(d: Disputes, tmp_path: Path) -> None:
    d.open_case("yellow")
    days = ["--from", "2024-03-01", "--to", "2024-03-31", "--format", "json"]
    by_code = d.json("stats", *days, "--station", "WD")
    by_name = d.json("stats", *days, "--station", "王店派出所")
    assert by_name["total"] == by_code["total"]
    assert by_name["station"] == "WD"
    assert by_code["total"]["reported"] == 1
    rated = d.json("rating", "2024H1", "--station", "王店派出所", "--format", "json")
    assert (
        rated["rooms"] == d.json("rating", "2024H1", "--station", "WD", "--format", "json")["rooms"]
    )
    d("report-month", "2024-03", "--station", "王店派出所", "--out", str(tmp_path / "m.xlsx"))
    assert "不是花名册上的派出所" in d.fails(
        "stats", *days, "--station", "无此派出所", code=2, lang=None
    )


@pytest.mark.parametrize(
    "args",
    [
        ["ledger", "--format", "xlsx", "--out", "{tmp}/t.csv"],
        ["report-month", "2024-03", "--out", "{tmp}/x.csv"],
        ["rating", "2024H1", "--format", "xlsx", "--out", "{tmp}/r.csv"],
        [
            "stats",
            "--from",
            "2024-03-01",
            "--to",
            "2024-03-31",
            "--format",
            "xlsx",
            "--out",
            "{tmp}/s",
        ],
    ],
)
def test_a_workbook_must_be_named_xlsx(d: Disputes, tmp_path: Path, args: list[str]) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    argv = [a.replace("{tmp}", str(folder)) for a in args]
    assert ".xlsx" in d.fails(*argv, code=2, lang=None)
    assert "扩展名" in d.fails(*argv, code=2, lang=None)
    assert "does not end in .xlsx" in d.fails("--lang", "en", *argv, code=2)
    assert not list(folder.iterdir())


def test_a_columns_setting_of_digits_that_are_not_ascii_is_ignored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from disputes.cli.render import terminal_width

    monkeypatch.setenv("COLUMNS", "²⁰⁰")  # .isdigit() is true, int() refuses it
    assert terminal_width(80) == 80
