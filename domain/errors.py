"""Domain errors. Each names the broken rule or the bad input.

Four families, which the CLI maps to the exit codes of product.md §5 (``disputes.cli.exits``):
:class:`RuleViolation` (a rule refused the command), :class:`InvalidInput` and friends (the input
is malformed), :class:`NotFound`, and :class:`ConcurrentModification` (safe to retry).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from disputes.domain.clock import local_text
from disputes.domain.messages import field_zh, reason_zh, translated


def word_zh(table: str, code: str | None, none: str = "") -> str:
    """The Chinese word of a status, grade, verb or role code (domain/vocabulary.py); the code
    itself when it has none."""
    if code is None:
        return none
    from disputes.domain import vocabulary

    words: dict[str, tuple[str, str]] = getattr(vocabulary, table)
    return words.get(code, (code, code))[0]


def words_zh(table: str, codes: Sequence[str]) -> str:
    return "或".join(word_zh(table, code) for code in codes)


class DisputesError(Exception):
    """Base class of every error the product reports to a user.

    ``message`` is the English text (``--lang en``, logs, tests of the rule); ``zh`` the text an
    officer reads by default, when the error has one (:meth:`text` falls back to English)."""

    def __init__(self, message: str, zh: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.zh = zh

    def text(self, lang: str) -> str:
        """The message in ``lang`` ("zh" or "en"); English when no Chinese text was given."""
        return self.zh if lang == "zh" and self.zh else self.message


class InvalidInput(DisputesError):
    """A command, option, file or journal line is malformed. ``field`` names the input."""

    def __init__(self, field: str, reason: str, zh: str | None = None) -> None:
        known = zh is not None or translated(reason)
        super().__init__(
            f"{field}: {reason}",
            zh=f"输入有误：{field_zh(field)}：{zh or reason_zh(reason)}" if known else None,
        )
        self.field = field
        self.reason = reason


class InvalidInputs(DisputesError):
    """Several fields are invalid at once; ``errors`` holds (field, reason) pairs."""

    def __init__(self, errors: Sequence[tuple[str, str]]) -> None:
        super().__init__(
            "; ".join(f"{field}: {reason}" for field, reason in errors),
            zh="输入有误："
            + "；".join(f"{field_zh(field)}：{reason_zh(reason)}" for field, reason in errors)
            if any(translated(reason) for _, reason in errors)
            else None,
        )
        self.errors = list(errors)


class NotFound(DisputesError):
    """The addressed case or referral does not exist."""


class CaseNotFound(NotFound):
    def __init__(self, case: str) -> None:
        super().__init__(
            f"case {case} not found",
            zh=f"找不到案件 {case}；请核对案件编号（`disputes ledger` 列出全部案件）",
        )
        self.case = case


class ReferralNotFound(NotFound):
    def __init__(self, case_no: str, referral: int) -> None:
        super().__init__(
            f"case {case_no} has no referral {referral}",
            zh=f"{case_no} 没有第 {referral} 号移交；请核对移交序号（`disputes show {case_no}`）",
        )


class RuleViolation(DisputesError):
    """A command was refused by a rule of the lifecycle. The message names the rule."""


class RoleNotAllowed(RuleViolation):
    """product.md §2 'who may': the actor's role may not issue this verb."""

    def __init__(
        self, actor: str, role: str, verb: str, allowed: Sequence[str], name: str | None = None
    ) -> None:
        who = (
            f"{word_zh('ROLE', role)}{name}（{actor}）"
            if name
            else f"{actor}（{word_zh('ROLE', role)}）"
        )
        super().__init__(
            f"role rule: {actor} ({role}) may not {verb}; allowed roles: {', '.join(allowed)}",
            zh=f"岗位规则：{who}无权办理{word_zh('VERB', verb)}；"
            f"请由{'、'.join(word_zh('ROLE', r) for r in allowed)}办理",
        )


class NotResponsibleLeader(RuleViolation):
    """product.md §2: only the case's responsible leader may downgrade or close it."""

    def __init__(self, case_no: str, actor: str, leader: str | None, verb: str) -> None:
        owner = leader or "nobody (the case is not assigned)"
        super().__init__(
            f"responsible-leader rule: only the case's responsible leader may {verb} "
            f"{case_no}; {actor} is not, the leader is {owner}",
            zh=f"分包领导规则：只有该案的分包领导可以{word_zh('VERB', verb)} {case_no}；"
            + (
                f"{actor} 不是，分包领导是 {leader}，请由其办理"
                if leader
                else f"{actor} 不是，该案尚未分包，请先分包"
            ),
        )


class WrongStatus(RuleViolation):
    """product.md §2 'allowed when': the verb is not allowed in the case's status."""

    def __init__(self, case_no: str, verb: str, status: str, allowed: Sequence[str]) -> None:
        now, _, when = status.partition(" at ")
        then = f"在 {when} 时" if when else "目前"
        super().__init__(
            f"status rule: cannot {verb} {case_no} while it is {status}; "
            f"allowed when {' or '.join(allowed)}",
            zh=f"状态规则：{case_no} {then}为{word_zh('STATUS', now)}，"
            f"不能{word_zh('VERB', verb)}；"
            f"案件须为{words_zh('STATUS', allowed)}",
        )


class WrongGrade(RuleViolation):
    """product.md §2: escalate needs yellow, downgrade red; grade and relapse red or yellow."""

    def __init__(self, case_no: str, verb: str, expected: str, actual: str | None) -> None:
        needs = words_zh("GRADE", expected.split(" or "))
        super().__init__(
            f"grade rule: cannot {verb} {case_no} graded {actual or 'not yet'}; needs {expected}",
            zh=f"等级规则：{case_no} 的等级为{word_zh('GRADE', actual, '未定级')}，"
            f"不能{word_zh('VERB', verb)}；须为{needs}",
        )


class NotAssigned(RuleViolation):
    """product.md §2: deliberation (一案一议) needs a responsible leader and officer first."""

    def __init__(self, case_no: str) -> None:
        super().__init__(
            f"assignment rule: {case_no} has no responsible leader yet; assign first",
            zh=f"分包规则：{case_no} 尚未指定分包领导；请先分包（`disputes assign`）",
        )


class ReferralAlreadyAnswered(RuleViolation):
    """product.md §2: a receipt answers an open referral once."""

    def __init__(self, case_no: str, referral: int) -> None:
        super().__init__(
            f"receipt rule: referral {referral} of {case_no} already has a receipt",
            zh=f"回执规则：{case_no} 的第 {referral} 号移交已有回执，不能重复登记",
        )


class OccurredOutOfOrder(RuleViolation):
    """product.md §2: an occurred time may not lie before the case's report; a decision not
    before the case's latest decision; a receipt not before its referral. ``what`` names the
    earlier event (at ``previous``)."""

    def __init__(
        self, case_no: str, occurred: str, previous: str, what: str, zh_what: str | None = None
    ) -> None:
        super().__init__(
            f"time rule: {occurred} is before {what} ({previous})",
            zh=f"时间规则：发生时间 {occurred} 早于 {zh_what or what}（{previous}）；"
            f"请填写 {previous} 以后的时间",
        )


class BeforeReport(OccurredOutOfOrder):
    """product.md §2: nothing about a case occurs before its report."""


class BeforeLatestDecision(OccurredOutOfOrder):
    """product.md §2: a decision (grade, assign, refer, escalate, downgrade, resolve, relapse,
    close, supervise) may not be placed before the case's latest decision."""


class CommandIdReused(DisputesError):
    """A command id already recorded a different command."""

    def __init__(self, command_id: str, first: str, differences: Sequence[str] = ()) -> None:
        differs = f"; a retry must be the same command, but {', '.join(differences)}"
        zh_differs = f"；重试须是同一指令，但{'、'.join(differences)}不同" if differences else ""
        verb, _, case = first.partition(" on ")
        zh_first = f"{case} 的{word_zh('VERB', verb.strip('`'))}（{verb}）" if case else first
        super().__init__(
            f"command-id: {command_id} was already used for {first}"
            + (differs if differences else "")
            + " — send a new command with a new id",
            zh=f"指令编号规则：{command_id} 已用于 {zh_first}{zh_differs}——请换一个新的指令编号",
        )
        self.differences = list(differences)


class NoOpenSupervision(RuleViolation):
    """Issue 3: an answer (督办反馈) needs an open supervision order to answer."""

    def __init__(self, case_no: str) -> None:
        super().__init__(
            f"supervision rule: {case_no} has no open supervision order (督办) to answer",
            zh=f"督办规则：{case_no} 没有待反馈的督办，无需督办反馈",
        )


class ClosureRefused(RuleViolation):
    """product.md §3 不化解不销案: lists every failing closure condition."""

    def __init__(
        self, case_no: str, failures: Sequence[str], earliest: datetime | None = None
    ) -> None:
        lines = "\n".join(f"  - {failure}" for failure in failures)
        when = (
            f"\n  the case could close at {local_text(earliest)} at the earliest, with a "
            "follow-up at least as often as the policy asks until then"
            if earliest is not None
            else ""
        )
        zh_lines = "\n".join(f"  - {getattr(failure, 'zh', failure)}" for failure in failures)
        zh_when = (
            f"\n  最早可于 {local_text(earliest)} 销号，此前须按政策规定按时回访"
            if earliest is not None
            else ""
        )
        super().__init__(
            f"closure rule (不化解不销案): cannot close {case_no}:\n{lines}{when}",
            zh=f"销号规则（不化解不销案）：{case_no} 不能销号：\n{zh_lines}{zh_when}",
        )
        self.failures = list(failures)
        self.earliest = earliest


class ConcurrentModification(DisputesError):
    """Another writer changed the case at the same time, and retries ran out."""

    def __init__(self, message: str, zh: str | None = None) -> None:
        super().__init__(
            message, zh=zh or "并发冲突：其他人同时修改了该案件，本次未记录任何内容；请重试"
        )


class StoreError(DisputesError):
    """The store cannot be opened or written: bad URL, unreachable, read-only, full."""

    def __init__(self, message: str, zh: str | None = None) -> None:
        super().__init__(message, zh=zh or f"数据库无法使用：{message}")


# -- jurisdiction (issue 11 §1, docs/trust.md §1) ---------------------------------------------


class OutOfScope(RuleViolation):
    """docs/trust.md §1: a person acts on (or reads) a case only inside their scope — district
    roles the whole district, a station's leaders and community officers the cases their
    station owns, an auxiliary officer the cases of their village, a grid worker reports in
    their own village; auditors, administrators and finance act on no case. ``zh`` says what
    would make the command succeed."""

    def __init__(
        self,
        person: str,
        what: str,
        reason: str,
        *,
        zh_what: str,
        zh_fix: str,
        zh_who: str | None = None,
    ) -> None:
        super().__init__(
            f"jurisdiction rule: {person} may not {what}: {reason}",
            zh=f"管辖规则：{zh_who or person}无权{zh_what}；{zh_fix}",
        )
        self.person = person
        self.reason = reason


class PurposeRequired(RuleViolation):
    """docs/trust.md §1: reading a case beyond one's own station (district roles) or as an
    auditor with names shown needs a purpose code from the policy (``[access] purposes``)."""

    def __init__(self, person: str, case_no: str, purposes: Sequence[str] = ()) -> None:
        known = f"; one of: {', '.join(purposes)}" if purposes else ""
        zh_known = f"（{'、'.join(purposes)}）" if purposes else ""
        super().__init__(
            f"purpose rule: {person} reads {case_no} beyond their own station; state a purpose"
            f"{known}",
            zh=f"查阅事由规则：{person} 查阅本所以外的案件 {case_no}，须说明查阅事由{zh_known}",
        )
        self.person = person
        self.case_no = case_no


class SeparationOfDuties(RuleViolation):
    """docs/trust.md §1: duties one person may not hold together on a case."""


class ReporterCannotClose(SeparationOfDuties):
    """The person who reported a case cannot close (销号) it."""

    def __init__(self, case_no: str, actor: str) -> None:
        super().__init__(
            f"separation of duties: {actor} reported {case_no} and may not close it; "
            "another responsible leader closes it",
            zh=f"职责分离规则：{actor} 是 {case_no} 的登记人，不能销号；"
            "须由登记人以外的责任领导销号",
        )


class OwnSupervisionOrder(SeparationOfDuties):
    """A leader cannot answer (督办反馈) a supervision order they gave."""

    def __init__(self, case_no: str, actor: str, orders: Sequence[int]) -> None:
        numbers = ", ".join(str(o) for o in orders)
        super().__init__(
            f"separation of duties: {actor} gave supervision order {numbers} on {case_no} and "
            "may not answer it; the case's officers answer it",
            zh=f"职责分离规则：{actor} 下达了 {case_no} 的第 {numbers} 号督办，不能自己反馈；"
            "须由承办民警反馈",
        )


class AssigneeOutOfStation(SeparationOfDuties):
    """``assign`` names a leader and an officer of the case's station (or of the district)."""

    def __init__(
        self,
        case_no: str,
        field: str,
        person: str,
        station: str,
        person_name: str | None = None,
        station_name: str | None = None,
    ) -> None:
        zh_field = {"leader": "分包领导", "officer": "责任人"}.get(field, field)
        super().__init__(
            f"assignment rule: the {field} of {case_no} must belong to its station {station} "
            f"or to the district; {person} does not",
            zh=f"分包规则：{case_no} 的{zh_field}须是{station_name or station}或区局的人员，"
            f"{person_name or person}不是；请指定{station_name or station}的人员",
        )
        self.field = field


class SameStation(RuleViolation):
    """``transfer`` hands a case to another station than the one that owns it."""

    def __init__(self, case_no: str, station: str) -> None:
        super().__init__(
            f"transfer rule: {case_no} already belongs to station {station}; transfer it to "
            "another station, or assign within the station",
            zh=f"移交规则：{case_no} 已属{station}；请移交给其他派出所，或在本所内重新分包",
        )


# -- accounts and sign-in (issue 11, docs/trust.md §2) ------------------------------------------


class NotSystemAdmin(RuleViolation):
    """docs/trust.md §2: accounts are administered by a system administrator (system-admin)."""

    def __init__(self, actor: str, role: str | None) -> None:
        who = f"{actor} ({role})" if role else f"{actor} (not on the roster)"
        super().__init__(
            f"account rule: {who} may not administer accounts; only a system administrator "
            "(role system-admin) may — ask one to do it, acting as themselves (--as)",
            zh=f"账号规则：{who}无权管理账号；只有系统管理员（system-admin）可以，"
            "请系统管理员以本人身份（--as）办理",
        )


class AccountExists(RuleViolation):
    """An account is created once per roster person."""

    def __init__(self, person: str) -> None:
        super().__init__(
            f"account rule: {person} already has an account; for a new password run "
            f"`disputes accounts reset {person}`",
            zh=f"账号规则：{person} 已有账号；如需新密码，请运行 "
            f"`disputes accounts reset {person}`",
        )


class AccountNotFound(NotFound):
    """The person has no account yet."""

    def __init__(self, person: str) -> None:
        super().__init__(
            f"{person} has no account; create one with `disputes accounts create {person}`",
            zh=f"{person} 没有账号；请用 `disputes accounts create {person}` 开设",
        )


class AccountAlreadyLocked(RuleViolation):
    """A lock names a reason the account is not already locked for."""

    def __init__(self, person: str, reason: str) -> None:
        super().__init__(
            f"account rule: the account of {person} is already locked ({reason}); to let them "
            f"sign in again run `disputes accounts unlock {person}`",
            zh=f"账号规则：{person} 的账号已锁定（{reason}）；如需恢复登录，请运行 "
            f"`disputes accounts unlock {person}`",
        )


class AccountNotLocked(RuleViolation):
    """Only a locked account can be unlocked."""

    def __init__(self, person: str) -> None:
        super().__init__(
            f"account rule: the account of {person} is not locked; nothing to unlock "
            f"(`disputes accounts list` shows each account's status)",
            zh=f"账号规则：{person} 的账号未锁定，无需解锁"
            "（`disputes accounts list` 可查看账号状态）",
        )


class AccountPersonGone(RuleViolation):
    """An account of a person no longer on the roster in force (departed) is not unlocked or
    reset: the departure locked it, and a lock lifted would let them act again."""

    def __init__(self, person: str, verb: str, departed_at: str | None) -> None:
        when = f" (departed {departed_at})" if departed_at else ""
        when_zh = f"（{departed_at} 离职）" if departed_at else ""
        super().__init__(
            f"account rule: {person} is no longer on the roster{when}; their account cannot be "
            f"{verb} — add them to the roster again (`disputes roster add`) first if they return",
            zh=f"账号规则：{person} 已不在花名册上{when_zh}，其账号不能"
            f"{'解锁' if verb == 'unlocked' else '重置'}；如其返岗，请先将其重新加入花名册"
            "（`disputes roster add`）",
        )


class Unauthorized(DisputesError):
    """Sign-in refused, or a request without a valid session (the server answers 401)."""


class SignInRefused(Unauthorized):
    """A failed sign-in. It never says whether the person, the password or the code was wrong,
    nor whether the account exists or is locked: one text for every cause."""

    def __init__(self, max_attempts: int) -> None:
        super().__init__(
            "sign-in failed: the person, the password or the code is wrong, or the account is "
            f"locked; check them and try again (a new code every 30 seconds). After "
            f"{max_attempts} failed attempts in a row an account is locked until a system "
            "administrator unlocks it",
            zh="登录失败：人员编号、密码或动态验证码有误，或账号已锁定；请核对后重试（验证码每30秒更新）。"
            f"连续失败{max_attempts}次账号将被锁定，须由系统管理员解锁",
        )


class SessionInvalid(Unauthorized):
    """A session token that is missing, unknown (forged), expired or revoked, or whose person
    may no longer sign in (locked, departed)."""

    def __init__(self, why: str, zh: str) -> None:
        super().__init__(
            f"not signed in: {why}; sign in again (`disputes login`)",
            zh=f"未登录：{zh}；请重新登录（`disputes login`）",
        )
