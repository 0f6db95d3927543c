"""Executable policy: features/due_board.feature — 跟办看板与督办 (issue 3, product.md §4).

Then steps read the due board at the scenario's "now" (or at a time the step names) for the
case in hand; the shared steps of conftest.py set the clock and record the case's history.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pytest_bdd import given, parsers, scenarios, then, when

from disputes.domain.errors import NoOpenSupervision
from disputes.projections.due_board import DueItem
from tests.features.desk import Desk
from tests.features.words import TYPES, Word, _look_up, _one_of

scenarios("due_board.feature")

KINDS = {
    "首次接触": "first-contact",
    "定期走访": "contact",
    "回访": "follow-up",
    "移交回执": "referral-reply",
    "观察期满": "observation-end",
    "停滞": "stalled",
}
LEVELS = {"普通": "normal", "黄牌": "yellow-card", "红牌": "red-card"}
CARDS = {"黄牌": "yellow-card", "红牌": "red-card"}

WORDS: dict[str, Any] = {
    **TYPES,
    "Kind": Word(_one_of(KINDS), _look_up(KINDS, "due item")),
    "Level": Word(_one_of(LEVELS), _look_up(LEVELS, "supervision level")),
    "Card": Word(_one_of(CARDS), _look_up(CARDS, "card")),
}


def says(text: str) -> parsers.parse:
    """A step parser that knows the board's words too (事项, 督办级别)."""
    return parsers.parse(text, extra_types=WORDS)


def items(desk: Desk, on: datetime | None = None, **options: Any) -> list[DueItem]:
    """The case in hand's items on the board at ``on`` (default now), due any time ahead."""
    options.setdefault("until", desk.clock.now + timedelta(days=3650))
    return desk.store.due(on or desk.clock.now, case_no=desk.case_no, **options)


def item(desk: Desk, kind: str, on: datetime | None = None, **options: Any) -> DueItem:
    found = [i for i in items(desk, on, **options) if i.kind == kind]
    assert len(found) == 1, f"{kind}: {found}"
    return found[0]


# == Given ========================================================================================


@given(says("调解{times:Number}次均未成功"))
def failed_mediations(desk: Desk, times: int) -> None:
    for _ in range(times):
        desk.record("mediate", desk.officer, note="双方各执一词", result="failed")


@given(says("{actor:Person}已对该案下达{level:Card}督办"))
def supervised(desk: Desk, actor: str, level: str) -> None:
    desk.record("supervise", actor, level=level, note="三日内走访并报告")


# == When =========================================================================================


@when(says("{actor:Person}对该案下达{level:Card}督办"))
def supervise(desk: Desk, actor: str, level: str) -> None:
    desk.attempt("supervise", actor, level=level, note="三日内走访并报告")


@when(says("{actor:Person}反馈督办"))
def answer_supervision(desk: Desk, actor: str) -> None:
    desk.attempt("answer-supervision", actor, note="已走访，双方情绪稳定")


# == Then: the board ==============================================================================


@then(says("该案的{kind:Kind}已逾期{days:Number}天"))
def overdue_by(desk: Desk, kind: str, days: int) -> None:
    found = item(desk, kind)
    assert (found.overdue, found.overdue_days) == (True, days), found


@then(says("到 {on:Time}，该案的{kind:Kind}已逾期{days:Number}天"))
def overdue_by_then(desk: Desk, on: datetime, kind: str, days: int) -> None:
    found = item(desk, kind, on)
    assert (found.overdue, found.overdue_days) == (True, days), found


@then(says("该案的{kind:Kind}今日到期，尚未逾期"))
def due_today(desk: Desk, kind: str) -> None:
    found = item(desk, kind, until=None)
    assert not found.overdue, found


@then(says("该案的{kind:Kind}尚未逾期"))
def not_overdue(desk: Desk, kind: str) -> None:
    assert not item(desk, kind).overdue


@then(says("该案的{kind:Kind}为{level:Level}督办"))
def supervision_is(desk: Desk, kind: str, level: str) -> None:
    assert item(desk, kind).supervision == level


@then("该案已停滞")
def stalled(desk: Desk) -> None:
    assert "stalled" in [i.kind for i in items(desk, overdue=True, until=None)]


@then("该案尚未停滞")
def not_stalled(desk: Desk) -> None:
    assert "stalled" not in [i.kind for i in items(desk, overdue=True, until=None)]


@then(says("看板上该案没有{kind:Kind}"))
def no_item(desk: Desk, kind: str) -> None:
    assert kind not in [i.kind for i in items(desk)]


@then("看板上没有该案")
def not_on_board(desk: Desk) -> None:
    assert items(desk, until=None) == []


@then(says("看板上该案由责任人{officer:Name}、分包领导{leader:Name}负责"))
def responsible(desk: Desk, officer: str, leader: str) -> None:
    assert {(i.officer, i.leader) for i in items(desk)} == {(officer, leader)}


# == Then: refusals ===============================================================================


@then("被拒绝：没有待反馈的督办")
def no_open_order(desk: Desk) -> None:
    assert isinstance(desk.refused(), NoOpenSupervision), desk.refused().message
