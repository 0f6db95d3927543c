"""The words officers read: the Chinese (and English) names of statuses, grades and events.

One vocabulary for the CLI's tables and histories and for the feature files (the executable
policy), so that a leader reads the same word for the same thing everywhere: a case is 在办
while open and 观察中 while observing; ``assign`` is 分包 (naming the 分包责任领导).

Each entry is ``(zh, en)``. Events are keyed by their stable name (the last part of their
topic), verbs by their CLI verb; a verb's words are its event's.
"""

from __future__ import annotations

from disputes.domain.messages import FIELD
from disputes.domain.values import Grade, Status

__all__ = ["EVENT", "FIELD", "GRADE", "OUTCOME", "ROLE", "STATUS", "SUPERVISION", "VERB"]

STATUS: dict[str, tuple[str, str]] = {
    Status.REPORTED: ("已登记", "reported"),
    Status.OPEN: ("在办", "open"),
    Status.OBSERVING: ("观察中", "observing"),
    Status.CLOSED: ("已销号", "closed"),
}

GRADE: dict[str, tuple[str, str]] = {
    Grade.RED: ("红", "red"),
    Grade.YELLOW: ("黄", "yellow"),
    Grade.BLUE: ("蓝", "blue"),
}

EVENT: dict[str, tuple[str, str]] = {
    "Reported": ("登记", "reported"),
    "Graded": ("研判定级", "graded"),
    "Assigned": ("分包", "assigned"),
    "Deliberated": ("一案一议", "deliberated"),
    "Visited": ("走访", "visited"),
    "Mediated": ("调解", "mediated"),
    "Referred": ("分流移交", "referred"),
    "ReceiptRecorded": ("回执", "receipt recorded"),
    "Escalated": ("升级", "escalated"),
    "Downgraded": ("降级", "downgraded"),
    "Resolved": ("化解", "resolved"),
    "FollowedUp": ("回访", "followed up"),
    "Relapsed": ("反弹", "relapsed"),
    "Closed": ("销号", "closed"),
    "SupervisionOrdered": ("督办", "supervision ordered"),
    "SupervisionAnswered": ("督办反馈", "supervision answered"),
    "OutcomeRecorded": ("严重后果", "outcome recorded"),
    "Transferred": ("跨所移交", "transferred"),
}

OUTCOME: dict[str, tuple[str, str]] = {
    "criminal-case": ("民转刑", "criminal case"),
    "public-order-case": ("民转治安", "public-order case"),
    "homicide": ("命案", "homicide"),
    "mass-incident": ("群体性事件", "mass incident"),
    "petition": ("越级上访", "petition"),
}
"""The kinds of serious outcome a dispute may lead to (``outcome --kind``)."""

SUPERVISION: dict[str, tuple[str, str]] = {
    "normal": ("普通", "normal"),
    "yellow-card": ("黄牌", "yellow card"),
    "red-card": ("红牌", "red card"),
}
"""The supervision levels (督办级别)."""

VERB: dict[str, tuple[str, str]]
"""A verb's words: those of the event it records (``grade`` → 研判定级); made on first use."""

ROLE: dict[str, tuple[str, str]]
"""A roster role's words (``leader`` → 领导); made on first use."""


def __getattr__(name: str) -> dict[str, tuple[str, str]]:
    """``VERB`` (a verb's words: those of the event it records, ``grade`` → 研判定级) and
    ``ROLE`` (a roster role's words, ``leader`` → 领导), made on first use: they need the
    aggregate's and the roster's modules, which a read of the views does without (issue 15)."""
    if name == "VERB":
        from disputes.domain.model import VERB_EVENTS

        words = {verb: EVENT[event] for verb, event in VERB_EVENTS.items()}
    elif name == "ROLE":
        from disputes.domain.jurisdiction import ROLE_ZH

        words = {role: (zh, str(role)) for role, zh in ROLE_ZH.items()}
    else:
        raise AttributeError(name)
    globals()[name] = words
    return words
