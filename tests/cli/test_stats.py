"""``stats``, ``report-month`` and ``rating`` through the CLI (issue 12 §2–4).

The year sample (samples/huaiyang/year-2021.jsonl: reports 2021-07-01 … 2022-04-26) is applied
once for the module to a store with the sample roster; its figures are checked against the
ledger (the expectation is computed from ``ledger --format json``, never written down), the
monthly workbook is read back with openpyxl, and every village police room gets its stars.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
import pytest
from click.testing import CliRunner

from disputes.domain.clock import parse_time
from tests.support.driver import YEAR, Disputes, at, clean_environment
from tests.support.stores import create_store, drop_location, new_location

if TYPE_CHECKING:
    from collections.abc import Iterator

    import click

FROM, TO = "2021-07-01", "2022-06-30"
START, END = parse_time(FROM), parse_time("2022-07-01")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "statistics.md"


@pytest.fixture(scope="module")
def year(cli: click.Group, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Disputes]:
    folder = tmp_path_factory.mktemp("stats-year")
    location = new_location(folder)
    create_store(location)
    with pytest.MonkeyPatch.context() as patch:
        clean_environment(patch, folder)
        d = Disputes(cli, CliRunner(), location if "://" in location else Path(location))
        d.load_sample(YEAR)
        yield d
    drop_location(location)


def stats(d: Disputes, *args: str, first: str = FROM, last: str = TO) -> dict[str, Any]:
    data: dict[str, Any] = d.json("stats", "--from", first, "--to", last, "--format", "json", *args)
    return data


def in_period(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rows if START <= datetime.fromisoformat(r["reported_at"]) < END]


@pytest.mark.slow
def test_the_year_agrees_with_the_ledger(year: Disputes) -> None:
    """510 reported; per station, per category and relapses as the ledger has them."""
    ledger = in_period(year.ledger("--as-of", "2022-06-30T23:59:59.999999+08:00"))
    by_station = stats(year, "--by", "station")
    by_category = stats(year, "--by", "category")
    assert by_station["total"]["reported"] == len(ledger) == 510
    assert {g["key"]: g["reported"] for g in by_station["groups"]} == Counter(
        r["station"] for r in ledger
    )
    assert {g["key"]: g["reported"] for g in by_category["groups"] if g["reported"]} == Counter(
        r["category"] for r in ledger
    )
    relapses: Counter[str] = Counter()
    for row in ledger:
        relapses[row["station"]] += row["relapses"]
    assert {g["key"]: g["relapses"] for g in by_station["groups"]} == relapses
    assert by_station["total"]["relapses"] == sum(r["relapses"] for r in ledger)
    assert by_station["total"]["relapsed_cases"] == sum(r["relapses"] > 0 for r in ledger)
    settled = sum(r["status"] in ("observing", "closed") for r in ledger)
    assert by_station["total"]["settlement_rate"] == round(settled / len(ledger), 4)
    assert by_station["total"]["zero_homicide"] is True


@pytest.mark.slow
def test_groups_name_units_not_codes(year: Disputes) -> None:
    table = year("stats", "--from", FROM, "--to", TO, "--by", "station").stdout
    assert "王店派出所" in table
    assert "合计" in table
    assert " WD " not in table
    data = stats(year, "--by", "station")
    assert data["groups"][0] | {"key": "WD", "name": "王店派出所"} == data["groups"][0]


@pytest.mark.slow
def test_every_key_is_documented(year: Disputes) -> None:
    docs = DOCS.read_text(encoding="utf-8")
    readme = (DOCS.parents[1] / "README.md").read_text(encoding="utf-8")
    data = stats(year, "--by", "month")
    assert [g["key"] for g in data["groups"]][:2] == ["2021-07", "2021-08"]
    for key in [*data["total"], *data, *data["groups"][0]]:
        if key not in ("groups", "total"):
            assert f"`{key}`" in docs, key
    for key in data["total"]:
        assert f"`{key}`" in readme, key


@pytest.mark.slow
def test_csv_is_chinese_by_default_and_keys_in_english(year: Disputes) -> None:
    raw = year("stats", "--from", FROM, "--to", TO, "--by", "station", "--format", "csv")
    zh = raw.stdout_bytes
    assert zh.startswith(b"\xef\xbb\xbf")
    header, first = zh.decode("utf-8-sig").splitlines()[:2]
    assert header.startswith("派出所,登记,主动发现,群众来访,来源：走访排查")
    assert first.startswith("王店派出所,")
    en = year("--lang", "en", "stats", "--from", FROM, "--to", TO, "--format", "csv").stdout
    assert en.lstrip("\ufeff").startswith("scope,reported,found_actively,walk_in,by_source.visit")


def month_stats(year: Disputes) -> dict[str, Any]:
    return stats(year, "--by", "station", first="2021-11-01", last="2021-11-30")


@pytest.mark.slow
def test_the_monthly_workbook_reads_back(year: Disputes, tmp_path: Path) -> None:
    out = tmp_path / "2021-11.xlsx"
    assert "已写入" in year("report-month", "2021-11", "--out", str(out)).stdout
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["汇总", "图表", "台账", "图表数据"]
    summary = book["汇总"]
    rows = list(summary.iter_rows(values_only=True))
    assert rows[0][0] == "重大矛盾纠纷排查化解情况表（2021-11）"
    headers = rows[1]
    assert headers[:4] == ("派出所", "新登记", "首次定级红", "首次定级黄")
    assert summary.freeze_panes == "A3"
    expected = month_stats(year)
    names = [g["name"] for g in expected["groups"]] + ["合计"]
    assert [r[0] for r in rows[2:]] == names
    column = {h: i for i, h in enumerate(headers)}
    for row, group in zip(rows[2:], [*expected["groups"], expected["total"]], strict=True):
        for header, key in (
            ("新登记", "reported"),
            ("化解", "resolved"),
            ("销号", "closed"),
            ("反弹", "relapses"),
            ("月末逾期", "overdue_items"),
            ("化解率", "settlement_rate"),
        ):
            assert row[column[header]] == group[key], (row[0], header)
        assert row[column["命案"]] == group["outcomes"]["homicide"]

    ledger = book["台账"]
    assert ledger.freeze_panes == "A2"
    assert ledger.auto_filter.ref is not None
    assert ledger.auto_filter.ref.startswith("A1:")
    top = [c.value for c in ledger[1]]
    assert top[:8] == ["案件编号", "派出所", "村", "类别", "来源", "等级", "状态", "登记时间"]
    first = [c.value for c in ledger[2]]
    assert first[1].endswith("派出所")
    assert first[3] in ("婚恋家庭纠纷", "邻里纠纷", "债务及民间借贷纠纷") or first[3].endswith(
        "纠纷"
    )
    assert isinstance(first[7], datetime)
    assert ledger.column_dimensions["D"].width >= 2 * len("婚恋家庭纠纷")
    in_scope = [
        r
        for r in year.ledger("--as-of", "2021-11-30T23:59:59.999999+08:00")
        if r["closed_at"] is None or r["closed_at"] >= "2021-11-01T00:00+08:00"
    ]
    assert ledger.max_row - 1 == len(in_scope)

    charts = book["图表"]._charts  # openpyxl keeps the charts it read here only
    assert len(charts) == 3
    kinds = sorted(type(c).__name__ for c in charts)
    assert kinds == ["BarChart", "BarChart", "PieChart"]


@pytest.mark.slow
def test_every_village_room_gets_its_stars(year: Disputes) -> None:
    data = year.json("rating", "2022H1", "--format", "json")
    units = Path(YEAR).with_name("units.csv").read_text("utf-8").splitlines()
    expected = [line.split(",")[0] for line in units if ",village," in line]
    assert [room["village"] for room in data["rooms"]] == expected
    policy = year("policy", "show").stdout
    assert data["policy_version"] in policy or len(data["policy_version"]) == 12
    for room in data["rooms"]:
        assert 0 <= room["stars"] <= 5
        assert room["auxiliary"].startswith("A-")
        assert room["points"] == pytest.approx(
            max(0, min(100, sum(room["parts"].values()))), abs=0.2
        )
        for key in ("found_actively", "first_contact_on_time", "cadence_kept", "settled_share"):
            assert key in room["inputs"]
    table = year("rating", "2022H1").stdout
    assert "五星警务室评比 2022H1" in table
    assert f"政策版本 {data['policy_version']}" in table


def test_known_at_reproduces_a_report_handed_in(d: Disputes, tmp_path: Path) -> None:
    case = d.open_case("red")
    d.write("visit", case, "--mode", "phone", "--note", "稳控", actor="P-WD-01", when=at(2))
    handed_in = stats(d, first="2024-03-01", last="2024-03-31")
    moment = datetime.now().astimezone().isoformat()
    # Later an officer records an outcome of March (补录): the figures of March change …
    d.write("outcome", case, "--kind", "criminal-case", "--ref", "A1", actor="P-WD-01", when=at(3))
    now = stats(d, first="2024-03-01", last="2024-03-31")
    assert now["total"]["outcomes"]["criminal-case"] == 1
    # … and the report handed in is reproduced as the store knew it then.
    again = stats(d, "--known-at", moment, first="2024-03-01", last="2024-03-31")
    assert again["total"] == handed_in["total"]
    assert again["known_at"] is not None
    # The monthly workbook too.
    for name, args in (("now", []), ("then", ["--known-at", moment])):
        d("report-month", "2024-03", "--out", str(tmp_path / f"{name}.xlsx"), *args)
    sheets = {
        name: list(
            openpyxl.load_workbook(tmp_path / f"{name}.xlsx")["汇总"].iter_rows(values_only=True)
        )
        for name in ("now", "then")
    }
    column = sheets["now"][1].index("民转刑")
    totals = {name: rows[-1] for name, rows in sheets.items()}
    assert (totals["now"][column], totals["then"][column]) == (1, 0)


@pytest.mark.parametrize(
    ("args", "zh", "en"),
    [
        (["--from", "2021-13-01", "--to", "2021-12-31"], "不是日期", "is not a date"),
        (["--from", "2021-12-01", "--to", "2021-11-30"], "早于开始日期", "is before --from"),
        (
            ["--from", "2021-12-01", "--to", "2021-12-31", "--station", "WD-V01"],
            "不是花名册上的派出所",
            "not a station",
        ),
        (
            ["--from", "2021-12-01", "--to", "2021-12-31", "--format", "xlsx"],
            "需要 --out",
            "needs --out",
        ),
        (
            ["--from", "2021-12-01", "--to", "2021-12-31", "--known-at", "yesterday"],
            "不是时间",
            "yesterday",
        ),
    ],
)
def test_bad_options_are_named_in_chinese_and_english(
    d: Disputes, args: list[str], zh: str, en: str
) -> None:
    assert zh in d.fails("stats", *args, code=2)
    assert en in d.fails("--lang", "en", "stats", *args, code=2)


def test_bad_months_and_halves(d: Disputes, tmp_path: Path) -> None:
    out = str(tmp_path / "m.xlsx")
    assert "不是月份" in d.fails("report-month", "2021-13", "--out", out, code=2)
    assert "not a half year" in d.fails("--lang", "en", "rating", "2022H3", code=2)
    Path(out).write_bytes(b"mine")
    assert "已存在" in d.fails("report-month", "2021-11", "--out", out, code=2)
    assert "already exists" in d.fails(
        "--lang", "en", "rating", "2022H1", "--format", "xlsx", "--out", out, code=2
    )
    assert Path(out).read_bytes() == b"mine"


def test_stats_and_rating_workbooks(d: Disputes, tmp_path: Path) -> None:
    d.open_case("yellow")
    out = tmp_path / "stats.xlsx"
    d(
        "stats",
        "--from",
        "2024-03-01",
        "--to",
        "2024-03-31",
        "--by",
        "village",
        "--format",
        "xlsx",
        "--out",
        str(out),
    )
    sheet = openpyxl.load_workbook(out)["统计"]
    assert sheet.cell(2, 1).value == "村（警务室）"
    assert sheet.cell(3, 1).value == "王店派出所 东岗村"
    assert sheet.cell(3, 2).value == 1
    rated = tmp_path / "rating.xlsx"
    d("rating", "2024H1", "--format", "xlsx", "--out", str(rated))
    rows = list(openpyxl.load_workbook(rated)["五星警务室"].iter_rows(values_only=True))
    assert rows[1][:3] == ("警务室", "辅警", "主动发现")
    assert json.dumps(rows[2][0], ensure_ascii=False).startswith('"王店派出所')
