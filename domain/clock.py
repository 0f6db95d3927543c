"""Time: occurred time (what the officer says) versus recorded time (when it was stored).

All stored times are timezone-aware. Users speak Asia/Shanghai time; a time given without an
offset is read as Asia/Shanghai (product.md §5). Output uses ISO 8601 with the +08:00 offset.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

EARLIEST = datetime(2000, 1, 1, tzinfo=SHANGHAI)
"""No occurred time may lie before this: the practice is younger, and older Asia/Shanghai times
carry historic offsets (LMT, summer time) that would break the +08:00 contract."""

READABLE_YEARS = (1900, 2999)
"""The years a time given by a user may name. Reads and the due board shift a time by days and
years and convert it between offsets; near the ends of Python's calendar (0001, 9999) that
overflows. Writes are held to more: not before :data:`EARLIEST`, not in the future."""

Clock = Callable[[], datetime]
"""A function returning the current time, timezone-aware (the application's "now")."""


def system_clock() -> datetime:
    """Return the current time in UTC (timezone-aware)."""
    return datetime.now(tz=UTC)


def parse_time(text: str) -> datetime:
    """Parse an ISO 8601 time; without an offset it is Asia/Shanghai local time.

    Accepts ``2021-10-06T21:40+08:00``, ``2021-10-06 21:40``, ``2021-10-06`` (midnight).
    Returns a timezone-aware datetime. Raises ``ValueError`` naming the text when unparseable
    or outside :data:`READABLE_YEARS`.
    """
    raw = text.strip()
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        msg = f"'{text}' is not an ISO 8601 time (e.g. 2021-10-06T21:40+08:00)"
        raise ValueError(msg) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=SHANGHAI)
    if not READABLE_YEARS[0] <= parsed.year <= READABLE_YEARS[1]:
        first, last = READABLE_YEARS
        msg = f"'{text}' lies outside the years {first}–{last} a time may name"
        raise ValueError(msg)
    return parsed


def local_iso(moment: datetime | None) -> str | None:
    """Render as ISO 8601 in Asia/Shanghai (``2021-10-06T21:40:00+08:00``); None stays None."""
    if moment is None:
        return None
    return moment.astimezone(SHANGHAI).isoformat(timespec="seconds")


def local_text(moment: datetime | None) -> str:
    """Render a time for tables: ``2021-10-06 21:40`` in Asia/Shanghai; None renders as ``""``."""
    if moment is None:
        return ""
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
