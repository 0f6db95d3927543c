"""Rendering for the CLI: labels (zh by default, en with ``--lang en``), JSON shapes, tables.

JSON times are ISO 8601 with the +08:00 offset (product.md §5).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from disputes.domain import vocabulary
from disputes.domain.clock import local_text
from disputes.domain.policy import Policy
from disputes.gate.shapes import TIME_KEYS, case_json, history_json, localise_row, to_local

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
FIELDS = {
    "case_no": "案件编号",
    "category": "类别",
    "source": "来源",
    "district": "辖区",
    "station": "派出所",
    "from_station": "原派出所",
    "village": "村",
    "summary": "简要情况",
    "parties": "当事人",
    "people_involved": "涉及人数",
    "grade": "等级",
    "reason": "理由",
    "signals": "风险信号",
    "leader": "分包领导",
    "officer": "责任人",
    "auxiliary": "辅警",
    "grid_worker": "网格员",
    "plan": "方案",
    "attendees": "参会人",
    "mode": "方式",
    "note": "备注",
    "result": "结果",
    "with_units": "联调单位",
    "referral": "移交序号",
    "to": "移交单位",
    "outcome": "回执结果",
    "agreement": "协议内容",
    "form": "协议形式",
    "observe_days": "观察天数",
    "observe_until": "观察期至",
    "follow_up_max_gap_days": "回访间隔上限（天）",
    "level": "督办级别",
    "order": "督办序号",
    "kind": "后果类别",
    "ref": "警情编号",
    "orders": "反馈的督办",
}
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


def describe(details: Mapping[str, Any], policy: Policy, lang: str) -> str:
    """One line of an event's details for the audit trail table."""
    parts = []
    for key, value in details.items():
        if key in ("case_no", "district") or value in (None, "", []):
            continue
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


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def print_table(title: str | None, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A rich table on stdout (wide enough for piping to a file)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(width=None if sys.stdout.isatty() else 200, highlight=False)
    table = Table(title=title, show_lines=False, header_style="bold")
    for index, header in enumerate(headers):
        # The first column is the key (case number, event number, id): never folded.
        table.add_column(header, overflow="fold", no_wrap=index == 0)
    for row in rows:
        # Cells are plain text, never rich markup: a summary "[/bold]" is shown as written
        # (as markup it fails to render, or restyles the table).
        table.add_row(*(Text("" if v is None else str(v)) for v in row))
    console.print(table)
