"""The columns of an office 台账 that ``import-ledger`` reads, and the words offices write in
them: each field with the headers that name it (the first listed wins when a sheet has two),
and the values of grade, status, source and agreement form.

A header is compared after NFKC (full-width letters and brackets as ASCII), with white space
and line breaks removed, a leading ``*`` or ``※`` (a required-column mark) and a trailing
colon dropped; a header with a bracketed remark (``涉及人数（人）``, ``村（社区）``) is also
tried without it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from disputes.cli.sheets import plain

HEADERS: dict[str, tuple[str, ...]] = {
    "case_ref": ("案件编号", "台账编号", "纠纷编号", "矛盾纠纷编号", "案件号", "原编号", "编号"),
    "serial": ("序号",),
    "reported_at": (
        "登记时间",
        "登记日期",
        "排查时间",
        "排查日期",
        "发现时间",
        "受理时间",
        "受理日期",
        "报告时间",
        "时间",
        "日期",
    ),
    "category": (
        "类别",
        "纠纷类别",
        "矛盾类别",
        "矛盾纠纷类别",
        "纠纷类型",
        "矛盾类型",
        "矛盾纠纷类型",
        "类型",
        "案件类别",
    ),
    "source": ("来源", "发现渠道", "渠道", "线索来源", "信息来源", "排查方式", "发现方式"),
    "grade": (
        "等级",
        "风险等级",
        "颜色等级",
        "三色等级",
        "红黄蓝等级",
        "评估等级",
        "研判等级",
        "级别",
    ),
    "grade_reason": ("研判意见", "定级理由", "研判理由", "评估理由", "风险点"),
    "station": ("派出所", "所属派出所", "责任单位", "管辖派出所"),
    "village": (
        "村",
        "所属村",
        "村社区",
        "所属村社区",
        "村别",
        "村庄",
        "行政村",
        "所在村",
        "发生地",
        "地点",
    ),
    "parties": ("当事人", "当事人姓名", "双方当事人", "涉及当事人", "当事人信息"),
    "people_involved": ("涉及人数", "人数", "涉事人数"),
    "summary": (
        "简要情况",
        "基本情况",
        "纠纷简要情况",
        "矛盾纠纷简要情况",
        "简要案情",
        "纠纷内容",
        "主要内容",
        "具体情况",
        "情况摘要",
        "事由",
    ),
    "note": ("备注",),
    "status": (
        "化解情况",
        "调处结果",
        "调处情况",
        "化解结果",
        "是否化解",
        "办理情况",
        "处置情况",
        "调解结果",
        "化解状态",
        "状态",
    ),
    "agreement": ("协议内容", "化解措施", "调解协议", "化解方式"),
    "form": ("协议形式",),
    "resolved_at": (
        "化解时间",
        "化解日期",
        "调处时间",
        "调解时间",
        "办结时间",
        "结案时间",
        "化解完成时间",
    ),
    "leader": ("责任领导", "分包领导", "分包责任领导", "包案领导", "责任所领导", "包案所领导"),
    "officer": ("责任民警", "责任人", "社区民警", "包片民警", "承办民警", "包案民警"),
    "auxiliary": ("辅警", "包村辅警", "专职辅警", "责任辅警"),
    "grid_worker": ("网格员", "包点网格员"),
    "reporter": ("登记人", "报告人", "填报人", "排查人"),
    "follow_ups": ("回访", "回访情况", "回访时间", "回访日期", "回访记录"),
}
"""Field → the headers an office writes for it, the preferred first."""

REQUIRED = ("reported_at", "category", "village")
"""Without these columns no case can be reported (``report`` needs a time, a category and a
village; the summary is made up from the row when the sheet has none)."""

FIELD_NAMES: dict[str, tuple[str, str]] = {
    "case_ref": ("案件编号", "case number"),
    "serial": ("序号", "row number"),
    "reported_at": ("登记时间", "reported at"),
    "category": ("类别", "category"),
    "source": ("来源", "source"),
    "grade": ("等级", "grade"),
    "grade_reason": ("研判意见", "grading reason"),
    "station": ("派出所", "station"),
    "village": ("村", "village"),
    "parties": ("当事人", "parties"),
    "people_involved": ("涉及人数", "people involved"),
    "summary": ("简要情况", "summary"),
    "note": ("备注", "note"),
    "status": ("化解情况", "status"),
    "agreement": ("协议内容", "agreement"),
    "form": ("协议形式", "agreement form"),
    "resolved_at": ("化解时间", "resolved at"),
    "leader": ("责任领导", "responsible leader"),
    "officer": ("责任民警", "responsible officer"),
    "auxiliary": ("辅警", "auxiliary officer"),
    "grid_worker": ("网格员", "grid worker"),
    "reporter": ("登记人", "reported by"),
    "follow_ups": ("回访", "follow-ups"),
}
"""How a field is named in a message (zh, en) when the sheet's own header is not at hand."""

_BRACKETED = re.compile(r"[(\[【][^)\]】]*[)\]】]")
_ALL_HEADERS = {header: field for field, headers in HEADERS.items() for header in headers}


def header_key(cell: object) -> str:
    """A header cell as compared with :data:`HEADERS` (see the module docstring)."""
    text = unicodedata.normalize("NFKC", "" if cell is None else str(cell))
    return "".join(text.split()).lstrip("*※").rstrip(":")


def field_of(cell: object) -> str | None:
    """The field a header names, or None."""
    key = header_key(cell)
    if not key:
        return None
    return _ALL_HEADERS.get(key) or _ALL_HEADERS.get(_BRACKETED.sub("", key))


def preference(field: str, cell: object) -> int:
    """The rank of a header among its field's headers (0 is preferred)."""
    key = header_key(cell)
    headers = HEADERS[field]
    return headers.index(key) if key in headers else headers.index(_BRACKETED.sub("", key))


# -- values ---------------------------------------------------------------------------------------

GRADES = {
    "red": ("红", "红色", "红色等级", "高", "高风险", "red"),
    "yellow": ("黄", "黄色", "黄色等级", "中", "中风险", "yellow"),
    "blue": ("蓝", "蓝色", "蓝色等级", "低", "低风险", "blue"),
}
"""Grade → what offices write (a cell starting with 红/黄/蓝 is that colour, ``红（高风险）``)."""

SOURCES = {
    "visit": ("走访", "排查", "走访排查", "日常走访", "入户走访", "摸排"),
    "informant": ("信息员", "治安信息员", "信息员报告", "网格员报告", "网格员", "群众举报"),
    "incident-analysis": ("警情研判", "异常警情", "异常警情研判", "110警情", "警情"),
    "court-notice": ("法院", "警法联调", "法院通知", "诉前调解", "法庭"),
    "walk-in": ("来访", "群众来访", "上门反映", "来所反映", "来电"),
}
"""Source code → words offices use besides the policy's labels (only codes the policy has are
used)."""

CATEGORIES = {
    "marriage-family": ("婚姻家庭", "婚恋", "家庭", "婚姻", "恋爱"),
    "support-inheritance": ("赡养", "继承", "抚养"),
    "neighbour": ("邻里", "相邻关系", "相邻"),
    "land-homestead": ("土地", "宅基地", "山林土地", "土地承包", "地界"),
    "debt-loan": ("债务", "借贷", "民间借贷", "欠款"),
    "labour-wages": ("劳资", "欠薪", "劳动争议", "讨薪"),
    "personal-injury": ("人身损害", "人身伤害", "伤害赔偿"),
    "property-damage": ("财产损害", "财产损失"),
    "trade-business": ("经营", "行业", "经济"),
    "group-sensitive": ("征地拆迁", "拆迁", "征地", "医患", "医疗", "涉校", "涉法涉诉", "群体性"),
}
"""Category code → words offices use besides the policy's labels, compared without a trailing
纠纷/矛盾/类 (only codes the policy has are used)."""

NOT_RESOLVED = (
    "未化解",
    "未解决",
    "未调处",
    "未达成",
    "未成功",
    "化解中",
    "调处中",
    "调解中",
    "稳控中",
    "跟进中",
    "办理中",
    "正在化解",
    "正在调处",
    "正在调解",
    "待化解",
    "待调处",
    "失败",
    "不成",
)
RESOLVED = (
    "化解",
    "调处成功",
    "调解成功",
    "解决",
    "达成",
    "协议",
    "办结",
    "结案",
    "销号",
    "销案",
    "成功",
    "已调处",
    "已调解",
    "息诉",
)
CLOSED = ("销号", "销案")
YES = ("是", "已", "yes", "y")
NO = ("否", "no", "n")


@dataclass(frozen=True)
class Status:
    """What a 化解情况 cell says: resolved or not, and whether it claims a closure (销号)."""

    resolved: bool
    closed: bool = False


def status_of(text: str) -> Status | None:
    """Read a 化解情况 cell (``已化解``, ``化解中``, ``是``/``否`` …); None when it says neither."""
    lowered = text.lower()
    if (
        not lowered
        or lowered in NO
        or lowered.startswith("未")
        or any(word in lowered for word in NOT_RESOLVED)
    ):
        return Status(resolved=False)
    if lowered in YES or any(word in lowered for word in RESOLVED):
        return Status(resolved=True, closed=any(word in lowered for word in CLOSED))
    return None


def form_of(text: str) -> str:
    """The agreement form a cell names: 司法确认 → judicial-confirmation; 书面, 协议书, 调解书,
    签订, 签字 → written; anything else oral."""
    if "司法确认" in text:
        return "judicial-confirmation"
    if any(word in text for word in ("书面", "协议书", "调解书", "签订", "签字", "written")):
        return "written"
    return "oral"


def colour_of(text: str) -> str | None:
    lowered = text.lower()
    for colour, words in GRADES.items():
        if lowered in words or (text and text[0] == words[0]):
            return colour
    return None


PARTY_SEPARATORS = ("、", ",", ";", "/", "与", "和", "及", "\n", " ")
PARTY_ROLES = (("被申请人", "respondent"), ("申请人", "applicant"), ("关系人", "related"))


def parties_of(text: str) -> list[dict[str, str]]:
    """当事人 as parties: names split at 、，；/ 与 和 及 and spaces; a name followed by
    (申请人), (被申请人) or (关系人) has that role, any other ``related``."""
    normal = plain(text)
    for separator in PARTY_SEPARATORS:
        normal = normal.replace(separator, "\x00")
    parties: list[dict[str, str]] = []
    for token in normal.split("\x00"):
        name, role = token.strip(), "related"
        for word, code in PARTY_ROLES:
            if name.rstrip(")]】").endswith(word):
                name, role = name.rstrip(")]】").removesuffix(word), code
                break
        name = name.rstrip(":(【[ ").strip()
        if name and not any(p["name"] == name for p in parties):
            parties.append({"name": name, "role": role})
    return parties
