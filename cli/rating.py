"""``rating`` — 五星警务室: the half-year rating of every village police room, from events only,
scored with the policy's ``[rating]`` weights and star thresholds (the rule in Chinese:
features/rating.feature). The rating states the policy version that made it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from disputes.cli.common import apply_overrides, store_options
from disputes.cli.stats import begun, station_option, xlsx_out
from disputes.gate.figures import group_name

if TYPE_CHECKING:
    from disputes.storage.statistics import RatingRow
    from disputes.storage.store import Store

COLUMNS = (
    ("found_actively", "主动发现", "found actively"),
    ("first_contact_on_time", "首次接触及时率", "first contact on time"),
    ("cadence_kept", "走访频次达标率", "cadence kept"),
    ("follow_ups_on_time_share", "回访及时率", "follow-ups on time"),
    ("settled_share", "化解率", "settled"),
    ("relapses", "反弹", "relapses"),
    ("overdue_cards", "逾期亮牌", "overdue cards"),
    ("supervision_orders", "督办", "supervision orders"),
    ("outcomes.homicide", "命案", "homicides"),
    ("outcomes.criminal-case", "民转刑", "criminal cases"),
    ("outcomes.public-order-case", "民转治安", "public-order cases"),
    ("outcomes.mass-incident", "群体性事件", "mass incidents"),
    ("outcomes.petition", "越级上访", "petitions"),
    ("points", "得分", "score"),
    ("stars", "星级", "stars"),
)
SHARES = frozenset(
    {"first_contact_on_time", "cadence_kept", "follow_ups_on_time_share", "settled_share"}
)


def rating_json(store: Store, row: RatingRow) -> dict[str, Any]:
    """One village police room's rating (keys: docs/statistics.md, "Ratings")."""
    auxiliary = store.app.roster.people.get(row.auxiliary or "")
    return {
        "village": row.village,
        "village_name": group_name(store, "village", row.village, "zh"),
        "station": row.station,
        "auxiliary": row.auxiliary,
        "auxiliary_name": None if auxiliary is None else auxiliary.name,
        "inputs": row.inputs.as_json(),
        "parts": row.score.parts,
        "points": row.score.points,
        "stars": row.score.stars,
    }


def _value(item: dict[str, Any], key: str) -> Any:
    if key.startswith("outcomes."):
        return item["inputs"]["outcomes"].get(key.split(".", 1)[1], 0)
    if key in ("points", "stars"):
        return item[key]
    return item["inputs"][key]


def _shown(key: str, value: Any, lang: str) -> str:
    if key in SHARES:
        return "—" if value is None else f"{value * 100:.1f}%"
    if key == "stars":
        return "★" * value if value else ("无星" if lang == "zh" else "none")
    return str(value)


@click.command("rating")
@click.argument("half")
@click.option(
    "--station", metavar="STATION", help="Only the village rooms of this station (code or name)."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "xlsx"]),
    default="table",
    show_default=True,
    help="xlsx needs --out.",
)
@click.option("--out", type=click.Path(path_type=Path), help="The workbook to write (xlsx).")
@store_options
@click.pass_context
def rating(
    ctx: click.Context,
    /,
    half: str,
    station: str | None,
    fmt: str,
    out: Path | None,
    **kwargs: str | None,
) -> None:
    """五星警务室 — rate every village police room for a half year (HALF as 2022H1): the inputs
    counted from events, the score and the stars, under the policy's [rating]."""
    from disputes.storage.statistics import counting_views, half_period, invalid
    from disputes.storage.statistics import rating as rate

    settings = apply_overrides(ctx, kwargs)
    lang = settings.lang
    period = half_period(half)
    partial = begun("HALF", half, period)
    if fmt == "xlsx":
        if out is None:
            raise invalid("--out", "xlsx needs --out FILE", zh="xlsx 格式需要 --out 文件名")
        from disputes.cli.workbook import new_out

        xlsx_out(out)
        new_out(out)
    store = settings.store()
    station = station_option(store, station)
    with counting_views(store) as db:
        rows = rate(store, db, period, station=station)
    items = [rating_json(store, r) for r in rows]
    data = {
        "half": half.upper(),
        **period.as_json(),
        "policy_version": store.policy.version,
        "rooms": items,
    }
    show_rating(
        data,
        fmt,
        out,
        lang,
        lambda item: group_name(store, "village", item["village"], lang),
        partial=partial,
    )


def show_rating(
    data: dict[str, Any],
    fmt: str,
    out: Path | None,
    lang: str,
    room_name: Callable[[dict[str, Any]], str],
    *,
    partial: bool = False,
) -> None:
    """Print (or write) ``rating --format json``'s ``data`` as ``fmt`` (json, table, xlsx);
    ``room_name`` names a village police room (the client's is the json's ``village_name``);
    ``partial`` marks a half year still in progress."""
    zh = lang == "zh"
    items: list[dict[str, Any]] = data["rooms"]
    version, half = data["policy_version"], data["half"]
    if fmt == "json":
        from disputes.cli.render import print_json

        print_json(data)
        return
    headers = [
        "警务室" if zh else "village room",
        "辅警" if zh else "auxiliary",
        *(c[1] if zh else c[2] for c in COLUMNS),
    ]
    title = (
        f"五星警务室评比 {half}（{data['from']} 至 {data['to']}；政策版本 {version}）"
        if zh
        else f"five-star police rooms {half} ({data['from']} to {data['to']};"
        f" policy version {version})"
    )
    if partial:
        title += "（半年未结束，数字截至目前）" if zh else " (half year in progress: partial)"

    def name(item: dict[str, Any]) -> list[Any]:
        return [room_name(item), item["auxiliary_name"] or ""]

    if fmt == "xlsx":
        from openpyxl import Workbook

        from disputes.cli.workbook import PERCENT_FORMAT, save_new, write_table

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "五星警务室" if zh else "rating"
        write_table(
            sheet,
            headers,
            ([*name(i), *(_value(i, k) for k, _, _ in COLUMNS)] for i in items),
            formats={2 + n: PERCENT_FORMAT for n, c in enumerate(COLUMNS) if c[0] in SHARES},
            title=title,
        )
        assert out is not None
        save_new(book, out)
        click.echo(f"已写入 {out}" if zh else f"wrote {out}")
        return
    from disputes.cli.render import fit_table

    keys = [k for k, _, _ in COLUMNS]
    # Left out first when the terminal is narrow: the outcomes, then the lesser inputs.
    order = [
        "outcomes.petition",
        "outcomes.mass-incident",
        "outcomes.public-order-case",
        "outcomes.criminal-case",
        "outcomes.homicide",
        "supervision_orders",
        "overdue_cards",
        "relapses",
        "follow_ups_on_time_share",
        "cadence_kept",
        "first_contact_on_time",
        "found_actively",
    ]
    fit_table(
        title,
        headers,
        [[*name(i), *(_shown(k, _value(i, k), lang) for k, _, _ in COLUMNS)] for i in items],
        drop=[2 + keys.index(k) for k in order],
        foldable=(0, 1),
        lang=lang,
    )


def register(group: click.Group) -> None:
    group.add_command(rating)
