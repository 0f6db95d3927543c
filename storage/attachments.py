"""Attachments (issue 14): the photos a grid worker sends with a report, kept in the store.

A report's event names each photo by its content hash (``Reported.attachments``: sha256, type,
size); the bytes live here, one row per hash, in the table ``attachments`` of the store's own
database (SQLite or PostgreSQL, through the view connection). Keyed by content, a photo sent
twice is kept once, and a row whose bytes no longer hash to their key is seen on reading
(:meth:`Attachments.get` refuses it). The bytes are stored as base64 text, the one column type
both databases read alike.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from disputes.storage.views import ViewDatabase

TABLE = "attachments"
DDL = (
    f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    sha256 TEXT PRIMARY KEY,
    media_type TEXT NOT NULL,
    size {{integer}} NOT NULL,
    data TEXT NOT NULL
)""",
)

SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def sniff(data: bytes) -> str | None:
    """The image type of ``data`` by its first bytes (JPEG, PNG, WebP), whatever its sender
    claimed; None for anything else."""
    for magic, media_type in SIGNATURES:
        if data.startswith(magic):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def digest(data: bytes) -> str:
    """The content hash an event records: SHA-256, hex."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Stored:
    """One attachment as kept: its hash, type, size and bytes."""

    sha256: str
    media_type: str
    size: int
    data: bytes


class Attachments:
    """The attachments table of a store (created on first use)."""

    def __init__(self, db: ViewDatabase) -> None:
        self.db = db
        with db.transaction() as cursor:
            for ddl in DDL:
                cursor.execute(ddl)

    def put(self, data: bytes, media_type: str) -> Stored:
        """Keep ``data`` (a photo of ``media_type``) under its hash; a second copy is a no-op."""
        key = digest(data)
        if not self.has(key):
            text = base64.b64encode(data).decode("ascii")
            with self.db.transaction() as cursor:
                cursor.execute(
                    f"INSERT INTO {TABLE} (sha256, media_type, size, data) "
                    "VALUES ({?}, {?}, {?}, {?})",
                    (key, media_type, len(data), text),
                )
        return Stored(key, media_type, len(data), data)

    def has(self, sha256: str) -> bool:
        return bool(self.db.query(f"SELECT 1 AS one FROM {TABLE} WHERE sha256 = {{?}}", [sha256]))

    def get(self, sha256: str) -> Stored | None:
        """The attachment of ``sha256``; None when there is none, or when its bytes no longer
        hash to it (an edited row is never served)."""
        rows = self.db.query(
            f"SELECT media_type, size, data FROM {TABLE} WHERE sha256 = {{?}}", [sha256]
        )
        if not rows:
            return None
        data = base64.b64decode(str(rows[0]["data"]))
        if digest(data) != sha256:
            return None
        return Stored(sha256, str(rows[0]["media_type"]), int(rows[0]["size"]), data)
