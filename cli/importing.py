"""``disputes import-ledger`` — an office's 台账 (.xlsx or CSV) → a command journal that
``disputes apply`` runs (README, "Importing an office 台账")."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from disputes.cli.common import apply_overrides, json_option, store_options
from disputes.cli.render import print_json

if TYPE_CHECKING:
    from disputes.cli.ledger_import import Imported
    from disputes.domain.policy import Policy
    from disputes.domain.roster import Roster

SOME_ROWS_FAILED = 1
"""Exit code when the journal was written without the rows that could not be mapped (as
``apply`` exits 1 when a line failed)."""


@click.command("import-ledger")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The journal to write (JSON Lines); it must not exist yet.",
)
@click.option("--sheet", metavar="NAME", help="The worksheet [default: the first with a header].")
@click.option(
    "--source",
    metavar="CODE",
    default="visit",
    show_default=True,
    help="Source of rows without a 来源 (a policy code).",
)
@click.option(
    "--units",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="units.csv to match villages against, instead of the store's roster.",
)
@click.option(
    "--people",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="people.csv to match people against, instead of the store's roster.",
)
@click.option("--lang", "lang_here", type=click.Choice(["zh", "en"]), help="Language of messages.")
@json_option
@store_options
@click.pass_context
def import_ledger(
    ctx: click.Context,
    /,
    file: Path,
    out: Path,
    sheet: str | None,
    source: str,
    units: Path | None,
    people: Path | None,
    lang_here: str | None,
    as_json: bool,
    **kwargs: str,
) -> None:
    """导入台账 — turn an office's ledger (.xlsx, or CSV in UTF-8 or GB18030) into a command
    journal for `disputes apply`.

    Columns are found by their Chinese headers (案件编号, 登记时间, 类别, 等级, 村, 当事人,
    化解情况, 化解时间, 责任领导, 责任民警, 回访 …); villages and people by their roster names
    or codes. Rows that cannot be mapped are named with their row number and reason, and
    nothing of them is written. Exit 0 when every row was mapped; 1 when the journal was
    written without some rows; 2 when the file cannot be used (nothing is written).
    """
    from disputes.cli.guards import new_file, open_new
    from disputes.cli.ledger_import import Context, import_sheets
    from disputes.cli.sheets import UnusableFile, read_sheets
    from disputes.domain.errors import InvalidInput

    settings = apply_overrides(ctx, kwargs)
    lang = lang_here or settings.lang
    if lang_here:
        settings.lang = lang_here  # errors raised from here on are in this language too
    new_file(out, "--out")
    roster, policy = _roster_and_policy(settings, units, people)
    if source not in policy.sources:
        known = ", ".join(policy.sources)
        error = InvalidInput(
            "--source", f"'{source}' is not a source of the policy; known: {known}"
        )
        error.zh = f"--source：“{source}”不是政策中的来源（可用：{known}）"
        raise error
    if settings.actor:
        roster.person(settings.actor, "--as")
    context = Context(roster, policy, datetime.now(tz=UTC), settings.actor, source)
    imported = import_sheets(read_sheets(file, sheet), file.name, context)
    lines = imported.journal()
    if not lines:
        _report(imported, file, None, lang, as_json)
        raise UnusableFile(
            file.name,
            "no row could be mapped; nothing was written",
            "没有一行可以转换，未写入任何内容",
        )
    descriptor = open_new(out, "--out")
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
        for line in lines:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    _report(imported, file, out, lang, as_json)
    ctx.exit(SOME_ROWS_FAILED if imported.failed else 0)


def _roster_and_policy(
    settings: Any, units: Path | None, people: Path | None
) -> tuple[Roster, Policy]:
    """``--units``/``--people`` (both, and the policy of DISPUTES_POLICY), else the store's."""
    from disputes.domain.errors import InvalidInput
    from disputes.domain.policy import load_policy
    from disputes.domain.roster import Roster

    if (units is None) != (people is None):
        error = InvalidInput("--units/--people", "give both files, or neither (the store's roster)")
        error.zh = "--units/--people：两个文件都要给，或都不给（用库中的名册）"
        raise error
    if units is not None and people is not None:
        return Roster.from_csv(_read(units), _read(people)), load_policy()
    store = settings.store()
    return store.app.roster, store.policy


def _read(path: Path) -> str:
    from disputes.domain.errors import InvalidInput

    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(str(path), f"cannot read as UTF-8 CSV: {exc}") from None


def _report(imported: Imported, file: Path, out: Path | None, lang: str, as_json: bool) -> None:
    from disputes.cli.guards import printable

    lines = imported.journal()
    if as_json:
        print_json(
            {
                "file": file.name,
                "sheet": imported.sheet,
                "header_row": imported.header.row,
                "columns": {imported.header.names[f]: f for f in imported.header.columns},
                "ignored_columns": imported.header.ignored,
                "rows": imported.rows,
                "mapped": len(imported.mapped),
                "commands": len(lines),
                "out": str(out) if out else None,
                "cases": [
                    {"row": m.row, "case": m.case, "commands": [line["id"] for line in m.lines]}
                    for m in sorted(imported.mapped, key=lambda m: m.row)
                ],
                "failed": [
                    {"row": p.row, "error": p.en, "error_zh": p.zh} for p in imported.failed
                ],
                "warnings": [
                    {"row": p.row, "warning": p.en, "warning_zh": p.zh} for p in imported.warnings
                ],
            }
        )
        return
    zh = lang == "zh"
    header = imported.header
    named = imported.sheet != file.name  # a workbook's sheet; a CSV file has one, unnamed
    sheet_zh = f"工作表 {imported.sheet}，" if named else ""
    sheet_en = f"sheet {imported.sheet}, " if named else ""
    if zh:
        click.echo(
            f"{file.name}（{sheet_zh}表头在第 {header.row} 行）："
            f"{imported.rows} 行案件，"
            f"{len(imported.mapped)} 行转换为 {len(lines)} 条命令"
            + (f"，写入 {out}" if out else "")
            + (f"；{len(imported.failed)} 行无法转换，未写入" if imported.failed else "")
        )
    else:
        click.echo(
            f"{file.name} ({sheet_en}header on row {header.row}): "
            f"{imported.rows} case rows, {len(imported.mapped)} mapped to {len(lines)} commands"
            + (f", written to {out}" if out else "")
            + (
                f"; {len(imported.failed)} rows could not be mapped and were left out"
                if imported.failed
                else ""
            )
        )
    for problem in imported.failed:
        where = f"第 {problem.row} 行" if zh else f"row {problem.row}"
        click.echo(
            f"  {where}：{printable(problem.text(lang))}"
            if zh
            else f"  {where}: {printable(problem.text(lang))}",
            err=True,
        )
    for problem in imported.warnings:
        where = f"注意：第 {problem.row} 行" if zh else f"note: row {problem.row}"
        click.echo(
            f"  {where}：{printable(problem.text(lang))}"
            if zh
            else f"  {where}: {printable(problem.text(lang))}",
            err=True,
        )
    if header.ignored:
        names = "、".join(header.ignored) if zh else ", ".join(header.ignored)
        click.echo(
            f"未使用的列：{printable(names)}" if zh else f"columns not used: {printable(names)}"
        )
    if out:
        click.echo(f"下一步：disputes apply {out}" if zh else f"next: disputes apply {out}")


def register(group: click.Group) -> None:
    group.add_command(import_ledger)
