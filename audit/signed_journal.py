"""Signed journals (issue 14): how reports cross from the intake-only instance on the public side
to the main store on the police network, one way, as a file an administrator carries and
applies.

A signed journal is one JSON object:

``{"format": "disputes-signed-journal/1", "made_at": …, "source": …, "public_key": <hex>,
"journal": <command journal text, JSON Lines>, "attachments": {<sha256>: <base64>},
"signature": <hex>}``

The signature is Ed25519 (the ``cryptography`` package, as for checkpoints) over the canonical
JSON of every other field (keys sorted, no spaces, UTF-8). :func:`read_signed` refuses a file
that is not this shape, is signed by any key but the pinned one (``--key``), whose signature
does not match (one changed byte anywhere), or whose photos do not hash to their names.

What a journal holds: one ``report`` line per report made on the intake instance, each with
its command id, actor (the grid worker), occurred time and the photos' hashes, so applying the
same file (or an overlapping later one) twice records nothing twice. Each line's ``case`` is
the intake's case number as an alias: the main store numbers the case in its own sequence, and
``apply --json`` lists which intake number became which.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature

from disputes.domain.clock import local_iso
from disputes.domain.errors import InvalidInput, RuleViolation

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

    from disputes.storage.store import Store

FORMAT = "disputes-signed-journal/1"
MAX_FILE_BYTES = 200_000_000


class SignedJournalRefused(RuleViolation):
    """A signed journal that is forged, altered or signed by another key (exit 1)."""

    def __init__(self, path: Path, why: str, zh: str) -> None:
        super().__init__(
            f"signed journal {path} refused: {why}; nothing was applied",
            zh=f"签名日志 {path} 被拒绝：{zh}；未导入任何内容",
        )


@dataclass(frozen=True)
class SignedJournal:
    """A verified journal: its lines and its photos (bytes by hash)."""

    lines: list[str]
    attachments: dict[str, bytes]
    source: str
    made_at: str


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def sign_journal(
    key: Ed25519PrivateKey,
    lines: list[str],
    attachments: dict[str, bytes],
    source: str,
) -> str:
    """The text of a signed journal of ``lines`` (JSON Lines) and ``attachments``."""
    from cryptography.hazmat.primitives import serialization

    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    body: dict[str, Any] = {
        "format": FORMAT,
        "made_at": local_iso(datetime.now(UTC)),
        "source": source,
        "public_key": public.hex(),
        "journal": "".join(f"{line}\n" for line in lines),
        "attachments": {
            sha: base64.b64encode(data).decode("ascii") for sha, data in attachments.items()
        },
    }
    body["signature"] = key.sign(_canonical(body)).hex()
    return json.dumps(body, ensure_ascii=False, indent=1) + "\n"


def read_signed(path: Path, key: Ed25519PublicKey) -> SignedJournal:
    """Read and verify a signed journal against the pinned public ``key``. Raises
    :class:`SignedJournalRefused` (forged, altered, another key) or InvalidInput (unreadable)."""
    from cryptography.hazmat.primitives import serialization

    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InvalidInput(str(path), f"larger than {MAX_FILE_BYTES} bytes")
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise InvalidInput(str(path), f"cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise SignedJournalRefused(path, "not UTF-8 text", "不是 UTF-8 文本") from None
    try:
        body = json.loads(text)
    except (json.JSONDecodeError, RecursionError, ValueError):
        raise SignedJournalRefused(
            path, "not a signed journal (not JSON)", "不是签名日志"
        ) from None
    keys = {"format", "made_at", "source", "public_key", "journal", "attachments", "signature"}
    if not isinstance(body, dict) or set(body) != keys or body.get("format") != FORMAT:
        raise SignedJournalRefused(path, "not a signed journal of this format", "格式不符")
    if not all(isinstance(body[k], str) for k in keys - {"attachments"}) or not isinstance(
        body["attachments"], dict
    ):
        raise SignedJournalRefused(path, "a field has the wrong type", "字段类型不符")
    pinned = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()
    if body["public_key"] != pinned:
        raise SignedJournalRefused(
            path, "signed by another key than --key", "签名密钥与 --key 指定的公钥不一致"
        )
    signature = body.pop("signature")
    try:
        key.verify(bytes.fromhex(signature), _canonical(body))
    except (InvalidSignature, ValueError):
        raise SignedJournalRefused(
            path,
            "the signature does not match its content (forged or altered)",
            "签名与内容不符（伪造或被篡改）",
        ) from None
    attachments: dict[str, bytes] = {}
    for sha, data in body["attachments"].items():
        raw = base64.b64decode(str(data), validate=True)
        if hashlib.sha256(raw).hexdigest() != sha:
            raise SignedJournalRefused(
                path, f"photo {sha[:12]}… does not match its hash", "照片与哈希不符"
            )
        attachments[sha] = raw
    lines = [line for line in body["journal"].split("\n") if line.strip()]
    return SignedJournal(lines, attachments, body["source"], body["made_at"])


def intake_lines(store: Store) -> tuple[list[str], dict[str, bytes]]:
    """Every report recorded in ``store`` (an intake instance's) as journal lines, with the
    bytes of their photos."""
    from disputes.storage.attachments import Attachments

    kept = Attachments(store.views)
    lines: list[str] = []
    photos: dict[str, bytes] = {}
    for event in store.dispute_events():
        if event.name != "Reported":
            continue
        attachments = list(getattr(event, "attachments", None) or [])
        args: dict[str, Any] = {
            "category": event.category,  # type: ignore[attr-defined]
            "source": event.source,  # type: ignore[attr-defined]
            "village": event.village,  # type: ignore[attr-defined]
            "summary": event.summary,  # type: ignore[attr-defined]
            "parties": event.parties,  # type: ignore[attr-defined]
        }
        if event.people_involved is not None:  # type: ignore[attr-defined]
            args["people_involved"] = event.people_involved  # type: ignore[attr-defined]
        if attachments:
            args["attachments"] = attachments
            for photo in attachments:
                stored = kept.get(str(photo["sha256"]))
                if stored is not None:
                    photos[stored.sha256] = stored.data
        line = {
            "id": event.command_id,
            "at": local_iso(event.occurred_at),
            "actor": event.actor,
            "command": "report",
            # The intake's number, as the line's alias: `apply --json` maps it to the number
            # the main store gives the case (its own sequence).
            "case": event.case_no,  # type: ignore[attr-defined]
            "args": args,
        }
        lines.append(json.dumps(line, ensure_ascii=False))
    return lines, photos


def write_new(path: Path, text: str) -> None:
    """Write ``text`` to a new file (never replace one). Raises InvalidInput."""
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise InvalidInput("--out", f"{path} exists; choose another path") from None
    except OSError as exc:
        raise InvalidInput("--out", f"cannot write {path}: {exc.strerror}") from None
