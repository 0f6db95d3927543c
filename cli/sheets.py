"""Reading an office's sheet (``import-ledger``): an Excel workbook or a CSV file, into rows of
cells numbered as the office sees them, and the cell values an office writes — dates in the
forms offices use, Excel date serials, full-width digits, counts.

What is recognised by its bytes, not its name: a ZIP archive is read as an .xlsx workbook
(openpyxl, read-only mode, cached values rather than formulas); an old binary .xls (OLE2) is
named as such; anything else is read as CSV text — UTF-8 with or without a BOM, UTF-16 with a
BOM, or GB18030 (which includes GBK and GB2312, what WPS and Excel on a Chinese Windows save) —
with a comma, tab or semicolon between fields, whichever its first lines hold most of.

A file that cannot be read as a sheet at all raises :class:`UnusableFile` (exit 2), in Chinese
and English, naming the file and why; a cell that cannot be read raises :class:`CellProblem`,
which the importer reports against its row.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from disputes.domain.clock import SHANGHAI
from disputes.domain.errors import DisputesError, InvalidInput

MAX_FILE_BYTES = 20 * 1024 * 1024
"""A 台账 of a station is a few hundred rows; a file above this is refused before it is read
(an .xlsx is a ZIP archive, and its contents may be much larger than the file)."""
MAX_ROWS = 50_000
"""Rows read from one sheet, at most."""
MAX_COLUMNS = 200
"""Cells read from one row, at most (the rest of a row is ignored)."""
HEADER_LINES = 20
"""The lines of a CSV file that decide its delimiter (a title line above the header has none)."""
CSV_FIELD_CHARS = 100_000
"""Longest CSV field: a longer one is not a 台账 cell (and Python's csv module refuses it)."""

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

Cell = str | int | float | bool | datetime | date | time | timedelta | None


class UnusableFile(InvalidInput):
    """The file cannot be used as a sheet (exit 2): ``en`` and ``zh`` say why."""

    def __init__(self, name: str, en: str, zh: str) -> None:
        super().__init__(name, en)
        self.zh = f"{name}：{zh}"


class CellProblem(DisputesError):
    """A cell that cannot be read as the value its column holds; ``en`` and ``zh`` say why
    (the importer names it with its row and column)."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en, zh=zh)
        self.en = en
        self.zh: str = zh


@dataclass(frozen=True)
class Sheet:
    """One sheet's rows that hold anything, each with its row number (1 = the first row, as
    Excel and WPS number them; for CSV, the record's number)."""

    name: str
    """The worksheet's name, or the CSV file's name."""
    rows: list[tuple[int, tuple[Cell, ...]]]
    encoding: str | None = None
    """The CSV file's encoding (None for a workbook)."""
    epoch: datetime = datetime(1899, 12, 30)  # noqa: DTZ001 (Excel's serial day 0, naive)
    """Day 0 of the workbook's date serials (1904-based workbooks differ)."""


def read_sheets(path: Path, sheet: str | None = None) -> list[Sheet]:
    """The sheets of ``path``: every worksheet of a workbook (or only ``sheet``), or the one
    sheet of a CSV file. Raises :class:`UnusableFile`."""
    name = path.name
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise UnusableFile(
            name, f"cannot read: {exc.strerror}", f"无法读取：{exc.strerror}"
        ) from None
    if size == 0:
        raise UnusableFile(name, "the file is empty", "文件是空的")
    if size > MAX_FILE_BYTES:
        mib = MAX_FILE_BYTES // (1024 * 1024)
        raise UnusableFile(
            name,
            f"{size} bytes is more than a ledger holds (at most {mib} MiB)",
            f"文件有 {size} 字节，超过台账的上限（{mib} MiB）",
        )
    if head.startswith(OLE2_MAGIC):
        raise UnusableFile(
            name,
            "an old binary Excel file (.xls); save it as .xlsx or CSV in Excel or WPS and "
            "import that",
            "这是旧版 Excel 文件（.xls）；请在 Excel 或 WPS 中另存为 .xlsx 或 CSV 后再导入",
        )
    if head.startswith(ZIP_MAGIC):
        return _workbook(path, sheet)
    if sheet is not None:
        raise UnusableFile(
            name,
            "--sheet names a worksheet, and a CSV file has none",
            "CSV 文件没有工作表，不能用 --sheet",
        )
    return [_csv(path)]


def _workbook(path: Path, wanted: str | None) -> list[Sheet]:
    from openpyxl import load_workbook  # type: ignore[import-untyped, unused-ignore]

    name = path.name
    try:
        with path.open("rb") as handle:  # a handle: openpyxl judges a file name by its suffix
            book: Any = load_workbook(handle, read_only=True, data_only=True)
            try:
                names = [str(title) for title in book.sheetnames]
                if wanted is not None and wanted not in names:
                    raise UnusableFile(
                        name,
                        f"no worksheet '{wanted}'; it has {', '.join(names)}",
                        f"没有工作表“{wanted}”；有：{'、'.join(names)}",
                    )
                epoch = book.epoch
                return [
                    Sheet(title, list(_rows(book[title])), epoch=epoch)
                    for title in names
                    if wanted is None or title == wanted
                ]
            finally:
                book.close()
    except UnusableFile:
        raise
    except Exception as exc:
        raise UnusableFile(
            name,
            f"not a readable .xlsx workbook ({type(exc).__name__})",
            f"不是可读取的 .xlsx 工作簿（{type(exc).__name__}）",
        ) from None


def _rows(worksheet: Any) -> Iterator[tuple[int, tuple[Cell, ...]]]:
    if not hasattr(worksheet, "iter_rows"):  # a chart sheet
        return
    worksheet.reset_dimensions()  # some programs write a wrong <dimension>: read every row
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        if number > MAX_ROWS:
            break
        cells = tuple(values[:MAX_COLUMNS])
        if any(not _blank(cell) for cell in cells):
            yield number, cells


def _csv(path: Path) -> Sheet:
    name = path.name
    raw = path.read_bytes()
    text, encoding = _decode(raw, name)
    head = "\n".join(text.splitlines()[:HEADER_LINES])
    delimiter = max(",\t;", key=head.count)
    rows: list[tuple[int, tuple[Cell, ...]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    previous = csv.field_size_limit(CSV_FIELD_CHARS)
    try:
        for number, record in enumerate(reader, start=1):
            if number > MAX_ROWS:
                break
            cells = tuple(record[:MAX_COLUMNS])
            if any(not _blank(cell) for cell in cells):
                rows.append((number, cells))
    except csv.Error as exc:
        where = number + 1
        if "field larger" in str(exc):
            raise UnusableFile(
                name,
                f"row {where}: a cell of more than {CSV_FIELD_CHARS} characters; not a ledger",
                f"第 {where} 行：单元格超过 {CSV_FIELD_CHARS} 个字符，不是台账",
            ) from None
        raise UnusableFile(
            name,
            f"row {where}: not a readable CSV row ({exc})",
            f"第 {where} 行：无法按 CSV 读取（{exc}）",
        ) from None
    finally:
        csv.field_size_limit(previous)
    return Sheet(name, rows, encoding=encoding)


def _decode(raw: bytes, name: str) -> tuple[str, str]:
    """The text of a CSV file and its encoding: by BOM, else UTF-8, else GB18030."""
    if raw.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text, encoding
    raise UnusableFile(
        name,
        "neither a workbook nor CSV text (UTF-8, UTF-16 or GB18030); is it a spreadsheet?",
        "既不是工作簿，也不是 CSV 文本（UTF-8、UTF-16 或 GB18030）；请确认是台账表格",
    )


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


# -- cell values ---------------------------------------------------------------------------------


def plain(cell: Cell) -> str:
    """A cell as text for matching: full-width letters, digits and punctuation as ASCII
    (NFKC), runs of white space as one space, trimmed. ``None`` is ``""``."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    text = unicodedata.normalize("NFKC", str(cell))
    return " ".join(text.split())


def text_of(cell: Cell) -> str:
    """A cell as free text, kept as written (a summary's full-width punctuation stays)."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return str(cell).strip()


_SERIAL = re.compile(r"^\d{5}(\.\d+)?$")
_ISO_LIKE = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?([+-]\d{2}:?\d{2}|Z)?$"
)
_DATE = re.compile(
    r"(?P<y>\d{4})\s*[年./-]\s*(?P<m>\d{1,2})\s*[月./-]\s*(?P<d>\d{1,2})\s*[日号]?"
    r"(?:\s*T?\s*(?P<half>上午|下午|晚上|凌晨|中午)?\s*(?P<H>\d{1,2})\s*[:时点]"
    r"(?:\s*(?P<M>\d{1,2})\s*分?)?(?:\s*:\s*(?P<S>\d{1,2})\s*秒?)?)?"
)
_COMPACT = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")
AFTERNOON = ("下午", "晚上")
EXCEL_LAST_SERIAL = 2_958_465
"""9999-12-31: the last day an Excel serial names."""


def cell_time(cell: Cell, epoch: datetime = Sheet.epoch) -> datetime:
    """The time a cell names, in Asia/Shanghai when it names no offset. Accepts a date or time
    cell of a workbook, an Excel date serial (a number, or its digits in a CSV), and text such
    as ``2021年3月4日``, ``2021年3月4日 下午3时``, ``2021.3.4``, ``2021/3/4``, ``20210304``,
    ``2021-03-04 08:30`` and ISO 8601 with an offset; full-width digits too. A date without a
    time is midnight. Raises :class:`CellProblem`."""
    if isinstance(cell, datetime):
        return cell if cell.tzinfo else cell.replace(tzinfo=SHANGHAI)
    if isinstance(cell, date):
        return datetime.combine(cell, time(0), tzinfo=SHANGHAI)
    if isinstance(cell, bool) or cell is None or isinstance(cell, time | timedelta):
        raise CellProblem(f"'{plain(cell)}' is not a date", f"“{plain(cell)}”不是日期")
    if isinstance(cell, int | float):
        return _serial(float(cell), epoch)
    text = plain(cell)
    if _SERIAL.match(text):
        return _serial(float(text), epoch)
    try:
        if _ISO_LIKE.match(text):
            parsed = datetime.fromisoformat(text)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)
        match = _COMPACT.match(text) or _DATE.fullmatch(text)
        if match is None:
            raise CellProblem(
                f"'{text}' is not a date (write e.g. 2021-03-04, 2021年3月4日 or 2021.3.4)",
                f"“{text}”不是可识别的日期（可写作 2021-03-04、2021年3月4日 或 2021.3.4）",
            )
        return _from_parts(match.groupdict())
    except ValueError:
        raise CellProblem(
            f"'{text}' is not a date of the calendar", f"“{text}”不是真实存在的日期"
        ) from None


def times_in(cell: Cell, epoch: datetime = Sheet.epoch) -> list[tuple[datetime, str]]:
    """Every time named in a cell (a date cell, a serial, or text listing several dates such
    as ``2021.4.5电话回访；2021年5月6日``), in the order written, each with the text that goes
    with it (from its date to the next). Raises :class:`CellProblem` for a date of text that
    does not exist (2021年2月30日)."""
    if not isinstance(cell, str):
        return [] if cell is None else [(cell_time(cell, epoch), "")]
    text = plain(cell)
    matches = list(_DATE.finditer(text))
    found: list[tuple[datetime, str]] = []
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        try:
            found.append((_from_parts(match.groupdict()), text[match.start() : end]))
        except ValueError:
            wrong = match.group(0)
            raise CellProblem(
                f"'{wrong}' is not a date of the calendar", f"“{wrong}”不是真实存在的日期"
            ) from None
    return found


def _from_parts(parts: dict[str, str | None]) -> datetime:
    hour = int(parts.get("H") or 0)
    if parts.get("half") in AFTERNOON and hour < 12:
        hour += 12
    return datetime(
        int(parts["y"] or 0),
        int(parts["m"] or 0),
        int(parts["d"] or 0),
        hour,
        int(parts.get("M") or 0),
        int(parts.get("S") or 0),
        tzinfo=SHANGHAI,
    )


def _serial(value: float, epoch: datetime) -> datetime:
    if not 1 <= value <= EXCEL_LAST_SERIAL:
        raise CellProblem(
            f"{value:g} is not an Excel date serial", f"{value:g} 不是 Excel 日期序号"
        )
    days = int(value)
    if epoch.year == 1899 and days < 61:
        days += 1
    moment = epoch + timedelta(days=days, seconds=round((value - int(value)) * 86400))
    return moment.replace(tzinfo=SHANGHAI)


_COUNT = re.compile(r"^(\d+)\s*(人|名|户)?$")


def cell_count(cell: Cell) -> int:
    """A count such as ``7``, ``7人`` or ``７``. Raises :class:`CellProblem`."""
    if isinstance(cell, int) and not isinstance(cell, bool):
        return cell
    text = plain(cell)
    match = _COUNT.match(text)
    if match is None:
        raise CellProblem(f"'{text}' is not a number of people", f"“{text}”不是人数")
    return int(match.group(1))
