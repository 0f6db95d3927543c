"""The Chinese an officer reads in a refusal: field names as the officer knows them and the
reasons of invalid input in words (issue 12 §5).

Only the standard library here (the errors import it): the field names are shared with the
CLI's tables (``disputes.domain.vocabulary.FIELD``), and :func:`reason_zh` turns the English
reasons that the commands, the roster and the policy give into Chinese. A reason it does not
know is kept as it is, so nothing is ever lost in translation.
"""

from __future__ import annotations

import re
from collections.abc import Callable

FIELD: dict[str, str] = {
    "case_no": "案件编号",
    "case": "案件编号",
    "at": "发生时间",
    "occurred_at": "发生时间",
    "actor": "办理人",
    "command_id": "指令编号",
    "command": "指令",
    "line": "指令行",
    "roster": "花名册",
    "args": "参数",
    "id": "指令编号",
    "category": "类别",
    "source": "来源",
    "district": "辖区",
    "station": "派出所",
    "from_station": "原派出所",
    "village": "村",
    "summary": "简要情况",
    "parties": "当事人",
    "name": "姓名",
    "role": "身份",
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
    "purpose": "查阅事由",
    "value": "内容",
    "key": "字段名",
}
"""Every input and recorded field by its Chinese name (``observe_days`` → 观察天数)."""


def field_zh(field: str) -> str:
    """``parties.0.role`` → ``当事人第1项的身份``; an unknown name stays as it is."""
    parts = field.split(".")
    # ASCII digits only: "³²".isdigit() is true, and int() refuses it.
    if not all(re.fullmatch(r"[0-9]+|[a-z_]+", part) for part in parts):
        return field  # an option (--out), a file name, a header: as it was given
    words: list[str] = []
    for part in parts:
        if part.isascii() and part.isdigit():
            words.append(f"第{int(part) + 1}项")
        else:
            words.append(("的" if words else "") + FIELD.get(part, part))
    return "".join(words) or field


_Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]


def _rule(pattern: str, zh: str | Callable[[re.Match[str]], str]) -> _Rule:
    """A reason's pattern and its Chinese: fixed text, or made from the match."""
    if isinstance(zh, str):
        return re.compile(pattern, re.DOTALL), lambda _, text=zh: text
    return re.compile(pattern, re.DOTALL), zh


def _listed(text: str) -> str:
    return "、".join(part.strip() for part in re.split(r",\s*| or ", text) if part.strip())


REASONS: tuple[_Rule, ...] = (
    _rule(r"^must not be empty$", "不能为空"),
    _rule(r"^unknown field$", "没有这一项，请删去"),
    _rule(r"^Field required$", "必须填写"),
    _rule(
        r"^'(?P<v>.*)' is not an ISO 8601 time.*$",
        lambda m: f"“{m['v']}”不是有效的时间，请写成 2021-10-06 21:40 这样",
    ),
    _rule(
        r"^'(?P<v>.*)' lies outside the years (?P<a>\d+)–(?P<b>\d+).*$",
        lambda m: f"“{m['v']}”超出了 {m['a']}–{m['b']} 年的范围",
    ),
    _rule(r"^a time needs an offset$", "时间须带时区（如 +08:00）"),
    _rule(
        r"^lies before (?P<d>[\d-]+); .*$",
        lambda m: f"早于 {m['d']}，没有这么早的记录；请核对年份",
    ),
    _rule(
        r"^(?P<t>\S+) lies in the future \(now (?P<n>\S+)\)$",
        lambda m: f"{_minute(m['t'])} 晚于现在（{_minute(m['n'])}）；发生时间不能在将来",
    ),
    _rule(
        r"^at most (?P<n>\d+) characters \(got (?P<g>\d+)\)$",
        lambda m: f"最多 {m['n']} 个字（现有 {m['g']} 个），请精简",
    ),
    _rule(r"^at most (?P<n>\d+) \(policy limit\)$", lambda m: f"最多 {m['n']}（政策上限）"),
    _rule(r"^at most (?P<n>\d+) entries$", lambda m: f"最多 {m['n']} 项"),
    _rule(
        r"^a name has at most (?P<n>\d+) characters$",
        lambda m: f"姓名最多 {m['n']} 个字",
    ),
    _rule(
        r"^a (?P<k>[\w-]+) has a police case number; give it$",
        lambda m: f"{_outcome(m['k'])}须填写警情编号",
    ),
    _rule(
        r"^'(?P<v>.*)' is not in the policy; known: (?P<k>.*)$",
        lambda m: f"“{m['v']}”不在政策规定之列；可选：{_listed(m['k'])}",
    ),
    _rule(
        r"^(?P<v>\d+) is under the policy minimum of (?P<n>\d+) days$",
        lambda m: f"{m['v']} 天少于政策规定的最少 {m['n']} 天；请至少观察 {m['n']} 天",
    ),
    _rule(r"^(?P<p>\S+) is not on the roster$", lambda m: f"{m['p']} 不在花名册上；请核对人员编号"),
    _rule(
        r"^(?P<c>\S+) is not a (?P<k>[\w-]+) unit on the roster$",
        lambda m: f"{m['c']} 不是花名册上的{_unit(m['k'])}；请核对单位代码",
    ),
    _rule(
        r"^(?P<p>\S+) is (?P<r>an? [\w ]+|finance staff), not (?P<w>.+)$",
        lambda m: (
            f"{m['p']} 是{_role(m['r'])}，不是{'或'.join(_role(w) for w in m['w'].split(' or '))}"
        ),
    ),
    _rule(
        r"^'(?P<v>.*)' is not a purpose of the policy$",
        lambda m: f"“{m['v']}”不是政策规定的查阅事由",
    ),
    _rule(r"^'(?P<v>.*)' is not in the policy$", lambda m: f"“{m['v']}”不在政策规定之列"),
    _rule(
        r"^who is acting\? .*$",
        "谁在办理？请用 --as 人员编号 指明，或设置 DISPUTES_ACTOR",
    ),
    _rule(
        r"^(?P<p>.+) already exists; nothing was written.*$",
        lambda m: f"{m['p']} 已存在，未写入任何内容；请换一个尚不存在的文件名",
    ),
    _rule(
        r"^cannot create (?P<p>.+?): the folder (?P<f>.+) does not exist.*$",
        lambda m: f"无法创建 {m['p']}：文件夹 {m['f']} 不存在；请先建好文件夹或另选位置",
    ),
    _rule(r"^cannot create (?P<p>.+?): (?P<w>.+)$", lambda m: f"无法创建 {m['p']}（{m['w']}）"),
    _rule(r"^cannot read: (?P<w>.+)$", lambda m: f"无法读取（{m['w']}）"),
    _rule(
        r"^(?P<p>\S+) is a grid worker, not a police officer$",
        lambda m: f"{m['p']} 是网格员，不是民警",
    ),
    _rule(r"^(?P<p>\S+) is not a leader on the roster$", lambda m: f"{m['p']} 不是花名册上的领导"),
    _rule(
        r"^no roster loaded; run (?P<c>.+)$",
        lambda m: f"尚未载入花名册；请先运行 {m['c']}",
    ),
    _rule(r"^not valid JSON.*$", "不是有效的 JSON"),
    _rule(r"^a journal line is a JSON object$", "每行须是一个 JSON 对象"),
    _rule(r"^unknown key in a journal line$", "指令行中没有这一项"),
    _rule(r"^missing or not a non-empty string$", "缺少，或不是非空的文字"),
    _rule(r"^must be an object$", "须是 JSON 对象"),
    _rule(r"^given twice in one object$", "同一对象中重复出现"),
    _rule(r"^not an arg; it belongs on the line itself$", "不属于 args，应写在指令行本身"),
    _rule(
        r"^missing: every command but report names a case$", "缺少：除登记外每条指令都须指明案件"
    ),
    _rule(
        r"^alias '(?P<a>.*)' is not bound.*$",
        lambda m: f"别名“{m['a']}”未对应任何案件：其登记行失败，或在文件中更靠后",
    ),
    _rule(r"^unknown verb '(?P<v>.*)'; known: (?P<k>.*)$", lambda m: f"没有“{m['v']}”这一指令"),
    _rule(
        r"^Input should be (?P<opts>(?:'[^']*'(?:, | or )?)+)$",
        lambda m: "只能是 " + "、".join(_option(o) for o in re.findall(r"'([^']*)'", m["opts"])),
    ),
    _rule(
        r"^Input should be greater than or equal to (?P<n>-?\d+)$",
        lambda m: f"不能小于 {m['n']}",
    ),
    _rule(r"^Input should be less than or equal to (?P<n>-?\d+)$", lambda m: f"不能大于 {m['n']}"),
    _rule(r"^Input should be a valid integer.*$", "应为整数"),
    _rule(r"^Input should be a valid string.*$", "应为文字"),
    _rule(r"^Input should be a valid list.*$", "应为列表（可重复填写）"),
    _rule(r"^Input should be a valid datetime.*$", "应为时间，如 2021-10-06 21:40"),
    _rule(
        r"^String should match pattern .*$",
        lambda _: "格式不对，案件编号应如 HY-2021-0001",
    ),
    _rule(
        r"^String should have at most (?P<n>\d+) characters?$",
        lambda m: f"最多 {m['n']} 个字符",
    ),
    _rule(
        r"^String should have at least (?P<n>\d+) characters?$",
        lambda m: "不能为空" if m["n"] == "1" else f"至少 {m['n']} 个字符",
    ),
    _rule(
        r"^not valid UTF-8 \(byte (?P<b>\S+) at character (?P<i>\d+)\)$",
        lambda m: f"不是有效的 UTF-8 文字（第 {m['i']} 个字符为字节 {m['b']}）",
    ),
    _rule(
        r"^not valid Unicode text \(a lone surrogate at character (?P<i>\d+)\)$",
        lambda m: f"不是有效的文字（第 {m['i']} 个字符）",
    ),
    _rule(
        r"^(?P<a>a key )?contains an invisible direction/format control (?P<u>\S+)$",
        lambda m: f"{'字段名' if m['a'] else ''}含有不可见的方向控制字符 {m['u']}，请删去",
    ),
    _rule(
        r"^(?P<a>a key )?contains a line break (?P<u>\S+).*$",
        lambda m: f"{'字段名' if m['a'] else ''}含有换行符 {m['u']}（名称、代码只能一行）",
    ),
    _rule(
        r"^(?P<a>a key )?contains (?:an escape sequence \(ESC\)|a control character) (?P<u>\S+)$",
        lambda m: f"{'字段名' if m['a'] else ''}含有控制字符 {m['u']}，请删去",
    ),
)


def translated(reason: str) -> bool:
    """Whether :func:`reason_zh` knows ``reason``."""
    text = reason.removeprefix("Value error, ")
    return any(pattern.match(text) for pattern, _ in REASONS)


def reason_zh(reason: str) -> str:
    """The Chinese of an English reason of invalid input; unknown reasons stay as they are."""
    text = reason.removeprefix("Value error, ")
    for pattern, zh in REASONS:
        match = pattern.match(text)
        if match:
            return zh(match)
    return text


def _minute(iso: str) -> str:
    """``2021-10-06T21:40:00+08:00`` → ``2021-10-06 21:40`` (Asia/Shanghai, to the minute)."""
    from datetime import datetime

    from disputes.domain.clock import local_text

    try:
        return local_text(datetime.fromisoformat(iso))
    except ValueError:
        return iso


UNIT_ZH = {"village": "村", "station": "派出所", "partner": "协作单位", "district": "区局"}
ROLE_EN_ZH = {
    "a leader": "领导",
    "a community police officer": "社区民警",
    "an auxiliary officer": "专职辅警",
    "a grid worker": "网格员",
    "an auditor": "审计员",
    "a system administrator": "系统管理员",
    "a security administrator": "安全管理员",
    "an audit administrator": "审计管理员",
    "finance staff": "财务人员",
}


def _outcome(kind: str) -> str:
    from disputes.domain.vocabulary import OUTCOME

    return OUTCOME.get(kind, (kind, kind))[0]


def _unit(kind: str) -> str:
    return UNIT_ZH.get(kind, kind)


def _role(text: str) -> str:
    return ROLE_EN_ZH.get(text.strip(), text)


def _roles(text: str) -> str:
    return "或".join(_role(wanted) for wanted in text.split(" or "))


def _option(code: str) -> str:
    """A value of a closed set with its Chinese word: ``red`` → ``red（红）``."""
    from disputes.domain import vocabulary

    for table in (vocabulary.GRADE, vocabulary.STATUS, vocabulary.OUTCOME, vocabulary.SUPERVISION):
        if code in table:
            return f"{code}（{table[code][0]}）"
    return code
