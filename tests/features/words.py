"""The words of the feature files: how a leader names people, places, colours, times and rules.

Each word type is a parse type (a converter with a ``pattern``) for ``pytest_bdd.parsers.parse``;
:func:`says` compiles a step text that may use them, e.g. ``says("{actor:Person}将案件销号")``.
People are named with their post and name as the roster has them (``社区民警冯桂芝``); the post
must match the roster's role, so a feature file cannot claim a grid worker is a leader.
Villages and dispute categories not on the roster or in the policy pass through unchanged, so a
scenario can try one and be refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import Any, Generic, TypeVar

from pytest_bdd import parsers

from disputes.domain import vocabulary
from disputes.domain.clock import parse_time
from disputes.domain.errors import (
    AssigneeOutOfStation,
    BeforeLatestDecision,
    BeforeReport,
    ClosureRefused,
    DisputesError,
    InvalidInput,
    InvalidInputs,
    NotResponsibleLeader,
    OutOfScope,
    OwnSupervisionOrder,
    ReferralAlreadyAnswered,
    ReferralNotFound,
    ReporterCannotClose,
    RoleNotAllowed,
    SameStation,
    WrongGrade,
    WrongStatus,
)
from disputes.domain.policy import Policy, parse_policy
from disputes.domain.roster import Role, Roster, UnitKind

T = TypeVar("T")

_SAMPLE = resources.files("disputes") / "samples" / "huaiyang"
ROSTER = Roster.from_csv(
    (_SAMPLE / "units.csv").read_text(encoding="utf-8"),
    (_SAMPLE / "people.csv").read_text(encoding="utf-8"),
)
"""The bundled Huaiyang sample roster (王店派出所 WD, 东岗村 WD-V01, partner units …)."""

POLICY: Policy = parse_policy(
    resources.files("disputes.domain").joinpath("policy.toml").read_bytes(), "policy.toml"
)
"""The default policy of product.md §4 (not whatever ``DISPUTES_POLICY`` names)."""


class UnknownWord(LookupError):
    """A feature file uses a word the vocabulary does not know (a mistake in the feature)."""


@dataclass(frozen=True)
class Word(Generic[T]):
    """A parse type: the text it matches (``pattern``) and what it means (``meaning``)."""

    pattern: str
    meaning: Callable[[str], T]

    def __call__(self, text: str) -> T:
        return self.meaning(text)


def _one_of(words: Mapping[str, Any]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


def _look_up(table: Mapping[str, T], kind: str) -> Callable[[str], T]:
    def meaning(text: str) -> T:
        if text not in table:
            raise UnknownWord(f"unknown {kind} '{text}'; known: {', '.join(table)}")
        return table[text]

    return meaning


# -- people ------------------------------------------------------------------------------------

POSTS: dict[str, Role] = {
    "区局领导": Role.LEADER,
    "分包领导": Role.LEADER,
    "领导": Role.LEADER,
    "社区民警": Role.COMMUNITY_POLICE,
    "专职辅警": Role.AUXILIARY_POLICE,
    "辅警": Role.AUXILIARY_POLICE,
    "网格员": Role.GRID_WORKER,
}
"""How a post is said (岗位) → roster role."""

NAMES: dict[str, str] = {person.name: person.id for person in ROSTER.people.values()}
"""Roster name → person id (the sample's names are unique)."""


def _person(text: str) -> str:
    post = next(word for word in sorted(POSTS, key=len, reverse=True) if text.startswith(word))
    person = ROSTER.people[NAMES[text.removeprefix(post)]]
    if person.role is not POSTS[post]:
        raise UnknownWord(f"{text}: the roster has {person.name} as {person.role}")
    return person.id


Person = Word(f"(?:{_one_of(POSTS)})(?:{_one_of(NAMES)})", _person)
"""``社区民警冯桂芝`` → ``P-WD-01``: post and name, checked against the roster."""

Name = Word(_one_of(NAMES), _look_up(NAMES, "name"))
"""``萧卫东`` → ``L-WD-01``."""

# -- places and partners -----------------------------------------------------------------------

VILLAGES = {u.name: u.code for u in ROSTER.units.values() if u.kind is UnitKind.VILLAGE}
PARTNERS = {u.name: u.code for u in ROSTER.units.values() if u.kind is UnitKind.PARTNER}

Village = Word(r"[\u4e00-\u9fff]+村", lambda text: VILLAGES.get(text, text))
"""``东岗村`` → ``WD-V01``; a village not on the roster passes through as said."""

Partner = Word(_one_of(PARTNERS), _look_up(PARTNERS, "partner unit"))
"""``司法所`` → ``SFS``."""

STATIONS = {u.name: u.code for u in ROSTER.units.values() if u.kind is UnitKind.STATION}
Station = Word(_one_of(STATIONS), _look_up(STATIONS, "station"))
"""``豆门派出所`` → ``DM``."""

# -- policy words --------------------------------------------------------------------------------

CATEGORIES = {label.zh: code for code, label in POLICY.categories.items()}

Category = Word(r"[\u4e00-\u9fff、]+", lambda text: CATEGORIES.get(text, text))
"""``邻里纠纷`` → ``neighbour``; a category not in the policy passes through as said."""

COLOURS = {f"{zh}色": code for code, (zh, _) in vocabulary.GRADE.items()}
"""``红色`` → ``red``: the CLI's grade word (红) as a colour."""
Grade = Word(_one_of(COLOURS), _look_up(COLOURS, "grade"))

STATUSES = {zh: code for code, (zh, _) in vocabulary.STATUS.items()}
"""The CLI's status words: ``在办`` → ``open``."""
Status = Word(_one_of(STATUSES), _look_up(STATUSES, "status"))

EVENTS = {zh: name for name, (zh, _) in vocabulary.EVENT.items()}
"""The history's event words, as the CLI shows them: ``研判定级`` → ``Graded``."""
Events = Word(
    f"(?:{_one_of(EVENTS)})(?:、(?:{_one_of(EVENTS)}))*",
    lambda text: [EVENTS[word] for word in text.split("、")],
)
"""``登记、研判定级`` → ``["Reported", "Graded"]``: the events of a case history, in order."""

VERBS = {zh: verb for verb, (zh, _) in vocabulary.VERB.items()}
Verb = Word(_one_of(VERBS), _look_up(VERBS, "command"))
"""The command an officer sent: ``研判定级`` → ``grade``."""

OUTCOME_KINDS = {zh: kind for kind, (zh, _) in vocabulary.OUTCOME.items()}
OutcomeKind = Word(_one_of(OUTCOME_KINDS), _look_up(OUTCOME_KINDS, "outcome"))
"""``命案`` → ``homicide``: the kinds of serious outcome (issue 12)."""

PoliceCaseNo = Word(r"[A-Za-z0-9-]+", str)
"""A police case number as written (``A41160220``)."""

FIELDS = {
    "村庄": "village",
    "纠纷类别": "category",
    "发生时间": "at",
    "观察期": "observe_days",
    "颜色": "grade",
    "警情编号": "ref",
}
Field = Word(_one_of(FIELDS), _look_up(FIELDS, "field"))
"""The input a refusal names: ``村庄`` → ``village``."""

RULES: dict[str, type[DisputesError] | tuple[type[DisputesError], ...]] = {
    "输入有误": (InvalidInput, InvalidInputs),
    "该岗位无权办理": RoleNotAllowed,
    "不是该案的分包领导": NotResponsibleLeader,
    "案件状态不允许": WrongStatus,
    "案件颜色不允许": WrongGrade,
    "发生时间早于该案的登记": BeforeReport,
    "发生时间早于该案最近一次决定": BeforeLatestDecision,
    "该移交已有回执": ReferralAlreadyAnswered,
    "找不到该移交": ReferralNotFound,
    "不化解不销案": ClosureRefused,
    "不在管辖范围": OutOfScope,
    "登记人不能销号": ReporterCannotClose,
    "不能反馈本人下达的督办": OwnSupervisionOrder,
    "分包须为本所人员": AssigneeOutOfStation,
    "案件已属该所": SameStation,
}
Rule = Word(_one_of(RULES), _look_up(RULES, "rule"))
"""The rule a refusal names (``不是该案的分包领导`` → NotResponsibleLeader)."""

# -- numbers, times, case numbers ----------------------------------------------------------------

DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_number(text: str) -> int:
    """``三十一`` → 31, ``一百八十`` → 180, ``十`` → 10, ``31`` → 31."""
    if text.isdigit():
        return int(text)
    total, digit = 0, 0
    for char in text:
        if char in UNITS:
            total, digit = total + (digit or 1) * UNITS[char], 0
        else:
            digit = DIGITS[char]
    return total + digit


Number = Word(rf"\d+|[{''.join(DIGITS)}{''.join(UNITS)}]+", chinese_number)

Time = Word(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", parse_time)
"""``2021-10-06 21:40`` → that minute in Asia/Shanghai (aware datetime)."""

CASE_NO = r"[A-Z]+-\d{4}-\d{4}"
CaseNo = Word(CASE_NO, str)
CaseNos = Word(rf"{CASE_NO}(?:、{CASE_NO})*", lambda text: text.split("、"))
"""``HY-2021-0001、HY-2021-0002`` → a list of case numbers."""

Conditions = Word(r"\d(?:、\d)*", lambda text: text.split("、"))
"""``1、2、5`` → the closure conditions of product.md §3 by number."""

# -- ratings (五星警务室) -----------------------------------------------------------------------

SOURCES = {label.zh: code for code, label in POLICY.sources.items()}
SOURCES |= {"群众来访反映": "walk-in", "走访": "visit", "信息员报告": "informant"}
Source = Word(_one_of(SOURCES), _look_up(SOURCES, "source"))
"""How a dispute was found: ``群众来访`` → ``walk-in``, ``治安信息员报告`` → ``informant``."""

STARS = {"无星": 0, "一星": 1, "二星": 2, "三星": 3, "四星": 4, "五星": 5}
Stars = Word(_one_of(STARS), _look_up(STARS, "stars"))
"""``三星`` → 3."""

Half = Word(r"\d{4}年[上下]半年", lambda text: f"{text[:4]}H{1 if text[5] == '上' else 2}")
"""``2022年上半年`` → ``2022H1``."""


TYPES: dict[str, Callable[[str], Any]] = {
    "Person": Person,
    "Name": Name,
    "Village": Village,
    "Partner": Partner,
    "Station": Station,
    "Category": Category,
    "Grade": Grade,
    "OutcomeKind": OutcomeKind,
    "PoliceCaseNo": PoliceCaseNo,
    "Status": Status,
    "Events": Events,
    "Verb": Verb,
    "Field": Field,
    "Rule": Rule,
    "Number": Number,
    "Time": Time,
    "CaseNo": CaseNo,
    "CaseNos": CaseNos,
    "Conditions": Conditions,
    "Source": Source,
    "Stars": Stars,
    "Half": Half,
}


def says(text: str) -> parsers.parse:
    """A step parser for ``text``, which may use the word types above."""
    return parsers.parse(text, extra_types=TYPES)


def moment(text: str | None) -> datetime | None:
    """A time from a read model (UTC ISO text) as an aware datetime; None stays None."""
    return None if text is None else datetime.fromisoformat(text)
