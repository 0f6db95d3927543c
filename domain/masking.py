"""Masking personal details for readers whose role needs no identity (docs/trust.md §3; issue
11 §3): names of parties and informants (梁某某 → 梁**, 梁某 → 梁*), and phone and ID numbers
written into free text (a summary, a note). Pure functions: the same input always gives the same
output, and masking a masked text changes nothing.

Names keep the surname (a compound surname, 欧阳 or 司马, whole) and mask every other character
with ``*``, one for one, so the length still says how long the name was. A Latin name keeps the
first letter of each word (``John Smith`` → ``J*** S****``). Phone numbers keep the first three and
the last four digits (``13812345678`` → ``138****5678``); ID numbers (身份证号, 15 or 18 characters)
keep the first and the last character.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "*"

COMPOUND_SURNAMES = frozenset(
    {
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "令狐",
        "端木",
        "轩辕",
        "澹台",
        "南宫",
        "西门",
        "独孤",
        "呼延",
        "申屠",
        "太史",
        "闻人",
        "赫连",
        "万俟",
        "钟离",
        "百里",
        "东郭",
        "左丘",
        "第五",
        "司空",
        "濮阳",
        "淳于",
        "单于",
        "公冶",
        "仲孙",
        "拓跋",
    }
)
"""Two-character surnames kept whole (a name of three or more characters starting with one)."""

_ID = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
"""A mainland resident ID number: 18 characters (the last a digit or X) or the old 15 digits."""
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
"""A mainland mobile number, with or without +86 and separators (138 1234 5678)."""
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})-(\d{7,8})(?!\d)")
"""A landline with its area code (0394-1234567)."""
_LATIN = re.compile(r"[A-Za-z][A-Za-z'.-]*")
_SEPARATORS = frozenset("·• ")


def _is_han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def mask_name(name: str) -> str:
    """A person's name masked: the surname kept, every other character ``*``.

    ``梁某某`` → ``梁**``, ``梁某`` → ``梁*``, ``欧阳某某`` → ``欧阳**``, ``欧阳娜`` → ``欧阳*``,
    ``欧阳`` (a compound surname alone is a two-character name) → ``欧*``, ``梁`` → ``*``,
    ``John Smith`` → ``J*** S****``. Spaces and the middle dot of transliterated names (·)
    are kept; an already masked name is returned unchanged."""
    text = name.strip()
    if not text:
        return name
    if any(_is_han(ch) for ch in text):
        if len(text) == 1:
            return MASK
        keep = 2 if len(text) >= 3 and text[:2] in COMPOUND_SURNAMES else 1
        # 阿卜杜·热合曼 → 阿**·***: the separators of a transliterated name stay.
        return text[:keep] + "".join(ch if ch in _SEPARATORS else MASK for ch in text[keep:])
    return _LATIN.sub(lambda m: m.group(0)[0] + MASK * (len(m.group(0)) - 1), text)


def _mask_phone(match: re.Match[str]) -> str:
    if match.re is _LANDLINE:
        area, number = match.group(1), match.group(2)
        return f"{area}-{MASK * (len(number) - 4)}{number[-4:]}"
    head, _, tail = match.group(1), match.group(2), match.group(3)
    whole = match.group(0)
    prefix = whole[: whole.index(head)]
    return f"{prefix}{head}{MASK * 4}{tail}"


def mask_text(text: str, names: Iterable[str] = ()) -> str:
    """Free text with ID numbers, phone numbers and each of ``names`` masked (the parties'
    names where the text mentions them, as :func:`mask_name` masks them)."""
    out = _ID.sub(lambda m: m.group(0)[0] + MASK * (len(m.group(0)) - 2) + m.group(0)[-1], text)
    out = _MOBILE.sub(_mask_phone, out)
    out = _LANDLINE.sub(_mask_phone, out)
    # Longest first: 梁某某 before 梁某, so a longer name is never half masked.
    for name in sorted({n.strip() for n in names if n.strip()}, key=len, reverse=True):
        masked = mask_name(name)
        if masked != name:
            out = out.replace(name, masked)
    return out
