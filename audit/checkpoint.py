"""Signed checkpoints: an Ed25519 signature (the ``cryptography`` package) over the head of the
global chain, so that a later rewrite of the log — even one that recomputes every hash — no
longer matches what was signed.

Each checkpoint is itself recorded in the log: a stored event of the aggregate
:data:`CHECKPOINTS_ID` (topic :data:`CHECKPOINT_TOPIC`, the checkpoint's JSON as its state),
written through the chained recorder, so it is an entry of the global chain like any event and
deleting it breaks the chain. (Stores from before kept their checkpoints in a ``checkpoints``
table, outside the chain; those are still read and checked.)

A *witness file* (JSON Lines, one signed head a line) keeps the heads outside the store: an
auditor or the district holds it, and ``verify --witness`` fails on any rewrite or rollback
behind a head it holds.

Key files: ``disputes keygen --out KEY`` writes a PKCS#8 PEM private key (mode 0600) at KEY and
its public key at KEY.pub. The signing key is named by ``--key`` or ``DISPUTES_SIGNING_KEY``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID, uuid5

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from disputes.domain.errors import InvalidInput

KEY_ENV = "DISPUTES_SIGNING_KEY"

CHECKPOINTS_ID = uuid5(UUID(int=0), "disputes:checkpoints")
"""The aggregate id of the checkpoint records in the log (version n: the n-th checkpoint)."""
CHECKPOINT_TOPIC = "disputes.audit:Checkpoint"
"""The topic of a checkpoint record (no class: the projections and replays never read it)."""
WITNESS_FORMAT = "disputes-witness/1"


@dataclass(frozen=True)
class Checkpoint:
    """A signed head: the global chain hash at notification id ``position``.

    ``signed_at`` is ISO 8601 (+08:00); ``public_key`` and ``signature`` are hex (raw bytes).
    """

    position: int
    chain_hash: str
    signed_at: str
    public_key: str
    signature: str
    id: int | None = None

    def message(self) -> bytes:
        """The signed bytes: canonical JSON of what the checkpoint asserts."""
        return checkpoint_message(self.position, self.chain_hash, self.signed_at)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "position": self.position,
            "chain_hash": self.chain_hash,
            "signed_at": self.signed_at,
            "public_key": self.public_key,
            "signature": self.signature,
        }


def record_state(checkpoint: Checkpoint) -> bytes:
    """The stored state of a checkpoint record: canonical JSON of the signed head."""
    return json.dumps(
        {k: v for k, v in checkpoint.as_json().items() if k != "id"},
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


def from_json(data: Any, id_: int | None = None) -> Checkpoint:
    """A checkpoint from its JSON (a record's state or a witness line); raises ValueError when
    a field is missing or of the wrong type."""
    try:
        fields = (data["chain_hash"], data["signed_at"], data["public_key"], data["signature"])
        position = data["position"]
    except (KeyError, TypeError) as exc:
        raise ValueError(f"missing {exc}") from None
    if not isinstance(position, int) or not all(isinstance(f, str) for f in fields):
        raise ValueError("a field of the wrong type")
    return Checkpoint(position, *fields, id=id_)


def append_witness(path: Path) -> Any:
    """Open the witness file ``path`` for appending (created when missing, never truncated);
    raises InvalidInput naming ``--witness`` when it cannot be opened."""
    try:
        return path.open("a", encoding="utf-8")
    except OSError as exc:
        raise InvalidInput("--witness", f"cannot append to {path}: {exc.strerror}") from None


def witness_line(checkpoint: Checkpoint) -> str:
    """One witness line: the signed head, as JSON."""
    return json.dumps({"format": WITNESS_FORMAT, **checkpoint.as_json()}, sort_keys=True) + "\n"


def read_witness(path: Path) -> list[Checkpoint]:
    """Every signed head in a witness file, in file order. Raises InvalidInput naming
    ``--witness`` when the file cannot be read or a line is not a witnessed head."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput("--witness", f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InvalidInput("--witness", f"{path} is not a witness file (not UTF-8)") from None
    heads: list[Checkpoint] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            if not isinstance(data, dict) or data.get("format") != WITNESS_FORMAT:
                raise ValueError(f"not {WITNESS_FORMAT}")
            heads.append(from_json(data, data.get("id")))
        except ValueError as exc:
            msg = f"{path} line {number} is not a witnessed head: {exc}"
            raise InvalidInput("--witness", msg) from None
    return heads


def checkpoint_message(position: int, chain_hash: str, signed_at: str) -> bytes:
    return json.dumps(
        {
            "chain_hash": chain_hash,
            "position": position,
            "signed_at": signed_at,
            "what": "disputes global chain head",
        },
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


def generate_key(out: Path) -> tuple[Path, Path]:
    """Write a new Ed25519 key pair: ``out`` (private, 0600) and ``out.pub``.

    Raises :class:`InvalidInput` when ``out`` exists (never overwrite a key).
    """
    if out.exists():
        raise InvalidInput("--out", f"{out} exists; refusing to overwrite a key")
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(private)
    pub = Path(f"{out}.pub")
    pub.write_bytes(public)
    return out, pub


def load_private_key(path: str | None) -> Ed25519PrivateKey:
    """Load the signing key from ``path`` or ``$DISPUTES_SIGNING_KEY``.

    Raises :class:`InvalidInput` naming the option when missing, unreadable or not Ed25519.
    """
    chosen = path or os.environ.get(KEY_ENV)
    if not chosen:
        raise InvalidInput("--key", f"no signing key: give --key FILE or set {KEY_ENV}")
    try:
        key = serialization.load_pem_private_key(Path(chosen).read_bytes(), password=None)
    except OSError as exc:
        raise InvalidInput("--key", f"cannot read {chosen}: {exc.strerror}") from None
    except (ValueError, TypeError) as exc:
        raise InvalidInput("--key", f"{chosen} is not a PEM private key: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidInput("--key", f"{chosen} is not an Ed25519 key")
    return key


def load_public_key(path: str) -> Ed25519PublicKey:
    """Load a PEM public key (or the public half of a PEM private key). Raises InvalidInput."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InvalidInput("--key", f"cannot read {path}: {exc.strerror}") from None
    try:
        public = serialization.load_pem_public_key(data)
    except ValueError:
        try:
            private = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError):
            raise InvalidInput("--key", f"{path} is not a PEM Ed25519 key") from None
        public = private.public_key()
    if not isinstance(public, Ed25519PublicKey):
        raise InvalidInput("--key", f"{path} is not an Ed25519 key")
    return public


def public_hex(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def sign(key: Ed25519PrivateKey, position: int, chain_hash: str, signed_at: str) -> Checkpoint:
    signature = key.sign(checkpoint_message(position, chain_hash, signed_at))
    return Checkpoint(
        position, chain_hash, signed_at, public_hex(key.public_key()), signature.hex()
    )


def signature_valid(checkpoint: Checkpoint, key: Ed25519PublicKey | None = None) -> bool:
    """True when the checkpoint's signature verifies (with ``key``, else its own public key)."""
    try:
        verifier = key or Ed25519PublicKey.from_public_bytes(bytes.fromhex(checkpoint.public_key))
        verifier.verify(bytes.fromhex(checkpoint.signature), checkpoint.message())
    except (InvalidSignature, ValueError):
        return False
    return True
