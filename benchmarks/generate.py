"""Synthetic command journals with a fixed seed, shaped like the bundled Huaiyang sample.

Each synthetic case is a copy of one of the sample's 510 cases (``year-2021.jsonl``), chosen at
random, with its own alias and command ids and every time shifted by the same amount: the
relative times (observation periods, follow-up gaps, the order of a case's commands) are the
sample's, so every line is valid under the rules and the mix of verbs is the sample's
(≈ 20 commands per case). Report times are spread uniformly over ``YEARS`` years before
``END``, and lines after ``END`` are left out: the journal stops on a day when the latest cases
are still being worked (open, observed, awaiting a receipt), as a real store would. A sample case
that the sample left unfinished (its year ended) is only copied where it is still unfinished at
``END``; older cases are copies of the sample's closed cases, so nothing hangs open for years
(and the due board is not years overdue). All cases
share the sample roster (one district, so case numbers run ``HY-<year>-00001`` …). The lines of
all cases are merged in time order, as officers would have recorded them.

One extra case, alias ``LONG``, has exactly ``LONG_EVENTS`` events (report, grade, assign and
visits): the "500-event case" of P4.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

SEED = 20211006
YEARS = 6
END = datetime(2024, 1, 1, tzinfo=UTC)
LONG_EVENTS = 500
LONG_ALIAS = "LONG"
GENERATOR_VERSION = 3
"""Bump when the output changes, so cached journals are regenerated."""

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_CST = timedelta(hours=8)


def sample_dir() -> Path:
    return Path(str(resources.files("disputes") / "samples" / "huaiyang"))


@dataclass(frozen=True)
class TemplateLine:
    offset: int  # minutes after the case's report
    head: str  # '"actor": …, "command": …'
    args: str  # the serialised args object


@dataclass(frozen=True)
class Template:
    lines: tuple[TemplateLine, ...]
    cut: int
    """Minutes from the report to the end of the sample year (where the sample stops)."""

    @property
    def closed(self) -> bool:
        return self.lines[-1].head.endswith('"close"')


def _minutes(text: str) -> int:
    moment = datetime.fromisoformat(text)
    return int((moment - _EPOCH).total_seconds() // 60)


_AT_CACHE: dict[int, str] = {}


def _at(minutes: int) -> str:
    text = _AT_CACHE.get(minutes)
    if text is None:
        local = (_EPOCH + timedelta(minutes=minutes) + _CST).replace(tzinfo=None)
        text = local.strftime("%Y-%m-%dT%H:%M") + "+08:00"
        _AT_CACHE[minutes] = text
    return text


SAMPLE_END = "2022-07-01T00:00+08:00"
"""The sample year ends here: its cases that are not closed by then simply stop."""


def load_templates() -> list[Template]:
    """The sample's cases, one template each, in order of first appearance."""
    cases: dict[str, list[dict[str, object]]] = {}
    with (sample_dir() / "year-2021.jsonl").open(encoding="utf-8") as handle:
        for text in handle:
            if text.strip():
                line = json.loads(text)
                cases.setdefault(str(line["case"]), []).append(line)
    templates = []
    for lines in cases.values():
        start = _minutes(str(lines[0]["at"]))
        assert lines[0]["command"] == "report"
        templates.append(
            Template(
                tuple(
                    TemplateLine(
                        _minutes(str(line["at"])) - start,
                        f'"actor": {json.dumps(line["actor"])}, '
                        f'"command": {json.dumps(line["command"])}',
                        json.dumps(line["args"], ensure_ascii=False),
                    )
                    for line in lines
                ),
                _minutes(SAMPLE_END) - start,
            )
        )
    return templates


def _long_case(templates: list[Template], start: int) -> list[tuple[int, str]]:
    """Report, grade, assign, then visits every 6 hours: LONG_EVENTS events in all."""
    first = next(
        t
        for t in templates
        if [line.head.rsplit('"', 2)[-2] for line in t.lines[:3]] == ["report", "grade", "assign"]
    )
    assign = json.loads(first.lines[2].args)
    officer = json.dumps(assign["officer"])
    out: list[tuple[int, str]] = []
    for j, line in enumerate(first.lines[:3]):
        at = start + line.offset
        out.append((at, _line(f"LONG-{j:04d}", at, line.head, LONG_ALIAS, line.args)))
    at = start + first.lines[2].offset
    for j in range(3, LONG_EVENTS):
        at += 360
        note = f"第{j}次电话回访，情绪平稳"
        args = json.dumps({"mode": "phone", "note": note}, ensure_ascii=False)
        head = f'"actor": {officer}, "command": "visit"'
        out.append((at, _line(f"LONG-{j:04d}", at, head, LONG_ALIAS, args)))
    return out


def _line(command_id: str, at: int, head: str, alias: str, args: str) -> str:
    return f'{{"id": "{command_id}", "at": "{_at(at)}", {head}, "case": "{alias}", "args": {args}}}'


def generate(cases: int, seed: int = SEED) -> list[str]:
    """The journal lines for ``cases`` synthetic cases plus the LONG case, in time order."""
    rng = random.Random(seed)
    templates = load_templates()
    closing = [t for t in templates if t.closed]
    end = _minutes(END.isoformat())
    span = YEARS * 365 * 24 * 60
    keyed: list[tuple[int, int, int, str]] = []
    for k in range(cases):
        template = templates[rng.randrange(len(templates))]
        start = end - span + rng.randrange(span)
        if not template.closed and start + template.cut < end:
            # The sample stopped this case when its year ended; here it would stop years
            # before the journal does and hang open for ever. Older cases are closed ones.
            template = closing[rng.randrange(len(closing))]
        alias = f"K{k:06d}"
        for j, line in enumerate(template.lines):
            at = start + line.offset
            if at > end:
                break
            text = _line(f"S{seed % 1000:03d}-{k:06d}-{j:02d}", at, line.head, alias, line.args)
            keyed.append((at, k, j, text))
    for j, (at, text) in enumerate(_long_case(templates, end - span + 60)):
        keyed.append((at, -1, j, text))
    keyed.sort()
    return [text for _, _, _, text in keyed]


def journal_path(workdir: Path, cases: int, seed: int = SEED) -> Path:
    """Where the journal of ``cases`` lives in ``workdir`` (generated once, then reused).

    It is generated in a child process: 2 M lines in memory would leave the measuring process
    with a large heap (and the garbage collector with more to scan) for the rest of the run.
    """
    path = workdir / f"journal-{cases}-s{seed}-v{GENERATOR_VERSION}.jsonl"
    if not path.exists():
        subprocess.run(
            [sys.executable, "-m", "benchmarks.generate", str(cases), str(seed), str(path)],
            check=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
    return path


def write_journal(cases: int, seed: int, path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        for text in generate(cases, seed):
            handle.write(text)
            handle.write("\n")
    tmp.replace(path)


def roster_files() -> tuple[str, str]:
    """The sample roster's units.csv and people.csv text."""
    return (
        (sample_dir() / "units.csv").read_text("utf-8"),
        (sample_dir() / "people.csv").read_text("utf-8"),
    )


if __name__ == "__main__":
    write_journal(int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]))
