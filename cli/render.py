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
from disputes.domain.clock import local_iso, local_text
from disputes.domain.model import Dispute
from disputes.domain.policy import Policy

STATUS, GRADE, EVENTS = vocabulary.STATUS, vocabulary.GRADE, vocabulary.EVENT
FIELDS = {
    "case_no": "案件编号",
    "category": "类别",
    "source": "来源",
    "district": "辖区",
    "station": "派出所",
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

TIME_KEYS = frozenset(
    {
        "reported_at",
        "graded_at",
        "resolved_at",
        "observe_until",
        "closed_at",
        "last_event_at",
        "occurred_at",
        "recorded_at",
        "referred_at",
        "answered_at",
        "ordered_at",
        "next_due_at",
        "due_at",
    }
)


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


def to_local(value: Any) -> Any:
    """UTC ISO text or datetime → ISO 8601 with +08:00; other values unchanged."""
    if isinstance(value, datetime):
        return local_iso(value)
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        return local_iso(datetime.fromisoformat(value))
    return value


def localise_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row with every time field rendered to +08:00 (JSON output)."""
    return {k: (to_local(v) if k in TIME_KEYS else v) for k, v in row.items()}


def case_json(dispute: Dispute) -> dict[str, Any]:
    """``show --json``: the keys of product.md §5 plus the case's details."""
    out: dict[str, Any] = {
        "case_no": dispute.case_no,
        "status": str(dispute.status),
        "grade": None if dispute.current_grade is None else str(dispute.current_grade),
        "category": dispute.category,
        "source": dispute.source,
        "district": dispute.district,
        "station": dispute.station,
        "village": dispute.village,
        "leader": dispute.leader,
        "officer": dispute.officer,
        "reported_by": dispute.reporter,
        "reported_at": local_iso(dispute.reported_at),
        "resolved_at": local_iso(dispute.resolved_at),
        "observe_until": local_iso(dispute.observe_until),
        "closed_at": local_iso(dispute.closed_at),
        "relapses": dispute.relapses,
        "open_referrals": dispute.open_referrals,
        "graded_at": local_iso(dispute.graded_at),
        "auxiliary": dispute.auxiliary,
        "grid_worker": dispute.grid_worker,
        "reporter": dispute.reporter,
        "summary": dispute.summary,
        "parties": dispute.parties,
        "people_involved": dispute.people_involved,
        "signals": dispute.signals,
        "observe_days": dispute.observe_days,
        "deliberations": dispute.deliberations,
        "referrals": [localise_row(r) for r in dispute.referrals],
        "last_event_at": local_iso(dispute.last_occurred_at),
        "supervision_orders": [localise_row(o) for o in getattr(dispute, "supervisions", [])],
        "version": dispute.version,
    }
    return out


def history_json(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``history --json``: each event with version, event, occurred_at, recorded_at, actor,
    policy_version and the event's own fields (flattened)."""
    out = []
    for row in rows:
        item = {k: to_local(v) if k in TIME_KEYS else v for k, v in row.items() if k != "details"}
        for key, value in row["details"].items():
            item.setdefault(key, to_local(value) if key == "observe_until" else value)
        out.append(item)
    return out


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
