"""A store that cannot be written or opened, in words: the database errors of SQLite, PostgreSQL
(psycopg) and the eventsourcing library's wrappers of them become one
:class:`~disputes.domain.errors.StoreError` (exit 2) naming the store and the cause — the disk is
full, the store is read-only, it stayed locked, the server went away — instead of a traceback.

A failed write changed nothing: SQLite and PostgreSQL roll the transaction back, and the events
of a command are written in one transaction. (When a PostgreSQL connection drops during the
commit, the client cannot know; re-sending the command with the same ``--command-id`` is safe.)
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
from pathlib import Path

from eventsourcing.domain import OriginatorIDError, OriginatorVersionError
from eventsourcing.persistence import MapperDeserialisationError, PersistenceError

from disputes.domain.errors import StoreError

LOW_SPACE = 1 << 20
"""Free bytes under which an SQLite I/O error is put down to a full disk."""

READ_ONLY_SQLSTATE = "25006"  # read_only_sql_transaction
DISK_FULL_SQLSTATES = ("53100", "53200")  # disk_full, out_of_memory


DAMAGE = (MapperDeserialisationError, OriginatorVersionError, OriginatorIDError)
"""What the library raises reading a log that was edited by hand: an event that no longer
decodes, a version missing from a case."""


def is_store_failure(exc: BaseException) -> bool:
    """True for an error raised by the store itself (not by a rule or an input)."""
    if isinstance(exc, (PersistenceError, sqlite3.Error, *DAMAGE)):
        return True
    psycopg = sys.modules.get("psycopg")  # only loaded for postgresql:// stores
    return psycopg is not None and isinstance(exc, psycopg.Error)


def store_failure(exc: BaseException, location: str) -> StoreError:
    """The StoreError of ``exc``: "store {location}: {cause}".

    ``location`` must already be fit for messages (a URL's password redacted).
    """
    cause = describe(exc, location)
    return StoreError(f"store {location}: {cause}", zh=f"数据库 {location} 出错：{cause}")


def describe(exc: BaseException, location: str) -> str:
    """The cause of a store error in a few words, with the driver's own message after it."""
    root = exc
    while isinstance(root, PersistenceError) and isinstance(root.__cause__, Exception):
        root = root.__cause__  # the library wraps the driver's error
    text = _first_line(root)
    if isinstance(root, DAMAGE):
        return (
            f"the store's events are damaged ({type(root).__name__}: {text}); "
            "`disputes verify` names what was changed — restore the store from a backup"
        )
    if isinstance(root, sqlite3.Error):
        name = getattr(root, "sqlite_errorname", "") or ""
        if name == "SQLITE_FULL" or (name.startswith("SQLITE_IOERR") and _low_space(location)):
            return f"the disk is full ({text})"
        if name.startswith("SQLITE_READONLY") or not _writable(location):
            return f"the store is read-only ({text})"
        if name.startswith("SQLITE_BUSY"):
            return f"another process kept the store locked ({text})"
        if name in ("SQLITE_CORRUPT", "SQLITE_NOTADB"):
            return f"the file is damaged or not a disputes store ({text})"
        return text
    sqlstate = getattr(root, "sqlstate", None)
    if sqlstate == READ_ONLY_SQLSTATE:
        return f"the database is read-only ({text})"
    if sqlstate in DISK_FULL_SQLSTATES:
        return f"the database server is out of space ({text})"
    return text


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _sqlite_path(location: str) -> Path | None:
    if "://" in location or location == ":memory:":
        return None
    return Path(location)


def _low_space(location: str) -> bool:
    path = _sqlite_path(location)
    if path is None:
        return False
    try:
        return shutil.disk_usage(path.parent).free < LOW_SPACE
    except OSError:
        return False


def _writable(location: str) -> bool:
    """False when the SQLite file, or its folder (WAL needs files beside it), is read-only."""
    path = _sqlite_path(location)
    if path is None:
        return True
    if path.exists() and not os.access(path, os.W_OK):
        return False
    return not path.parent.exists() or os.access(path.parent, os.W_OK)
