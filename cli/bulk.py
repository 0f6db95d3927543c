"""``apply`` (command journals), ``demo`` and ``rebuild``."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from disputes.cli.common import apply_overrides, json_option, settings_of, store_options
from disputes.cli.render import print_json

if TYPE_CHECKING:
    from disputes.cli.journal import ApplyResult
    from disputes.storage.store import Store


@click.command("apply")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option(
    "--signed",
    is_flag=True,
    help="FILE is a signed journal (an intake instance's `intake-export`): verified against "
    "--key first; a forged or altered file is refused whole.",
)
@click.option("--key", "key_path", metavar="PUB", help="The signer's public key (with --signed).")
@store_options
@click.pass_context
def apply(
    ctx: click.Context,
    /,
    file: Path,
    as_json: bool,
    quiet: bool,
    signed: bool,
    key_path: str | None,
    **kwargs: str,
) -> None:
    """Apply a command journal (JSON Lines) through the same validation as the CLI.

    A bad line is reported with its line number and reason, records nothing, and the run goes
    on. Re-running a file records nothing new. Exit 0 if every line applied or was already
    applied, else 1. Ctrl-C stops after the batch being saved, says how many lines were
    applied, and exits 130 (run the file again to apply the rest).
    """
    from disputes.cli.exits import INTERRUPTED
    from disputes.cli.journal import ApplyResult

    settings = apply_overrides(ctx, kwargs)
    lines = _signed_lines(file, key_path) if signed else None
    if key_path is not None and not signed:
        from disputes.domain.errors import InvalidInput

        raise InvalidInput("--key", "--key goes with --signed")
    store = settings.store()
    store.require_writable()
    result = ApplyResult()
    with _first_interrupt_stops() as stop:
        try:
            if lines is not None:
                from disputes.cli.journal import apply_journal

                _keep_photos(store, file, key_path)
                apply_journal(store, lines, stop=stop, result=result)
            else:
                _run(store, file, quiet or as_json, stop=stop, result=result)
        except KeyboardInterrupt:  # a second Ctrl-C: the batch being saved is not counted
            result.interrupted = True
    zh = settings_of(ctx).lang == "zh"
    if as_json:
        print_json(result.as_json())
    elif zh:
        click.echo(
            f"{file.name}：新记录 {result.applied} 条，已记录过 {result.skipped} 条，"
            f"失败 {len(result.failed)} 条；涉及 {len(result.cases)} 件案件"
        )
        for failure in result.failed:
            where = f"第 {failure.line} 行" + (f"（{failure.id}）" if failure.id else "")
            click.echo(f"  {where}：{failure.zh or failure.error}", err=True)
    else:
        click.echo(
            f"{file.name}: {result.applied} applied, {result.skipped} already recorded, "
            f"{len(result.failed)} failed; {len(result.cases)} cases"
        )
        for failure in result.failed:
            where = f"line {failure.line}" + (f" ({failure.id})" if failure.id else "")
            click.echo(f"  {where}: {failure.error}", err=True)
    if result.interrupted:
        click.echo(
            f"已中断：新记录 {result.applied} 行后停止（已记录过 {result.skipped} 行，失败 "
            f"{len(result.failed)} 行），其后各行未记录。"
            "再次运行同一文件即可继续：已记录的行会跳过。"
            if zh
            else f"interrupted: stopped after {result.applied} lines applied "
            f"({result.skipped} already recorded, {len(result.failed)} failed); the lines "
            "after them record nothing. Run the same file again to apply the rest: lines "
            "already applied are skipped.",
            err=True,
        )
        ctx.exit(INTERRUPTED)
    ctx.exit(0 if not result.failed else 1)


def _signed_lines(file: Path, key_path: str | None) -> list[str]:
    """The lines of a signed journal, verified against the pinned key (refused whole when
    forged or altered)."""
    from disputes.audit.checkpoint import load_public_key
    from disputes.audit.signed_journal import read_signed
    from disputes.domain.errors import InvalidInput

    if key_path is None:
        raise InvalidInput("--key", "--signed needs --key PUB, the signer's public key")
    return read_signed(file, load_public_key(key_path)).lines


def _keep_photos(store: Store, file: Path, key_path: str | None) -> None:
    """Keep the photos a signed journal carries in the store's attachments table."""
    from disputes.audit.checkpoint import load_public_key
    from disputes.audit.signed_journal import read_signed
    from disputes.storage.attachments import Attachments, sniff

    assert key_path is not None
    journal = read_signed(file, load_public_key(key_path))
    kept = Attachments(store.views)
    for data in journal.attachments.values():
        kind = sniff(data)
        if kind is not None:
            kept.put(data, kind)


@contextmanager
def _first_interrupt_stops() -> Iterator[Callable[[], bool]]:
    """While applying, the first Ctrl-C (SIGINT) asks the run to stop after the batch being
    saved; a second one interrupts at once (KeyboardInterrupt). Yields the question the run
    asks between lines. Outside the main thread (tests) nothing is installed."""
    import signal
    import threading

    asked: list[bool] = []

    def handler(signum: int, frame: object) -> None:
        if asked:
            signal.default_int_handler(signum, frame)  # type: ignore[arg-type]
        asked.append(True)

    if threading.current_thread() is not threading.main_thread():
        yield lambda: bool(asked)
        return
    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield lambda: bool(asked)
    finally:
        signal.signal(signal.SIGINT, previous)


def _run(
    store: Store,
    file: Path,
    quiet: bool,
    *,
    stop: Callable[[], bool] | None = None,
    result: ApplyResult | None = None,
) -> ApplyResult:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from disputes.cli.journal import apply_journal, count_lines, read_lines
    from disputes.domain.errors import InvalidInput

    try:
        # Streamed, split at "\n" only, undecodable bytes kept to be refused with their line
        # number: see read_lines.
        lines = read_lines(file)
        # Counted for the progress bar only in a regular file: a pipe, a FIFO or <(…) can be
        # read once, and counting would leave nothing to apply.
        counted = not quiet and sys.stderr.isatty() and file.is_file()
        total = count_lines(file) if counted else None
    except OSError as exc:
        raise InvalidInput(str(file), f"cannot read: {exc.strerror}") from None
    if total is None:
        return apply_journal(store, lines, stop=stop, result=result)
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, transient=True) as progress:
        task = progress.add_task(file.name, total=total)
        return apply_journal(
            store, lines, lambda n: progress.advance(task, n), stop=stop, result=result
        )


@click.command("rebuild")
@json_option
@store_options
@click.pass_context
def rebuild(ctx: click.Context, /, as_json: bool, **kwargs: str) -> None:
    """Rebuild every projection (ledger, audit trail, command log) from the first event."""
    import time

    settings = apply_overrides(ctx, kwargs)
    store = settings.store()
    store.require_writable("nothing was rebuilt")
    started = time.perf_counter()
    events = store.projections.rebuild()
    seconds = time.perf_counter() - started
    if as_json:
        print_json({"events": events, "seconds": round(seconds, 3)})
    else:
        click.echo(
            f"已根据 {events} 个事件重建全部视图，用时 {seconds:.2f} 秒"
            if settings.lang == "zh"
            else f"rebuilt projections from {events} events in {seconds:.2f} s"
        )


@click.command("demo")
@click.option(
    "--into",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("disputes-demo.db"),
    show_default=True,
    help="The demo's own store file; (re)created from scratch. An existing file is replaced "
    "only when an earlier demo made it.",
)
@click.option(
    "--case", "alias", default="C01", show_default=True, help="Which sample case's history to show."
)
@click.pass_context
def demo(ctx: click.Context, /, into: Path, alias: str) -> None:
    """Load the bundled Huaiyang sample (roster + scenarios.jsonl) into a fresh store and show
    the ledger and the history of one case. Your DISPUTES_DB is never touched."""
    from importlib import resources

    from disputes.domain.errors import InvalidInput, StoreError
    from disputes.domain.roster import Roster
    from disputes.storage.location import resolve_db
    from disputes.storage.store import Store

    settings = settings_of(ctx)
    try:
        working: Path | None = Path(resolve_db(settings.db)).resolve()
    except StoreError:
        working = None  # an empty DISPUTES_DB names no store: the demo does not need one
    if Path(into).resolve() == working:
        msg = f"{into} is your working store (--db/DISPUTES_DB); pick another file"
        raise InvalidInput(
            "--into", msg, zh=f"{into} 是正在使用的数据库（--db/DISPUTES_DB），请另选一个文件"
        )
    _replaceable_demo_store(into)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{into}{suffix}").unlink(missing_ok=True)
    sample = resources.files("disputes") / "samples" / "huaiyang"
    settings.close()
    settings.db = str(into)
    with Store(str(into)) as store:
        store.app.load_roster(
            Roster.from_csv(
                sample.joinpath("units.csv").read_text("utf-8"),
                sample.joinpath("people.csv").read_text("utf-8"),
            )
        )
        journal = Path(str(sample.joinpath("scenarios.jsonl")))
        result = _run(store, journal, quiet=True)
    _mark_demo_store(into)
    zh = settings.lang == "zh"
    click.echo(
        f"演示数据库 {into}：已载入花名册，scenarios.jsonl 记录指令 {result.applied} 条，"
        f"失败 {len(result.failed)} 条\n"
        if zh
        else f"demo store {into}: roster loaded, scenarios.jsonl {result.applied} commands "
        f"applied, {len(result.failed)} failed\n"
    )
    if alias not in result.cases:
        raise InvalidInput(
            "--case",
            f"no sample case {alias}; known: {', '.join(result.cases)}",
            zh=f"样例中没有案件 {alias}；可选：{'、'.join(result.cases)}",
        )
    from disputes.cli.reads import history, ledger

    ctx.invoke(
        ledger, fmt="table", as_json=False, status=None, grade=None, station=None, category=None
    )
    click.echo("")
    ctx.invoke(history, case=result.cases[alias], as_json=False)
    click.echo(
        f"\n接着看：DISPUTES_DB={into} disputes show {result.cases[alias]}   "
        f"（或：disputes --db {into} ledger --format json）"
        if zh
        else f"\nExplore it: DISPUTES_DB={into} disputes show {result.cases[alias]}   "
        f"(or: disputes --db {into} ledger --format json)"
    )


from disputes.storage.sqlite import DEMO_APPLICATION_ID  # noqa: E402 (beside its users)

SQLITE_MAGIC = b"SQLite format 3\x00"


def is_demo_store(path: Path) -> bool:
    """True when ``path`` is an SQLite file that ``demo`` made (read from its header; the file
    is not opened as a database, so nothing about it changes)."""
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError:
        return False
    return (
        header.startswith(SQLITE_MAGIC)
        and int.from_bytes(header[68:72], "big") == DEMO_APPLICATION_ID
    )


def _replaceable_demo_store(into: Path) -> None:
    """Refuse (exit 2) an ``--into`` that ``demo`` may not (re)create: an existing file that
    is not a demo store, a stray ``-wal``/``-shm`` beside a missing one, a missing folder."""
    from disputes.cli.guards import new_file
    from disputes.domain.errors import InvalidInput

    if into.exists() and not is_demo_store(into):
        msg = (
            f"{into} exists and is not a demo store made by `disputes demo`; nothing was "
            "touched. Choose another path (e.g. --into disputes-demo.db in an empty folder)"
        )
        raise InvalidInput("--into", msg)
    if not into.exists():
        for suffix in ("-wal", "-shm"):
            new_file(Path(f"{into}{suffix}"), "--into")
        new_file(into, "--into")


def _mark_demo_store(into: Path) -> None:
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(into)) as connection:
        connection.execute(f"PRAGMA application_id = {DEMO_APPLICATION_ID}")
        connection.commit()


@click.command("init")
@json_option
@store_options
@click.pass_context
def init(ctx: click.Context, /, as_json: bool, **kwargs: str) -> None:
    """Create an empty store at --db (or DISPUTES_DB, or the default location).

    A file that is not a disputes store is refused and left untouched; an existing store is
    left as it is (exit 0). Then load the roster with `disputes roster load`."""
    from disputes.storage.store import Access, redact

    settings = apply_overrides(ctx, kwargs)
    store = settings.store(Access.NEW)
    location = redact(store.location)
    if as_json:
        print_json({"store": location, "created": store.created})
    elif store.created:
        click.echo(
            f"已新建空数据库：{location}\n下一步：disputes roster load …"
            if settings.lang == "zh"
            else f"created an empty store: {location}\nnext: disputes roster load …"
        )
    else:
        click.echo(
            f"{location} 已是 disputes 数据库，未作任何改动"
            if settings.lang == "zh"
            else f"{location} is already a disputes store: nothing changed"
        )


def register(group: click.Group) -> None:
    for command in (init, apply, rebuild, demo):
        group.add_command(command)
