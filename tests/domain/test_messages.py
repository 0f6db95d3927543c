"""Every error an officer can meet speaks Chinese (``text("zh")``, the CLI's default) and keeps
its English (``message``, ``--lang en``): issue 12 §5. A new error class without a case here
fails :func:`test_every_error_class_is_covered`."""

from __future__ import annotations

import inspect
import re
from datetime import UTC, datetime

import pytest

from disputes.domain import errors as e
from disputes.domain.closure import Failure
from disputes.domain.commands import build_command
from disputes.domain.messages import field_zh, reason_zh
from disputes.gate.gate import NotTheSignedInPerson

CJK = re.compile(r"[\u4e00-\u9fff]")
EARLIEST = datetime(2022, 1, 29, 13, 40, tzinfo=UTC)  # 21:40 in Asia/Shanghai

CASES: list[tuple[e.DisputesError, str, str]] = [
    # (error, the start of its English, a phrase of its Chinese)
    (
        e.InvalidInput("observe_days", "must not be empty"),
        "observe_days: must not",
        "观察天数：不能为空",
    ),
    (e.InvalidInputs([("at", "a time needs an offset")]), "at: a time", "发生时间：时间须带时区"),
    (e.DisputesError("plain", zh="中文"), "plain", "中文"),
    (e.NotFound("no such thing"), "no such thing", ""),
    (e.CaseNotFound("HY-2021-0009"), "case HY-2021-0009 not found", "找不到案件 HY-2021-0009"),
    (
        e.ReferralNotFound("HY-2021-0001", 2),
        "case HY-2021-0001 has no referral 2",
        "没有第 2 号移交",
    ),
    (e.RuleViolation("some rule"), "some rule", ""),
    (
        e.RoleNotAllowed("G-1", "grid-worker", "grade", ["leader"], "郭翠花"),
        "role rule: G-1 (grid-worker) may not grade",
        "网格员郭翠花（G-1）无权办理研判定级；请由领导办理",
    ),
    (
        e.NotResponsibleLeader("HY-2021-0001", "L-2", "L-1", "downgrade"),
        "responsible-leader rule",
        "只有该案的分包领导可以降级 HY-2021-0001；L-2 不是，分包领导是 L-1",
    ),
    (
        e.NotResponsibleLeader("HY-2021-0001", "L-2", None, "close"),
        "responsible-leader rule",
        "该案尚未分包，请先分包",
    ),
    (
        e.WrongStatus("HY-2021-0001", "follow-up", "open", ["observing"]),
        "status rule: cannot follow-up HY-2021-0001 while it is open",
        "HY-2021-0001 目前为在办，不能回访；案件须为观察中",
    ),
    (
        e.WrongGrade("HY-2021-0001", "escalate", "yellow", "red"),
        "grade rule: cannot escalate HY-2021-0001 graded red; needs yellow",
        "等级为红，不能升级；须为黄",
    ),
    (e.NotAssigned("HY-2021-0001"), "assignment rule", "尚未指定分包领导；请先分包"),
    (e.ReferralAlreadyAnswered("HY-2021-0001", 1), "receipt rule", "第 1 号移交已有回执"),
    (
        e.OccurredOutOfOrder("HY-1", "2021-10-06 21:00", "2021-10-06 21:40", "x", "移交"),
        "time rule: 2021-10-06 21:00 is before x",
        "请填写 2021-10-06 21:40 以后的时间",
    ),
    (
        e.BeforeReport("HY-1", "2021-10-06 21:00", "2021-10-06 21:40", "the report", "登记"),
        "time rule",
        "早于 登记",
    ),
    (
        e.BeforeLatestDecision("HY-1", "2021-10-06 21:00", "2021-10-06 21:40", "it", "决定"),
        "time rule",
        "早于 决定",
    ),
    (
        e.CommandIdReused("c-1", "`grade` on HY-1", ["grade (red → yellow)"]),
        "command-id: c-1 was already used",
        "请换一个新的指令编号",
    ),
    (e.NoOpenSupervision("HY-1"), "supervision rule", "没有待反馈的督办"),
    (
        e.ClosureRefused(
            "HY-1",
            [Failure("3. no follow-up for 31.0 days", "3. 还需回访：最近一次回访已超过 30 天")],
            EARLIEST,
        ),
        "closure rule (不化解不销案): cannot close HY-1",
        "还需回访：最近一次回访已超过 30 天\n  最早可于 2022-01-29 21:40 销号",
    ),
    (e.ConcurrentModification("retry the command"), "retry the command", "请重试"),
    (e.StoreError("no such store: x.db"), "no such store", "数据库无法使用：no such store"),
    (
        e.OutOfScope("P-1", "act", "why", zh_what="办理", zh_fix="请…"),
        "jurisdiction rule",
        "管辖规则",
    ),
    (e.PurposeRequired("L-HY-1", "HY-1", ["audit"]), "purpose rule", "须说明查阅事由"),
    (e.SeparationOfDuties("who does what"), "who does what", ""),
    (e.ReporterCannotClose("HY-1", "L-1"), "separation of duties", "不能销号"),
    (e.OwnSupervisionOrder("HY-1", "L-1", [1]), "separation of duties", "不能自己反馈"),
    (e.AssigneeOutOfStation("HY-1", "leader", "L-2", "WD"), "assignment rule", "分包领导须是"),
    (e.SameStation("HY-1", "王店派出所"), "transfer rule", "已属王店派出所"),
    (e.NotSystemAdmin("L-1", "leader"), "account rule", "无权管理账号"),
    (e.AccountExists("L-1"), "account rule", "已有账号"),
    (e.AccountNotFound("L-1"), "L-1 has no account", "没有账号"),
    (e.AccountAlreadyLocked("L-1", "left"), "account rule", "已锁定"),
    (e.AccountNotLocked("L-1"), "account rule", "无需解锁"),
    (
        e.AccountPersonGone("L-1", "unlocked", "2024-03-01T09:00:00+08:00"),
        "account rule: L-1 is no longer",
        "离职",
    ),
    (e.AccountPersonGone("L-1", "reset", None), "account rule", "不能重置"),
    (e.Unauthorized("not signed in"), "not signed in", ""),
    (e.SignInRefused(5), "sign-in failed", "登录失败"),
    (e.SessionInvalid("expired", "已过期"), "not signed in: expired", "未登录：已过期"),
    (NotTheSignedInPerson("L-1", "L-2"), "identity rule", "只能以本人名义办理"),
]
"""Base classes raised with a bare English message (``RuleViolation("…")`` in the auditor's
tools) have no Chinese of their own: their phrase is empty and they fall back to English."""

BARE = (e.NotFound, e.RuleViolation, e.SeparationOfDuties, e.Unauthorized)


@pytest.mark.parametrize(("error", "en", "zh"), CASES, ids=lambda v: type(v).__name__)
def test_each_error_renders_chinese_and_english(error: e.DisputesError, en: str, zh: str) -> None:
    assert error.text("en") == error.message
    assert error.message.startswith(en), error.message
    if type(error) in BARE:
        assert error.text("zh") == error.message  # no Chinese given: English, not nothing
        return
    assert zh in error.text("zh"), error.text("zh")
    assert CJK.search(error.text("zh")), error.text("zh")


def test_every_error_class_is_covered() -> None:
    classes = {
        cls
        for _, cls in inspect.getmembers(e, inspect.isclass)
        if issubclass(cls, e.DisputesError) and cls.__module__ == e.__name__
    }
    assert classes <= {type(error) for error, _, _ in CASES}


def test_validation_errors_name_fields_as_officers_know_them_and_say_why_in_words() -> None:
    with pytest.raises(e.InvalidInputs) as caught:
        build_command(
            "report",
            {
                "actor": "G-1",
                "at": "2021-13-01",
                "category": "neighbour",
                "source": "visit",
                "village": "WD-V01",
                "summary": "",
                "parties": [{"name": "梁某", "role": "boss"}],
            },
        )
    zh = caught.value.text("zh")
    assert zh.startswith("输入有误：")
    assert "发生时间：“2021-13-01”不是有效的时间" in zh
    assert "简要情况：不能为空" in zh
    assert "当事人第1项的身份：只能是 applicant、respondent、related" in zh
    for jargon in ("pattern", "Input should", "Value error", "Field required"):
        assert jargon not in zh
    assert "at: '2021-13-01' is not an ISO 8601 time" in caught.value.message  # English kept


def test_a_bad_case_number_is_explained_not_shown_as_a_pattern() -> None:
    with pytest.raises(e.InvalidInputs) as caught:
        build_command("visit", {"actor": "P-1", "case": "HY-21-1"})
    assert caught.value.text("zh") == "输入有误：案件编号：格式不对，案件编号应如 HY-2021-0001"


def test_a_grade_out_of_its_set_lists_the_choices_with_their_words() -> None:
    with pytest.raises(e.InvalidInputs) as caught:
        build_command("grade", {"actor": "P-1", "case": "HY-2021-0001", "grade": "blue"})
    assert "等级：只能是 red（红）、yellow（黄）" in caught.value.text("zh")


def test_times_in_messages_are_asia_shanghai_to_the_minute() -> None:
    reason = "2021-10-06T14:00:00+00:00 lies in the future (now 2021-10-06T21:40:00+08:00)"
    assert reason_zh(reason) == "2021-10-06 22:00 晚于现在（2021-10-06 21:40）；发生时间不能在将来"


def test_unknown_reasons_and_fields_are_kept_as_they_are() -> None:
    assert reason_zh("something new") == "something new"
    assert field_zh("args.mystery") == "参数的mystery"
    assert field_zh("cut.json") == "cut的json"  # a file name looks like a path of fields…
    assert field_zh("exports/cut.json") == "exports/cut.json"
    assert field_zh("with_units.1") == "联调单位第2项"


def test_a_field_path_with_digits_that_are_not_ascii_is_named_as_given() -> None:
    # "³²".isdigit() is true and int("³²") fails: a fuzzed key once made the server answer 500.
    assert field_zh("id.³².0") == "id.³².0"
    assert field_zh("parties.٣") == "parties.٣"  # Arabic-Indic three: not one of our indexes
