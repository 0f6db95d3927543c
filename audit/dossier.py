"""Case dossiers: a case's events, their hashes, the latest checkpoint and the proof that links
the case to the signed head — verifiable offline with the public key alone.

The proof is the global chain hash just before the case's first event and, for every event from
there to the checkpoint's position, ``[position, aggregate id, version, topic, sha256(state)]``
(the event's digest without its content): recomputing the chain from it must reach the signed
head, the case's own events must sit in it at their positions, and every event of the case in
the signed log must be in the dossier (none left out at the end).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from disputes.audit.chain import GENESIS, event_digest, link_case, link_global
from disputes.audit.checkpoint import Checkpoint, public_hex, signature_valid
from disputes.audit.log import list_checkpoints, read_chain
from disputes.domain.errors import CaseNotFound, RuleViolation
from disputes.domain.model import dispute_id
from disputes.storage.store import Store
from disputes.storage.views import P

FORMAT = "disputes-dossier/2"


def export_dossier(store: Store, case_no: str) -> dict[str, Any]:
    """Build the dossier of ``case_no`` against the latest checkpoint.

    Raises CaseNotFound; RuleViolation when there is no checkpoint or the case has events
    recorded after the latest one (take a checkpoint first).
    """
    oid = dispute_id(case_no).hex
    chain = read_chain(store.views)
    rows = [r for r in chain if r.originator_id == oid]
    if not rows:
        raise CaseNotFound(case_no)
    checkpoints = list_checkpoints(store.views)
    if not checkpoints:
        msg = "no checkpoint yet: run `disputes checkpoint` first"
        raise RuleViolation(msg)
    checkpoint = checkpoints[-1]
    if rows[-1].position > checkpoint.position:
        msg = (
            f"{case_no} has events recorded after the latest checkpoint "
            f"(position {checkpoint.position}): run `disputes checkpoint` first"
        )
        raise RuleViolation(msg)
    first = rows[0].position
    events = {
        int(r[0]): (str(r[1]), int(r[2]), str(r[3]), bytes(r[4]))
        for r in store.views.stream(
            f"SELECT {store.views.position_column}, originator_id, originator_version, topic,"
            f" state FROM {store.views.events_table}"
            f" WHERE {store.views.position_column} BETWEEN {P} AND {P}",
            (first, checkpoint.position),
        )
    }
    states = {position: (topic, state) for position, (_, _, topic, state) in events.items()}
    before = [r for r in chain if r.position < first]
    return {
        "format": FORMAT,
        "case_no": case_no,
        "originator_id": oid,
        "events": [
            {
                "position": r.position,
                "version": r.version,
                "topic": states[r.position][0],
                "state": states[r.position][1].decode("utf-8"),
                "digest": r.digest,
                "case_hash": r.case_hash,
                "chain_hash": r.chain_hash,
            }
            for r in rows
        ],
        "checkpoint": checkpoint.as_json(),
        "proof": {
            "previous_chain_hash": before[-1].chain_hash if before else GENESIS,
            "links": [
                [
                    r.position,
                    r.originator_id,
                    r.version,
                    events[r.position][2],
                    hashlib.sha256(events[r.position][3]).hexdigest(),
                ]
                for r in chain
                if first <= r.position <= checkpoint.position
            ],
        },
    }


def verify_dossier(data: Any, key: Ed25519PublicKey) -> list[str]:
    """Every problem with a dossier (empty when it verifies). Needs no store.

    Checks: the shape; the checkpoint's signature with ``key``; the proof's chain reaching the
    signed head; each event's digest from its content; the case chain from version 1; each
    event in the signed log at its position with its chain hash; every event of the case in
    the signed log present in the dossier.
    """
    problems: list[str] = []
    try:
        events = data["events"]
        checkpoint = Checkpoint(**{k: v for k, v in data["checkpoint"].items() if k != "id"})
        previous = data["proof"]["previous_chain_hash"]
        links = [
            (int(p), str(o), int(v), str(t), str(s)) for p, o, v, t, s in data["proof"]["links"]
        ]
        oid = str(data["originator_id"])
        if not isinstance(events, list) or not isinstance(previous, str):
            raise TypeError("events or previous_chain_hash")
        if data.get("format") != FORMAT:
            problems.append(f"format: expected {FORMAT}")
    except (KeyError, TypeError, ValueError) as exc:
        return [f"not a complete dossier: missing or malformed {exc}"]
    if checkpoint.public_key != public_hex(key):
        problems.append("checkpoint: signed with a different key than --key")
    if not signature_valid(checkpoint, key):
        problems.append("checkpoint: the signature does not verify with --key")
    try:
        if UUID(oid) != dispute_id(str(data["case_no"])):
            problems.append("case_no: does not match the events' aggregate id")
    except ValueError:
        problems.append("originator_id: not a UUID")

    signed = _signed_log(previous, links, checkpoint, problems)
    problems.extend(_event_problems(oid, events, signed))
    return problems


Signed = dict[int, tuple[str, int, str, str]]
"""The signed log by position: (aggregate id, version, digest, global chain hash)."""


def _signed_log(
    previous: str,
    links: list[tuple[int, str, int, str, str]],
    checkpoint: Checkpoint,
    problems: list[str],
) -> Signed:
    """The signed log from the case's first event to the checkpoint, recomputed from the
    proof; appends a problem when it does not reach the signed head."""
    chain = previous
    last_position = -1
    signed: Signed = {}
    for position, link_oid, version, topic, state_hash in links:
        if position <= last_position:
            problems.append(f"proof: position {position} out of order")
        digest = _digest(link_oid, version, topic, state_hash)
        chain = link_global(chain, position, digest)
        signed[position] = (link_oid.replace("-", ""), version, digest, chain)
        last_position = position
    if last_position != checkpoint.position or chain != checkpoint.chain_hash:
        problems.append("proof: the chain does not reach the signed checkpoint head")
    return signed


def _event_problems(oid: str, events: list[Any], signed: Signed) -> list[str]:
    """The case's events against their digests, the case chain and the signed log."""
    problems: list[str] = []
    case_hash = GENESIS
    listed: set[int] = set()
    for index, event in enumerate(events, start=1):
        try:
            version, position = int(event["version"]), int(event["position"])
            digest = event_digest(oid, version, event["topic"], event["state"].encode("utf-8"))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            problems.append(f"event {index}: malformed ({exc})")
            continue
        listed.add(position)
        if version != index:
            problems.append(f"event {index}: version {version} out of order (expected {index})")
        if digest != event.get("digest"):
            problems.append(f"event v{version}: content does not match its digest (edited)")
        if link_case(case_hash, digest) != event.get("case_hash"):
            problems.append(f"event v{version}: case chain broken")
        case_hash = str(event.get("case_hash"))
        entry = signed.get(position)
        if entry is None or entry[2] != digest:
            problems.append(f"event v{version}: not in the signed log at position {position}")
        elif entry[3] != event.get("chain_hash"):
            problems.append(f"event v{version}: chain hash does not match the signed log")
    own = oid.replace("-", "")
    missing = sorted(
        (version, position)
        for position, (link_oid, version, _, _) in signed.items()
        if link_oid == own and position not in listed
    )
    if missing:
        versions = ", ".join(f"v{version} (position {position})" for version, position in missing)
        problems.append(f"events: the signed log has {versions} of the case, missing here")
    return problems


def _digest(oid: str, version: int, topic: str, state_hash: str) -> str:
    """An event's digest from its parts, the state given by its SHA-256 (see chain.py)."""
    message = json.dumps([oid.replace("-", ""), version, topic, state_hash], separators=(",", ":"))
    return hashlib.sha256(message.encode()).hexdigest()


def load_dossier(text: str) -> Any:
    """Parse a dossier file's text; raises ValueError with the JSON error."""
    return json.loads(text)
