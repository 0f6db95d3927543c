"""The words of the figures (统计指标): each JSON key's Chinese and English label, and the figures
flattened into one row (``by_source`` and ``outcomes`` as one column per source and kind) for
tables, CSV and Excel."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from disputes.domain.policy import Policy
from disputes.domain.vocabulary import OUTCOME

LABELS: dict[str, tuple[str, str]] = {
    "reported": ("登记", "reported"),
    "found_actively": ("主动发现", "found actively"),
    "walk_in": ("群众来访", "walk-in"),
    "by_source": ("来源", "source"),
    "graded_red": ("首次定级红", "first graded red"),
    "graded_yellow": ("首次定级黄", "first graded yellow"),
    "resolved": ("化解", "resolved"),
    "closed": ("销号", "closed"),
    "settled": ("期末已化解", "settled at end"),
    "settlement_rate": ("化解率", "settlement rate"),
    "open_at_start": ("期初在办", "open at start"),
    "open_at_start_settled": ("期初在办已化解", "open at start, settled"),
    "open_at_start_settlement_rate": ("期初在办化解率", "settlement rate (open at start)"),
    "relapses": ("反弹次数", "relapses"),
    "relapsed_cases": ("反弹案件", "relapsed cases"),
    "relapse_rate": ("反弹率", "relapse rate"),
    "median_days_to_first_contact": ("登记至首次接触（天）", "days report → first contact"),
    "median_days_to_downgrade": ("定级至降级（天）", "days grade → downgrade"),
    "median_days_to_resolution": ("登记至化解（天）", "days report → resolution"),
    "in_hand_red": ("期末在办红", "in hand red"),
    "in_hand_yellow": ("期末在办黄", "in hand yellow"),
    "in_hand_blue": ("期末在办蓝", "in hand blue"),
    "overdue_items": ("期末逾期事项", "overdue items at end"),
    "yellow_cards": ("期末黄牌", "yellow cards at end"),
    "red_cards": ("期末红牌", "red cards at end"),
    "supervision_orders": ("督办", "supervision orders"),
    "referrals": ("分流移交", "referrals"),
    "referrals_late": ("移交回执逾期", "referrals answered late"),
    "outcomes": ("严重后果", "outcomes"),
    "homicides": ("命案", "homicides"),
    "zero_homicide": ("命案零发生", "zero homicide"),
}
"""Every figure key (docs/statistics.md) and its label (中文, English)."""

RATES = frozenset({"settlement_rate", "open_at_start_settlement_rate", "relapse_rate"})
"""Figures that are shares (0–1 in JSON; per cent in tables and workbooks)."""

DAYS = frozenset(
    {"median_days_to_first_contact", "median_days_to_downgrade", "median_days_to_resolution"}
)


def word(key: str, lang: str) -> str:
    zh, en = LABELS[key]
    return zh if lang == "zh" else en


def flat_columns(policy: Policy, lang: str) -> list[tuple[str, str]]:
    """``(column key, header)`` of every figure, ``by_source`` and ``outcomes`` spread into
    ``by_source.visit``, ``outcomes.homicide``, …; English headers are the keys themselves."""
    columns: list[tuple[str, str]] = []
    for key in LABELS:
        if key == "by_source":
            for code, label in policy.sources.items():
                name = f"by_source.{code}"
                columns.append((name, f"来源：{label.zh}" if lang == "zh" else name))
        elif key == "outcomes":
            for kind, (zh, _) in OUTCOME.items():
                name = f"outcomes.{kind}"
                columns.append((name, f"后果：{zh}" if lang == "zh" else name))
        else:
            columns.append((key, word(key, lang) if lang == "zh" else key))
    return columns


def flatten(figures: Mapping[str, Any]) -> dict[str, Any]:
    """One flat row: nested counts become ``by_source.<code>`` / ``outcomes.<kind>``."""
    row: dict[str, Any] = {}
    for key, value in figures.items():
        if isinstance(value, Mapping):
            for sub, n in value.items():
                row[f"{key}.{sub}"] = n
        else:
            row[key] = value
    return row


def shown(key: str, value: Any, lang: str) -> str:
    """A figure as a table shows it: shares in per cent, booleans as 是/否, none as —."""
    if value is None:
        return "—"
    if key in RATES:
        return f"{value * 100:.1f}%"
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    return str(value)
