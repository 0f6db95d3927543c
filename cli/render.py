"""Rendering for the CLI: labels (zh by default, en with ``--lang en``), JSON shapes, tables.

JSON times are ISO 8601 with the +08:00 offset (product.md §5).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from disputes.domain import vocabulary
from disputes.domain.clock import local_text
from disputes.gate.shapes import TIME_KEYS, case_json, history_json, localise_row, to_local

if TYPE_CHECKING:
    from disputes.domain.policy import Policy

__all__ = [
    "EVENTS",
    "GRADE",
    "STATUS",
    "TIME_KEYS",
    "case_json",
    "describe",
    "history_json",
    "label",
    "localise_row",
    "policy_label",
    "print_json",
    "print_table",
    "to_local",
]

STATUS, GRADE, EVENTS = vocabulary.STATUS, vocabulary.GRADE, vocabulary.EVENT
FIELDS = vocabulary.FIELD
VALUES = {
    "in-person": "当面",
    "phone": "电话",
    "progress": "有进展",
    "failed": "未成功",
    "accepted": "已受理",
    "handled": "已办结",
    "returned": "退回",
    "written": "书面协议",
    "oral": "口头协议",
    "judicial-confirmation": "司法确认",
    "applicant": "申请人",
    "respondent": "被申请人",
    "related": "关系人",
    "yellow-card": "黄牌",
    **{kind: zh for kind, (zh, _) in vocabulary.OUTCOME.items()},
    "red-card": "红牌",
}


def label(table: Mapping[str, tuple[str, str]], code: str | None, lang: str) -> str:
    if code is None:
        return ""
    pair = table.get(code)
    return code if pair is None else pair[0 if lang == "zh" else 1]


def policy_label(policy: Policy, kind: str, code: str, lang: str) -> str:
    table = getattr(policy, kind)
    entry = table.get(code)
    if entry is None:
        return code
    return str(entry.zh if lang == "zh" else entry.en)


PEOPLE_KEYS = frozenset({"leader", "officer", "auxiliary", "grid_worker", "attendees"})
UNIT_KEYS = frozenset({"station", "from_station", "village", "to", "with_units"})
"""Details that name people or units: shown by name when the table is given the roster."""


def describe(
    details: Mapping[str, Any], policy: Policy, lang: str, names: Names | None = None
) -> str:
    """One line of an event's details for the audit trail table; people and units by name
    when ``names`` is given."""
    parts = []
    for key, given in details.items():
        if key in ("case_no", "district") or given in (None, "", []):
            continue
        value = given
        if names is not None and key in PEOPLE_KEYS | UNIT_KEYS:
            name = names.person if key in PEOPLE_KEYS else names.unit
            value = [name(v) for v in given] if isinstance(given, list) else name(given)
        parts.append(
            f"{FIELDS.get(key, key) if lang == 'zh' else key}: {_value(key, value, policy, lang)}"
        )
    return "；".join(parts) if lang == "zh" else "; ".join(parts)


def _value(key: str, value: Any, policy: Policy, lang: str) -> str:
    if key in ("category", "source"):
        return policy_label(policy, "categories" if key == "category" else "sources", value, lang)
    if key == "signals":
        return "、".join(policy_label(policy, "signals", s, lang) for s in value)
    if key == "grade":
        return label(GRADE, value, lang)
    if key == "parties":
        return "、".join(
            f"{p['name']}({VALUES.get(p['role'], p['role']) if lang == 'zh' else p['role']})"
            for p in value
        )
    if key == "observe_until":
        return local_text(datetime.fromisoformat(value))
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if lang == "zh" and isinstance(value, str):
        return VALUES.get(value, value)
    return str(value)


class Names:
    """Stations, villages and people by name for tables (王店派出所, not WD); the code when the
    roster does not know it, or when no roster is loaded yet (an empty store)."""

    def __init__(self, store: Any) -> None:
        from disputes.domain.errors import InvalidInput

        try:
            roster = store.app.roster
        except InvalidInput:
            roster = None
        self.units = {} if roster is None else roster.units
        self.people = {} if roster is None else roster.people

    def unit(self, code: str | None) -> str:
        found = self.units.get(code or "")
        return code or "" if found is None else str(found.name)

    def person(self, person_id: str | None) -> str:
        found = self.people.get(person_id or "")
        return person_id or "" if found is None else str(found.name)


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def terminal_width(default: int = 200) -> int | None:
    """The width a table fits: the terminal's (None: let rich ask it); piped, ``COLUMNS`` when
    it is set to a number, else ``default``."""
    if sys.stdout.isatty():
        return None
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdecimal() and int(columns) >= 20 else default


def print_table(
    title: str | None,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    width: int | None = 0,
) -> None:
    """A rich table on stdout: as wide as the terminal; piped, ``width`` columns (0: wide
    enough for piping to a file)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    if width == 0:
        width = None if sys.stdout.isatty() else 200
    console = Console(width=width, highlight=False)
    table = Table(title=title, show_lines=False, header_style="bold")
    for index, header in enumerate(headers):
        # The first column is the key (case number, event number, id): never folded.
        table.add_column(header, overflow="fold", no_wrap=index == 0)
    for row in rows:
        # Cells are plain text, never rich markup: a summary "[/bold]" is shown as written
        # (as markup it fails to render, or restyles the table).
        table.add_row(*(Text("" if v is None else str(v)) for v in row))
    console.print(table)


def _least(text: str, foldable: bool) -> int:
    """The narrowest a header or a cell may be: a header breaks between words (a long Chinese
    word folds, four characters a line at least); a foldable cell (a name) folds at 12."""
    from rich.cells import cell_len

    words = text.split() or [""]
    widest = max(min(cell_len(w), 8) if cell_len(w) != len(w) else cell_len(w) for w in words)
    return min(widest, 12) if foldable else widest


def fit_table(
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    drop: Sequence[int] = (),
    foldable: Sequence[int] = (0,),
    lang: str = "zh",
) -> None:
    """A table as wide as the terminal (piped: ``COLUMNS``, else 200), like the 台账: headers
    break between words, figures never fold, names fold; when even so it is too wide, the
    columns of ``drop`` are left out in that order, and a line says which (``--format json``
    and ``xlsx`` have every column)."""
    from rich.cells import cell_len
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(width=terminal_width(), highlight=False)
    available = console.width
    least = [
        max(
            [_least(header, False)]
            + [_least(row[i], True) if i in foldable else cell_len(row[i]) for row in rows]
        )
        for i, header in enumerate(headers)
    ]
    natural = [
        max(
            [cell_len(header)]
            + [min(cell_len(row[i]), 30) if i in foldable else cell_len(row[i]) for row in rows]
        )
        for i, header in enumerate(headers)
    ]
    shown = list(range(len(headers)))
    left_out: list[int] = []

    def room(columns: list[int], widths: Sequence[int]) -> int:
        return available - (sum(widths[i] for i in columns) + 3 * len(columns) + 1)

    for index in drop:
        if room(shown, least) >= 0:
            break
        shown.remove(index)
        left_out.append(index)
    widths = [max(n, m) for n, m in zip(natural, least, strict=True)]
    # Narrow the column with the most slack, a cell at a time, until the table fits.
    while room(shown, widths) < 0:
        slack = max(shown, key=lambda i: widths[i] - least[i])
        if widths[slack] <= least[slack]:
            break
        widths[slack] -= 1
    table = Table(title=title, header_style="bold")
    for index in shown:
        fold = index in foldable
        table.add_column(
            Text(headers[index], overflow="fold", justify="left" if fold else "right"),
            width=widths[index],
            overflow="fold",
            justify="left" if fold else "right",
        )
    for row in rows:
        table.add_row(*(Text(row[i], overflow="fold", no_wrap=i not in foldable) for i in shown))
    console.print(table)
    if left_out:
        names = [headers[i] for i in sorted(left_out)]
        console.print(
            Text(
                f"（终端宽度不够，未显示：{'、'.join(names)}；--format json 或 xlsx 含全部列）"
                if lang == "zh"
                else f"(too narrow for: {', '.join(names)}; --format json or xlsx has every column)"
            )
        )
