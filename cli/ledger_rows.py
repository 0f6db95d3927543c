"""One 台账 row → the journal lines that record it (``import-ledger``; see
:mod:`disputes.cli.ledger_import` for the whole sheet): ``report``, ``grade``, ``assign``,
``resolve``, and a ``follow-up`` or ``visit`` per date of its 回访 cell, each checked as
``apply`` will check its shape; or a :class:`RowProblem` saying why the row cannot be mapped.

(Over 400 lines: each command a row becomes is decided here, with the message of every way a
row can fail beside the rule it breaks, so one file tells an office what its 台账 becomes.)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from disputes.cli.ledger_columns import (
    CATEGORIES,
    FIELD_NAMES,
    SOURCES,
    colour_of,
    form_of,
    parties_of,
    status_of,
)
from disputes.cli.ledger_people import Matcher, Problem, RowProblem
from disputes.cli.sheets import (
    Cell,
    CellProblem,
    Sheet,
    cell_count,
    cell_time,
    plain,
    text_of,
    times_in,
)
from disputes.domain.clock import EARLIEST, local_iso, local_text
from disputes.domain.commands import build_command
from disputes.domain.errors import InvalidInputs
from disputes.domain.policy import Policy
from disputes.domain.roster import POLICE_ROLES, Person, Role, Roster


@dataclass(frozen=True)
class Header:
    row: int
    columns: dict[str, int]
    """Field → the column it is read from."""
    names: dict[str, str]
    """Field → the header as the sheet writes it."""
    ignored: list[str]
    """Headers read as no field (or as a field another column already gives)."""


@dataclass
class Mapped:
    """One row's commands: journal lines for ``case`` (the alias its ``report`` binds)."""

    row: int
    case: str
    reported_at: datetime
    lines: list[dict[str, Any]]


@dataclass(frozen=True)
class Context:
    """What a row is mapped against."""

    roster: Roster
    policy: Policy
    now: datetime
    actor: str | None = None
    """``--as``: the reporter of rows without a 登记人."""
    source: str = "visit"
    """``--source``: the channel of rows without a 来源."""


@dataclass
class Row:
    """One row being mapped: its cells, the people it names, and its warnings (en, zh)."""

    number: int
    cells: tuple[Cell, ...]
    people: dict[str, Person | None] = field(default_factory=dict)
    warnings: list[tuple[str, str]] = field(default_factory=list)


class RowMapper:
    """Maps one row at a time (see the module docstring)."""

    def __init__(self, context: Context, header: Header, sheet: Sheet) -> None:
        self.context = context
        self.header = header
        self.epoch = sheet.epoch
        self.match = Matcher(context.roster, context.policy)

    def cell(self, cells: tuple[Cell, ...], name: str) -> Cell:
        index = self.header.columns.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    def column(self, name: str) -> tuple[str, str]:
        """How a message names a field: the sheet's header (zh), the field (en)."""
        return self.header.names.get(name, FIELD_NAMES[name][0]), FIELD_NAMES[name][1]

    def time(self, cells: tuple[Cell, ...], name: str) -> datetime | None:
        value = self.cell(cells, name)
        if not plain(value):
            return None
        zh, en = self.column(name)
        try:
            moment = cell_time(value, self.epoch)
        except CellProblem as problem:
            raise RowProblem(f"{en}: {problem.en}", f"{zh}：{problem.zh}") from None
        self.check_time(moment, zh, en)
        return moment

    def check_time(self, moment: datetime, zh: str, en: str) -> None:
        if moment < EARLIEST:
            raise RowProblem(
                f"{en}: {local_text(moment)} lies before {EARLIEST.date()}",
                f"{zh}：{local_text(moment)} 早于 {EARLIEST.date()}",
            )
        skew = timedelta(minutes=self.context.policy.time.clock_skew_minutes)
        if moment > self.context.now + skew:
            raise RowProblem(
                f"{en}: {local_text(moment)} lies in the future",
                f"{zh}：{local_text(moment)} 是将来的时间",
            )

    def map(self, number: int, cells: tuple[Cell, ...]) -> tuple[Mapped, str, list[Problem]]:
        """The row's commands, its identity and its warnings. Raises :class:`RowProblem`."""
        row = Row(number, cells)
        lines, key, reported_at = self._report(row)
        status_text = plain(self.cell(cells, "status"))
        status = status_of(status_text)
        if status is None:
            zh, en = self.column("status")
            raise RowProblem(
                f"{en}: cannot tell whether '{status_text}' means resolved (已化解) or not",
                f"{zh}：“{status_text}”看不出是否已化解（可写 已化解、化解中、未化解 等）",
            )
        grade = self._grade(plain(self.cell(cells, "grade")), status.resolved, row.warnings)
        if grade is not None:
            colour, reason = grade
            reason = text_of(self.cell(cells, "grade_reason")) or reason
            roles = (Role.LEADER, Role.COMMUNITY_POLICE)
            grader = self._actor(row.people, ("officer", "leader"), roles, "grade")
            lines.add("grade", reported_at, grader, {"grade": colour, "reason": reason})
        self._assign(lines, row.people, reported_at, row.warnings)
        resolved_at = (
            self._resolve(row, lines, reported_at, closed=status.closed)
            if status.resolved
            else None
        )
        case = (reported_at, resolved_at, grade is not None)
        self._follow_ups(lines, self.cell(cells, "follow_ups"), row.people, case, row.warnings)
        problems = [Problem(number, en, zh) for en, zh in row.warnings]
        return Mapped(number, lines.alias, reported_at, lines.lines), key, problems

    def _report(self, row: Row) -> tuple[Lines, str, datetime]:
        """The row's ``report`` line (in new :class:`Lines`), its identity and its time."""
        get = partial(self.cell, row.cells)
        reported_at = self.time(row.cells, "reported_at")
        if reported_at is None:
            zh, en = self.column("reported_at")
            raise RowProblem(f"{en} is empty", f"{zh}为空")
        village, station = self.match.village(
            get("village"), get("station"), self.column("village")
        )
        category = self.match.code(
            "categories", get("category"), CATEGORIES, self.column("category")
        )
        source = self.context.source
        if plain(get("source")):
            source = self.match.code("sources", get("source"), SOURCES, self.column("source"))
        parties = parties_of(text_of(get("parties")))
        row.people = {
            name: self.match.person(get(name), station, self.column(name))
            for name in ("leader", "officer", "auxiliary", "grid_worker", "reporter")
        }
        ref = plain(get("case_ref"))
        summary = text_of(get("summary")) or self._made_up_summary(category, parties)
        if ref:
            summary += f"（原台账编号：{ref}）"
        if text_of(get("note")):
            summary += f"\n备注：{text_of(get('note'))}"
        if ref:
            key = f"ref|{station}|{ref}"
        else:
            names = ",".join(sorted(p["name"] for p in parties))
            key = f"row|{village}|{local_iso(reported_at)}|{category}|{names}"
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
        lines = Lines(self, f"台账:{ref}" if ref else f"台账:第{row.number}行", digest)
        args: dict[str, Any] = {
            "category": category,
            "source": source,
            "village": village,
            "summary": summary,
            "parties": parties,
        }
        if plain(get("people_involved")):
            try:
                args["people_involved"] = cell_count(get("people_involved"))
            except CellProblem as problem:
                zh, en = self.column("people_involved")
                raise RowProblem(f"{en}: {problem.en}", f"{zh}：{problem.zh}") from None
        lines.add("report", reported_at, self._reporter(row.people), args, report=True)
        return lines, key, reported_at

    def _resolve(self, row: Row, lines: Lines, reported_at: datetime, *, closed: bool) -> datetime:
        """The ``resolve`` line of a resolved row; returns its time."""
        get = partial(self.cell, row.cells)
        resolved_at = self.time(row.cells, "resolved_at")
        if resolved_at is None:
            zh, en = self.column("resolved_at")
            raise RowProblem(
                f"the status says resolved, but {en} is empty", f"化解情况为已化解，但{zh}为空"
            )
        if resolved_at < reported_at:
            raise RowProblem(
                f"resolved at {local_text(resolved_at)}, before it was reported",
                f"化解时间 {local_text(resolved_at)} 早于登记时间",
            )
        words = " ".join(text_of(get(n)) for n in ("form", "agreement", "status"))
        agreement = text_of(get("agreement")) or f"台账记载：{text_of(get('status'))}"
        resolver = self._actor(row.people, ("officer", "leader"), POLICE_ROLES, "resolve")
        lines.add(
            "resolve", resolved_at, resolver, {"agreement": agreement, "form": form_of(words)}
        )
        if closed:
            row.warnings.append(
                (
                    "the ledger says closed (销号); closure is not imported: close the case with "
                    "`disputes close` when 不化解不销案 allows — it is imported as resolved "
                    "(observing)",
                    "台账记为销号；销号不导入，须在本系统中按不化解不销案办理，"
                    "本案导入为已化解（观察中）",
                )
            )
        return resolved_at

    def _made_up_summary(self, category: str, parties: list[dict[str, str]]) -> str:
        label = self.context.policy.categories[category].zh
        names = "、".join(p["name"] for p in parties)
        return f"{label}：{names}" if names else label

    def _reporter(self, people: dict[str, Person | None]) -> str:
        """The row's 登记人, else ``--as``, else the first person the row names."""
        if people["reporter"] is not None:
            return people["reporter"].id
        if self.context.actor:
            return self.context.roster.person(self.context.actor, "--as").id
        for name in ("officer", "leader", "auxiliary", "grid_worker"):
            person = people[name]
            if person is not None:
                return person.id
        raise RowProblem(
            "nobody to report the case: the row names no 登记人 and no officer; give --as PERSON",
            "没有登记人：本行没有登记人，也没有责任民警；请用 --as 指定登记人",
        )

    def _grade(
        self, text: str, resolved: bool, warnings: list[tuple[str, str]]
    ) -> tuple[str, str] | None:
        """(grade, reason) of the first grading, or None for a row left ungraded."""
        colour = colour_of(text)
        if text and colour is None:
            zh, en = self.column("grade")
            raise RowProblem(
                f"{en}: '{text}' is not red, yellow or blue", f"{zh}：“{text}”不是红、黄、蓝"
            )
        if colour in ("red", "yellow"):
            return colour, f"台账导入：原表等级“{text}”"
        if not resolved:
            if colour == "blue":
                zh, en = self.column("grade")
                raise RowProblem(
                    f"{en}: blue, but the case is not resolved; here a case turns blue only when "
                    "it is resolved — write its grade (red or yellow) or its resolution",
                    f"{zh}为蓝色，但化解情况不是已化解；本系统中化解后才为蓝色，请填写红/黄等级或化解情况",
                )
            return None
        warnings.append(
            (
                "first grade not in the ledger (it shows the grade after resolution): graded "
                "yellow, and the reason says so",
                "台账未记载初始等级（表中为化解后的等级）：按黄色定级，定级理由中注明",
            )
        )
        shown = f"“{text}”" if text else "为空"
        return "yellow", f"台账导入：原表等级{shown}，已化解；初始等级未记载，按黄色登记"

    def _actor(
        self,
        people: dict[str, Person | None],
        order: tuple[str, ...],
        roles: tuple[Role, ...],
        verb: str,
    ) -> str:
        for name in order:
            person = people.get(name)
            if person is not None and person.role in roles:
                return person.id
        if self.context.actor:
            person = self.context.roster.person(self.context.actor, "--as")
            if person.role in roles:
                return person.id
        wanted = "、".join(self.column(n)[0] for n in order)
        raise RowProblem(
            f"nobody on the row may {verb}: name a {' or '.join(FIELD_NAMES[n][1] for n in order)} "
            f"of role {', '.join(roles)}",
            f"本行没有可以{_VERB_ZH[verb]}的人：请填写{wanted}"
            f"（须为{'、'.join(_ROLE_ZH[r] for r in roles)}）",
        )

    def _assign(
        self,
        lines: Lines,
        people: dict[str, Person | None],
        at: datetime,
        warnings: list[tuple[str, str]],
    ) -> None:
        leader, officer = people["leader"], people["officer"]
        if leader is None or officer is None:
            if leader is not None or officer is not None:
                warnings.append(
                    (
                        "not assigned: assigning needs both the responsible leader and officer",
                        "未分包：分包需要同时填写责任领导和责任民警",
                    )
                )
            return
        if leader.role is not Role.LEADER:
            zh, en = self.column("leader")
            raise RowProblem(
                f"{en}: {leader.name} ({leader.id}) is not a leader",
                f"{zh}：{leader.name}（{leader.id}）不是领导",
            )
        if officer.role not in POLICE_ROLES:
            zh, en = self.column("officer")
            raise RowProblem(
                f"{en}: {officer.name} ({officer.id}) is not police",
                f"{zh}：{officer.name}（{officer.id}）不是民警或辅警",
            )
        args: dict[str, Any] = {"leader": leader.id, "officer": officer.id}
        for name, role in (("auxiliary", Role.AUXILIARY_POLICE), ("grid_worker", Role.GRID_WORKER)):
            person = people[name]
            if person is None:
                continue
            if person.role is not role:
                zh, en = self.column(name)
                raise RowProblem(
                    f"{en}: {person.name} ({person.id}) is not a {role}",
                    f"{zh}：{person.name}（{person.id}）不是{_ROLE_ZH[role]}",
                )
            args[name] = person.id
        lines.add("assign", at, leader.id, args)

    def _follow_ups(
        self,
        lines: Lines,
        cell: Cell,
        people: dict[str, Person | None],
        case: tuple[datetime, datetime | None, bool],
        warnings: list[tuple[str, str]],
    ) -> None:
        """A ``follow-up`` per date in the 回访 cell after the resolution, a ``visit`` per date
        before it (the case is open then); by phone when the text after the date says 电话."""
        if not plain(cell):
            return
        text = text_of(cell)
        zh, en = self.column("follow_ups")
        try:
            found = dict(reversed(times_in(cell, self.epoch)))  # a date given twice: its first text
            moments = sorted(found)
        except CellProblem as problem:
            raise RowProblem(f"{en}: {problem.en}", f"{zh}：{problem.zh}") from None
        if not moments:
            warnings.append(
                (f"{en}: '{text}' names no date; not imported", f"{zh}：“{text}”没有日期，未导入")
            )
            return
        reported_at, resolved_at, graded = case
        actor = self._actor(people, ("auxiliary", "officer", "leader"), POLICE_ROLES, "follow-up")
        note = f"台账回访记录：{text}"
        for moment in moments:
            mode = "phone" if "电话" in found[moment] else "in-person"
            self.check_time(moment, zh, en)
            if moment < reported_at:
                raise RowProblem(
                    f"{en}: {local_text(moment)} is before the case was reported",
                    f"{zh}：{local_text(moment)} 早于登记时间",
                )
            if resolved_at is not None and moment >= resolved_at:
                lines.add("follow-up", moment, actor, {"mode": mode, "note": note})
            elif graded:
                lines.add("visit", moment, actor, {"mode": mode, "note": note})
            else:
                raise RowProblem(
                    f"{en}: a visit on {local_text(moment)}, but the case has no grade (an "
                    "ungraded case is not open)",
                    f"{zh}：{local_text(moment)} 有回访，但本案没有等级（未定级的案件不能走访）",
                )


_VERB_ZH = {"grade": "定级", "resolve": "化解", "follow-up": "回访"}
_ROLE_ZH = {
    Role.LEADER: "领导",
    Role.COMMUNITY_POLICE: "社区民警",
    Role.AUXILIARY_POLICE: "辅警",
    Role.GRID_WORKER: "网格员",
}
_FIELD_COLUMNS = {
    "summary": "summary",
    "parties": "parties",
    "people_involved": "people_involved",
    "reason": "grade_reason",
    "agreement": "agreement",
    "note": "follow_ups",
    "at": "reported_at",
}


class Lines:
    """The journal lines of one row, each checked as ``apply`` will check its shape."""

    def __init__(self, mapper: RowMapper, alias: str, digest: str) -> None:
        self.mapper = mapper
        self.alias = alias
        self.digest = digest
        self.timed: list[tuple[datetime, dict[str, Any]]] = []

    @property
    def lines(self) -> list[dict[str, Any]]:
        """The lines in occurred order (a visit before the resolution comes before it; lines
        at one time in the order they were added: report, grade, assign …)."""
        return [line for _, line in sorted(self.timed, key=lambda timed: timed[0])]

    def add(
        self, verb: str, at: datetime, actor: str, args: dict[str, Any], *, report: bool = False
    ) -> None:
        suffix = (
            "" if verb in ("report", "grade", "assign", "resolve") else at.strftime("-%Y%m%d%H%M")
        )
        line: dict[str, Any] = {
            "id": f"ledger-{self.digest}-{verb}{suffix}",
            "at": local_iso(at),
            "actor": actor,
            "command": verb,
            "case": self.alias,
            "args": args,
        }
        data = {**args, "actor": actor, "at": line["at"], "command_id": line["id"]}
        if not report:
            data["case"] = (
                "X-2000-0001"  # the alias is bound when applied; the shape is checked here
            )
        try:
            build_command(verb, data, self.mapper.context.policy.limits)
        except InvalidInputs as exc:
            en = "; ".join(f"{f}: {r}" for f, r in exc.errors)
            zh = "；".join(f"{self._header(f)}：{_reason_zh(r)}" for f, r in exc.errors)
            raise RowProblem(en, zh) from None
        self.timed.append((at, line))

    def _header(self, name: str) -> str:
        base = name.split(".", maxsplit=1)[0]
        column = _FIELD_COLUMNS.get(base)
        return self.mapper.column(column)[0] if column else name


def _reason_zh(reason: str) -> str:
    if reason.startswith("at most") and "characters" in reason:
        return f"过长（{reason}）"
    if reason == "must not be empty":
        return "不能为空"
    return reason
