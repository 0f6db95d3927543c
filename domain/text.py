"""The input rules for text (README, "Input rules"): what a string a user sends may contain.

Every string that reaches a command, a journal line, the roster or the command line is held to
:func:`text_problem`; text that shows nothing (:func:`invisible_only`) counts as empty. Only the
standard library here: the CLI checks its arguments with it before loading anything else.
"""

from __future__ import annotations

import unicodedata

BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e") | frozenset(
    "\u2066\u2067\u2068\u2069"
)
"""Bidirectional marks, embeddings, overrides and isolates: they reorder what a terminal or a
printed ledger shows (a 'Trojan Source' summary reads one way and says another)."""
OTHER_FORMAT_CONTROLS = frozenset(chr(c) for c in (*range(0x206A, 0x2070), *range(0xFFF9, 0xFFFC)))
"""Deprecated shaping controls and interlinear annotation marks: also change what is shown."""
INVISIBLE_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5") | frozenset(
    chr(c) for c in (*range(0x180B, 0x1810), *range(0xFE00, 0xFE10))
)
"""Characters that print as nothing (beside the format characters, category Cf)."""


def text_problem(text: str, *, lines: bool = False) -> str | None:
    """Why ``text`` may not be stored or shown, or None when it may (the input rules, README).

    Refused: lone surrogates (bytes that were not UTF-8, or a JSON ``\\ud800`` escape), control
    characters (ESC and so ANSI escape sequences, C1 controls, NUL …; line breaks and tab only
    where ``lines`` allows them, in free text, which reads CRLF and CR as LF), bidirectional
    overrides and isolates and the like.
    """
    # str.isprintable() is False for every category refused below (Cc, Cf, Cs, Zl, Zp) and
    # for a few allowed ones (other spaces, private use, unassigned), so printable text needs
    # no walk character by character (most text, checked thousands of times per journal).
    if (
        text.replace("\n", "").replace("\t", "").replace("\r", "") if lines else text
    ).isprintable():
        return None
    for index, char in enumerate(text):
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, kept by surrogateescape
            return f"not valid UTF-8 (byte 0x{code - 0xDC00:02X} at character {index + 1})"
        if 0xD800 <= code <= 0xDFFF:
            return f"not valid Unicode text (a lone surrogate at character {index + 1})"
        if char in BIDI_CONTROLS or char in OTHER_FORMAT_CONTROLS:
            return f"contains an invisible direction/format control U+{code:04X}"
        if not lines and unicodedata.category(char) in ("Zl", "Zp"):
            return f"contains a line break U+{code:04X} (a name or code is one line)"
        if unicodedata.category(char) == "Cc" and not (lines and char in "\n\t\r"):
            kind = "an escape sequence (ESC)" if char == "\x1b" else "a control character"
            return f"contains {kind} U+{code:04X}"
    return None


def invisible_only(text: str) -> bool:
    """True when ``text`` shows nothing: only spaces, zero-width and other format characters."""
    return all(
        char.isspace() or char in INVISIBLE_FILLERS or unicodedata.category(char) == "Cf"
        for char in text
    )
