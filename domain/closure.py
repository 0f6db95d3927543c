"""不化解不销案 — the observation window and the closure rule (product.md §3).

The observation window starts at the latest resolution. Follow-ups (回访) are due at most every
``max_gap_days`` days; when a gap longer than that has happened, the window restarts at the
first follow-up after the gap, and the observation period must be served again from there — a
missed follow-up delays closure, it never blocks it for good. Follow-ups are taken in occurred
order, whatever order they were recorded in (late entries, 补录).

``closure_failures`` names every condition that fails and ``earliest_close`` the first moment
the case could close; ``Dispute.close`` refuses with both
(:class:`~disputes.domain.errors.ClosureRefused`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from disputes.domain.clock import local_text
from disputes.domain.values import Status

if TYPE_CHECKING:
    from disputes.domain.model import Dispute


def days(delta: timedelta) -> float:
    """A duration in days (fractional)."""
    return delta.total_seconds() / 86400


@dataclass(frozen=True)
class Window:
    """The current observation window: it started at ``start`` (the resolution, or the first
    follow-up after a broken chain) and is served at ``until`` (``start`` + the observation
    days); ``last`` is the latest follow-up in it, or ``start`` when there is none — the time
    from which the next follow-up is due."""

    start: datetime
    until: datetime
    last: datetime


def observation_window(
    resolved_at: datetime,
    observe_days: int,
    max_gap_days: int,
    follow_ups: Iterable[datetime],
    at: datetime | None = None,
) -> Window:
    """The observation window of a resolution at ``resolved_at`` for ``observe_days`` days,
    given the case's follow-up times (sorted, any since the case began) up to ``at`` (default:
    all of them). Times are timezone-aware; ``max_gap_days`` is the policy's longest allowed gap
    between follow-ups (product.md §4: 30)."""
    gap = timedelta(days=max_gap_days)
    start = last = resolved_at
    for follow_up in follow_ups:
        if follow_up < resolved_at:
            continue
        if at is not None and follow_up > at:
            break
        if follow_up - last > gap:
            start = follow_up
        last = follow_up
    return Window(start, start + timedelta(days=observe_days), last)


class Failure(str):
    """A failed closure condition: the English text (``str``), and ``zh``, what the officer
    reads — both say what would let the case close."""

    zh: str

    def __new__(cls, en: str, zh: str) -> Failure:
        failure = super().__new__(cls, en)
        failure.zh = zh
        return failure


def closure_failures(case: Dispute, actor: str, at: datetime) -> list[str]:
    """Every condition of product.md §3 that fails for closing ``case`` at ``at`` by ``actor``.

    Returns an empty list when the case may be closed; each failure (a :class:`Failure`, in
    English and Chinese) says what is missing.
    """
    from disputes.domain.errors import word_zh

    failures: list[str] = []
    if case.status != Status.OBSERVING:
        failures.append(
            Failure(
                f"1. the case must be observing (resolved, blue); it is {case.status}",
                f"1. 案件须在观察中（已化解，蓝色），目前为{word_zh('STATUS', case.status)}；"
                "请先化解",
            )
        )
    window = case.window(at)
    if window is None:
        failures.append(
            Failure(
                "2. no observation period has started (the case was never resolved)",
                "2. 观察期尚未开始（案件从未化解）；化解后须观察期满才能销号",
            )
        )
    else:
        if at < window.until:
            restarted = (
                f", restarted at the follow-up of {local_text(window.start)} after a gap"
                if window.start != case.resolved_at
                else ""
            )
            zh_restarted = (
                f"，因回访中断，已自 {local_text(window.start)} 的回访起重新计算"
                if window.start != case.resolved_at
                else ""
            )
            failures.append(
                Failure(
                    f"2. the observation period runs until {local_text(window.until)} "
                    f"({days(window.until - at):.1f} days left{restarted})",
                    f"2. 观察期至 {local_text(window.until)} 届满（还剩 "
                    f"{days(window.until - at):.1f} 天{zh_restarted}）；请在观察期满后销号",
                )
            )
        limit = case.follow_up_max_gap_days
        if days(at - window.last) > limit:
            failures.append(
                Failure(
                    f"3. no follow-up for {days(at - window.last):.1f} days since "
                    f"{local_text(window.last)} (at most {limit}): record a follow-up; the "
                    f"observation then restarts and runs {case.observe_days} days from it",
                    f"3. 还需回访：最近一次回访已超过 {limit} 天（自 {local_text(window.last)} "
                    f"起 {days(at - window.last):.1f} 天未回访）；请先回访，观察期自该次回访起"
                    f"重新计算 {case.observe_days} 天",
                )
            )
    unanswered = [r for r in case.referrals if r.get("outcome") is None]
    if unanswered:
        listed = ", ".join(f"{r['referral']} ({r['to']})" for r in unanswered)
        zh_listed = "、".join(f"第 {r['referral']} 号（{r['to']}）" for r in unanswered)
        failures.append(
            Failure(
                f"4. referrals without a receipt: {listed}",
                f"4. 还需回执：移交{zh_listed}尚无回执；请先登记回执",
            )
        )
    if actor != case.leader:
        failures.append(
            Failure(
                f"5. only the responsible leader ({case.leader or 'none assigned'}) may close; "
                f"{actor} is not",
                f"5. 只有该案的分包领导（{case.leader or '尚未分包'}）可以销号，{actor} 不是；"
                + ("请由分包领导销号" if case.leader else "请先分包"),
            )
        )
    if case.open_supervisions:
        listed = ", ".join(
            f"{o['order']} ({o['level']} by {o['actor']})" for o in case.open_supervisions
        )
        zh_listed = "、".join(
            f"第 {o['order']} 号（{word_zh('SUPERVISION', o['level'])}，{o['actor']} 下达）"
            for o in case.open_supervisions
        )
        failures.append(
            Failure(
                f"6. supervision orders (督办) without an answer: {listed}",
                f"6. 还需督办反馈：督办{zh_listed}尚未反馈；请先督办反馈",
            )
        )
    return failures


def earliest_close(case: Dispute, at: datetime) -> datetime | None:
    """The first moment the case could close, judged at ``at``: the end of the current window,
    or — when the follow-up chain is broken at ``at`` — ``observe_days`` after a follow-up made
    at ``at``; both assume follow-ups at most every ``max_gap_days`` days from then on. None
    when the case is not observing (it must be resolved first)."""
    window = case.window(at)
    if case.status != Status.OBSERVING or window is None or case.observe_days is None:
        return None
    if days(at - window.last) > case.follow_up_max_gap_days:
        return at + timedelta(days=case.observe_days)
    return max(window.until, at)
