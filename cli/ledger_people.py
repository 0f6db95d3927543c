"""Matching what a 台账 row names to the roster and the policy (``import-ledger``): villages and
stations by their roster names or codes, people by their roster names or ids, categories and
sources by the policy's Chinese labels, their codes, or the words offices use for them.

A name two villages (or two people) share is settled by the row's station when it can be;
otherwise the row is refused naming the candidates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from disputes.cli.sheets import Cell, plain
from disputes.domain.errors import DisputesError
from disputes.domain.policy import Policy
from disputes.domain.roster import Person, Roster, Unit, UnitKind

CATEGORY_SUFFIXES = ("矛盾纠纷", "纠纷", "矛盾", "类")


@dataclass(frozen=True)
class Problem:
    """A row that could not be mapped (or was mapped in part), and why, in both languages."""

    row: int
    en: str
    zh: str

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class RowProblem(DisputesError):
    """The row cannot be mapped: ``en`` and ``zh`` say why. Caught by the importer, which
    names the row and goes on (it is never the verb's error)."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en, zh=zh)
        self.en = en
        self.zh: str = zh


def _bare(name: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name.removesuffix(suffix)
    return name


class Matcher:
    """Look-ups of one roster and policy."""

    def __init__(self, roster: Roster, policy: Policy) -> None:
        self.roster = roster
        self.policy = policy
        self.villages = [u for u in roster.units.values() if u.kind is UnitKind.VILLAGE]
        self.stations = [u for u in roster.units.values() if u.kind is UnitKind.STATION]

    def station_of(self, code: str) -> str | None:
        unit = self.roster.ancestor(code, UnitKind.STATION)
        return unit.code if unit else None

    def _units(self, text: str, units: list[Unit], suffixes: tuple[str, ...]) -> list[Unit]:
        lowered = text.lower()
        found = [u for u in units if u.code.lower() == lowered]
        found = found or [u for u in units if u.name == text]
        bare = _bare(text, suffixes)
        found = found or [u for u in units if _bare(u.name, suffixes) == bare]
        return found or [
            u for u in units if len(_bare(u.name, suffixes)) >= 2 and text.endswith(u.name)
        ]

    def village(
        self, cell: Cell, station_cell: Cell, column: tuple[str, str]
    ) -> tuple[str, str | None]:
        """(village code, its station code). Raises :class:`RowProblem`."""
        zh, en = column
        text = plain(cell)
        if not text:
            raise RowProblem(f"{en} is empty", f"{zh}为空")
        found = self._units(text, self.villages, ("村委会", "社区", "村"))
        station_text = plain(station_cell)
        if station_text:
            stations = self._units(station_text, self.stations, ("派出所", "所"))
            if len(stations) != 1:
                raise RowProblem(
                    f"station '{station_text}' is not a station on the roster",
                    f"派出所“{station_text}”不在名册中",
                )
            found = [v for v in found if self.station_of(v.code) == stations[0].code] or found
        if not found:
            raise RowProblem(
                f"{en}: '{text}' is not a village on the roster",
                f"{zh}：“{text}”不是名册中的村",
            )
        if len(found) > 1:
            listed = ", ".join(f"{v.name} ({v.code})" for v in found)
            listed_zh = "、".join(f"{v.name}（{v.code}）" for v in found)
            raise RowProblem(
                f"{en}: '{text}' names several villages ({listed}); write the code, or fill in "
                "the 派出所 column",
                f"{zh}：“{text}”对应多个村（{listed_zh}）；请写村代码，或填写派出所列",
            )
        return found[0].code, self.station_of(found[0].code)

    def person(self, cell: Cell, station: str | None, column: tuple[str, str]) -> Person | None:
        """The person a cell names by roster id or name (a remark in brackets, a title before
        the name or a phone number after it aside); None for an empty cell. Raises
        :class:`RowProblem`."""
        zh, en = column
        text = plain(cell)
        if not text:
            return None
        for opening, closing in (("(", ")"), ("[", "]"), ("【", "】")):
            while opening in text and closing in text.split(opening, 1)[1]:
                before, rest = text.split(opening, 1)
                text = (before + rest.split(closing, 1)[1]).strip()
        words = [w for w in text.split() if not w.isdigit()]
        if len(words) != 1:
            words = [w for w in words if self.roster.people.get(w) or self._named(w)]
        if len(words) != 1:
            raise RowProblem(
                f"{en}: '{plain(cell)}' is not one person on the roster",
                f"{zh}：“{plain(cell)}”不是名册中的一个人",
            )
        word = words[0]
        if word in self.roster.people:
            return self.roster.people[word]
        found = self._named(word)
        if len(found) > 1 and station is not None:
            found = [p for p in found if self.station_of(p.unit) == station] or found
        if not found:
            raise RowProblem(f"{en}: '{word}' is not on the roster", f"{zh}：“{word}”不在名册中")
        if len(found) > 1:
            ids = ", ".join(p.id for p in found)
            raise RowProblem(
                f"{en}: '{word}' names several people ({ids}); write the id",
                f"{zh}：名册中有多人叫“{word}”（{ids}）；请写人员编号",
            )
        return found[0]

    def _named(self, name: str) -> list[Person]:
        return [p for p in self.roster.people.values() if p.name == name]

    def code(
        self, kind: str, cell: Cell, aliases: Mapping[str, tuple[str, ...]], column: tuple[str, str]
    ) -> str:
        """The policy code (``kind``: categories or sources) a cell names: the code, the
        Chinese or English label, the label without 纠纷/矛盾/类, a word offices use for it, or a
        part of one label only. Raises :class:`RowProblem`."""
        zh, en = column
        labels = self.policy.categories if kind == "categories" else self.policy.sources
        text = plain(cell)
        if not text:
            raise RowProblem(f"{en} is empty", f"{zh}为空")
        lowered = text.lower()
        bare = _bare(text, CATEGORY_SUFFIXES)
        tries = (
            lambda code, _: code == lowered,
            lambda _, label: plain(label.zh) == text or label.en.lower() == lowered,
            lambda _, label: _bare(plain(label.zh), CATEGORY_SUFFIXES) == bare,
            lambda code, _: bare in aliases.get(code, ()),
            lambda _, label: len(bare) >= 2 and bare in plain(label.zh),
            lambda code, _: any(word in text for word in aliases.get(code, ())),
        )
        for test in tries:
            found = [code for code, label in labels.items() if test(code, label)]
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                names = "、".join(labels[c].zh for c in found)
                raise RowProblem(
                    f"{en}: '{text}' could be any of {', '.join(found)}; write one of them",
                    f"{zh}：“{text}”可能是{names}中的任一个；请写明",
                )
        known = "、".join(label.zh for label in labels.values())
        what = "类别" if kind == "categories" else "来源"
        raise RowProblem(
            f"{en}: '{text}' is not in the policy; known: {', '.join(labels)}",
            f"{zh}：“{text}”不在政策的{what}中（可用：{known}）",
        )
