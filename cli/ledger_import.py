"""An office's 台账 → a command journal (``disputes import-ledger``; README "Importing an office
台账"). Each row of the sheet becomes the commands that record what the row says —
``report``, then ``grade``, ``assign``, ``resolve``, and a ``follow-up`` (or ``visit``) per
date in its 回访 cell — or, when it cannot be mapped, a problem naming the row and the reason;
nothing of such a row is written.

The journal is what ``disputes apply`` runs, unchanged. Its command ids come from what
identifies the row's case, not from the row's position: the station and the 案件编号 when the
sheet has one, else the village, the 登记时间, the category and the parties. Sorting the sheet,
inserting rows or importing it again gives the same ids, so ``apply`` records nothing twice.
A row edited after its journal was applied gives the same ids with other values: ``apply``
refuses those lines naming what differs (a recorded event is never changed; record the change
with the verb itself).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from disputes.cli.ledger_columns import (
    FIELD_NAMES,
    HEADERS,
    REQUIRED,
    field_of,
    header_key,
    preference,
)
from disputes.cli.ledger_people import Problem, RowProblem
from disputes.cli.ledger_rows import Context, Header, Mapped, RowMapper
from disputes.cli.sheets import Cell, Sheet, UnusableFile, plain, text_of

__all__ = ["Context", "Imported", "find_header", "import_sheets"]

HEADER_SEARCH_ROWS = 20
"""The header row is looked for among the first rows that hold anything (a title, a station
name and a date line often come first)."""
MIN_HEADER_FIELDS = 2
DESCRIBING = ("reported_at", "category", "village", "summary", "parties", "case_ref")
"""A row without any of these says nothing about a case (a template's numbered blank rows, a
总计 or 填表人 line): it is skipped, not reported."""


@dataclass
class Imported:
    """What an import found: the sheet and its header, the rows mapped, and every row that
    could not be (``failed``) or was mapped in part (``warnings``)."""

    sheet: str
    header: Header
    rows: int = 0
    mapped: list[Mapped] = field(default_factory=list)
    failed: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def journal(self) -> list[dict[str, Any]]:
        """Every line, case by case in the order of their 登记时间 (so case numbers follow it)."""
        ordered = sorted(self.mapped, key=lambda m: (m.reported_at, m.row))
        return [line for mapped in ordered for line in mapped.lines]


def import_sheets(sheets: Sequence[Sheet], file_name: str, context: Context) -> Imported:
    """Map the first sheet with a header row. Raises :class:`UnusableFile` when no sheet has
    one, a required column is missing, or no row is under the header."""
    best: tuple[Sheet, Header] | None = None
    for sheet in sheets:
        header = find_header(sheet)
        if header is not None and (best is None or len(header.columns) > len(best[1].columns)):
            best = (sheet, header)
            if all(f in header.columns for f in REQUIRED):
                break
    if best is None:
        raise UnusableFile(
            file_name,
            f"no header row found (looked for headers such as {', '.join(_examples())})",
            f"找不到表头行（应有 {'、'.join(_examples())} 等列名）",
        )
    sheet, header = best
    missing = [f for f in REQUIRED if f not in header.columns]
    if missing:
        raise UnusableFile(
            file_name,
            f"sheet {sheet.name}: no column for "
            + "; ".join(f"{FIELD_NAMES[f][1]} (headers: {', '.join(HEADERS[f])})" for f in missing)
            + f"; the header row {header.row} has {', '.join(header.names.values())}",
            f"工作表 {sheet.name} 缺少必需的列："
            + "；".join(
                f"{FIELD_NAMES[f][0]}（可用列名：{'、'.join(HEADERS[f])}）" for f in missing
            )
            + f"；第 {header.row} 行表头有：{'、'.join(header.names.values())}",
        )
    imported = Imported(sheet.name, header)
    seen: dict[str, int] = {}
    mapper = RowMapper(context, header, sheet)
    header_keys = [header_key(cell) for cell in _row_cells(sheet, header.row)]
    for number, cells in sheet.rows:
        if number <= header.row or [header_key(c) for c in cells] == header_keys:
            continue
        if not any(plain(mapper.cell(cells, f)) for f in DESCRIBING if f in header.columns):
            continue
        imported.rows += 1
        try:
            mapped, key, warnings = mapper.map(number, cells)
        except RowProblem as problem:
            imported.failed.append(Problem(number, problem.en, problem.zh))
            continue
        if key in seen:
            first = seen[key]
            imported.failed.append(
                Problem(
                    number,
                    f"the same case as row {first} (same case number, or same village, time, "
                    "category and parties); nothing of this row is written",
                    f"与第 {first} 行是同一案件（案件编号相同，或村、登记时间、类别、"
                    "当事人相同），本行不导入",
                )
            )
            continue
        seen[key] = number
        imported.mapped.append(mapped)
        imported.warnings.extend(warnings)
    if not imported.rows:
        raise UnusableFile(
            file_name,
            f"sheet {sheet.name}: no rows under the header (row {header.row})",
            f"工作表 {sheet.name}：表头（第 {header.row} 行）下没有数据",
        )
    return imported


def _examples() -> list[str]:
    return [HEADERS[f][0] for f in ("case_ref", *REQUIRED, "grade", "parties", "status")]


def _row_cells(sheet: Sheet, number: int) -> tuple[Cell, ...]:
    return next((cells for n, cells in sheet.rows if n == number), ())


def find_header(sheet: Sheet) -> Header | None:
    """The row among the first :data:`HEADER_SEARCH_ROWS` that names the most fields (at least
    :data:`MIN_HEADER_FIELDS`), the first such row on a tie; None when none does."""
    best: Header | None = None
    for number, cells in sheet.rows[:HEADER_SEARCH_ROWS]:
        columns: dict[str, int] = {}
        names: dict[str, str] = {}
        ignored: list[str] = []
        for index, cell in enumerate(cells):
            name = text_of(cell).replace("\n", "")
            found = field_of(cell)
            if found is None:
                if name:
                    ignored.append(name)
                continue
            if found in columns and preference(found, names[found]) <= preference(found, cell):
                ignored.append(name)
                continue
            if found in columns:
                ignored.append(names[found])
            columns[found] = index
            names[found] = name
        if len(columns) >= MIN_HEADER_FIELDS and (best is None or len(columns) > len(best.columns)):
            best = Header(number, columns, names, ignored)
    return best
