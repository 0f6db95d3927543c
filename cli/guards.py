"""What the CLI checks before a verb runs and escapes on the way out (README, "Exit codes" and
"Input rules"): arguments and settings that are not valid text, files a verb would overwrite or
could not create, and user text inside error messages.

Only the standard library and :mod:`disputes.domain.text` are imported here: the argument check
runs on every start, before anything else is loaded.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from disputes.domain.text import BIDI_CONTROLS, OTHER_FORMAT_CONTROLS, text_problem

if TYPE_CHECKING:
    from pathlib import Path

SETTINGS_ENV = (
    "DISPUTES_DB",
    "DISPUTES_ACTOR",
    "DISPUTES_LANG",
    "DISPUTES_POLICY",
    "DISPUTES_SIGNING_KEY",
    "DISPUTES_SERVER",
)
"""The environment variables the CLI reads: held to the same rules as its arguments."""


def argv_problem(args: Sequence[str], environ: Mapping[str, str] = os.environ) -> str | None:
    """Why the command line cannot be taken as text, or None. An argument with bytes that are
    not UTF-8 reaches Python as lone surrogates; one with an escape sequence or a direction
    override would reach the terminal again in a message. Newlines and tabs are allowed (free
    text may hold them)."""
    for index, arg in enumerate(args):
        problem = text_problem(arg, lines=True)
        if problem:
            before = args[index - 1] if index and args[index - 1].startswith("-") else None
            what = f"the value of {before}" if before else f"argument {index + 1}"
            hint = "; the shell must send UTF-8 text" if "surrogate" in problem else ""
            return f"{what}: {problem}{hint}"
    for name in SETTINGS_ENV:
        problem = text_problem(environ.get(name, ""))
        if problem:
            return f"{name}: {problem}"
    return None


def printable(text: str) -> str:
    """``text`` safe for a terminal: lone surrogates, control characters (newline and tab
    aside) and direction/format controls as ``\\x1b`` / ``\\u202e`` escapes. Messages quote
    what the user sent; this keeps a quoted value from moving the cursor or reordering a line,
    and from failing to encode."""
    out: list[str] = []
    for char in text:
        code = ord(char)
        unsafe = (
            0xD800 <= code <= 0xDFFF
            or char in BIDI_CONTROLS
            or char in OTHER_FORMAT_CONTROLS
            or (unicodedata.category(char) == "Cc" and char not in "\n\t")
        )
        if not unsafe:
            out.append(char)
        elif code <= 0xFF:
            out.append(f"\\x{code:02x}")
        else:
            out.append(f"\\u{code:04x}")
    return "".join(out)


def new_file(path: Path, option: str) -> None:
    """Refuse (InvalidInput, exit 2) to write ``path`` when it exists or its folder does not:
    a verb that writes a file never replaces one, and names the path it cannot create."""
    from disputes.domain.errors import InvalidInput

    try:
        exists = path.exists() or path.is_symlink()
        folder_exists = path.parent.is_dir()
    except OSError as exc:  # a name too long, a file where a folder should be …
        raise InvalidInput(option, f"cannot create {path}: {exc.strerror}") from None
    if exists:
        msg = f"{path} already exists; nothing was written. Choose a path that does not exist yet"
        raise InvalidInput(option, msg)
    if not folder_exists:
        msg = f"cannot create {path}: the folder {path.parent} does not exist; create it or "
        raise InvalidInput(option, msg + "choose another")


def open_new(path: Path, option: str) -> int:
    """Create ``path`` exclusively (it must not exist; see :func:`new_file`); returns the file
    descriptor. Raises InvalidInput naming the option and the path when the OS refuses."""
    from disputes.domain.errors import InvalidInput

    new_file(path, option)
    try:
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        msg = f"{path} already exists; nothing was written. Choose a path that does not exist yet"
        raise InvalidInput(option, msg) from None
    except OSError as exc:
        raise InvalidInput(option, f"cannot create {path}: {exc.strerror}") from None
