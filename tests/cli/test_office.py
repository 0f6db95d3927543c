"""A real office program reads what we write (issue 12 §3): the monthly workbook converted by
LibreOffice in headless mode (Debian's ``libreoffice-calc``; ``.ci/run`` installs it) keeps its
Chinese headers and its figures. Skipped, saying so, where LibreOffice is not installed."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.driver import Disputes

OFFICE = shutil.which("libreoffice") or shutil.which("soffice")

pytestmark = pytest.mark.skipif(
    OFFICE is None,
    reason="LibreOffice is not installed (apt-get install libreoffice-calc; .ci/run does)",
)


def convert(workbook: Path, to: str, folder: Path) -> Path:
    """``libreoffice --headless --convert-to TO`` in a profile of its own; returns the file."""
    assert OFFICE is not None
    profile = (folder / "profile").as_uri()
    subprocess.run(
        [
            OFFICE,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            to,
            "--outdir",
            str(folder),
            str(workbook),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    converted = folder / f"{workbook.stem}.{to.split(':', 1)[0]}"
    assert converted.exists(), f"LibreOffice wrote nothing for {to}"
    return converted


def test_libreoffice_reads_the_monthly_workbook(d: Disputes, tmp_path: Path) -> None:
    d.open_case("red")
    d.open_case("yellow")
    out = tmp_path / "2024-03.xlsx"
    d("report-month", "2024-03", "--out", str(out))
    expected = d.json(
        "stats", "--from", "2024-03-01", "--to", "2024-03-31", "--by", "station", "--format", "json"
    )
    # The first sheet (汇总) as CSV: the title, the Chinese headers, a row per station, 合计.
    summary = convert(out, "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path)
    rows = list(csv.reader(summary.read_text(encoding="utf-8").splitlines()))
    assert rows[0][0] == "重大矛盾纠纷排查化解情况表（2024-03）"
    assert rows[1][:4] == ["派出所", "新登记", "首次定级红", "首次定级黄"]
    by_name = {row[0]: row for row in rows[2:]}
    wd = next(g for g in expected["groups"] if g["key"] == "WD")
    assert by_name["王店派出所"][1] == str(wd["reported"]) == "2"
    assert by_name["合计"][1] == str(expected["total"]["reported"])
    pdf = convert(out, "pdf", tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")
