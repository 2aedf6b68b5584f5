"""Signed tree heads over the log of project chain heads, and the audit of a stored log.

The log's leaves are appended, never changed: at each checkpoint, one leaf for every project whose
head moved. So RFC 6962 consistency proofs show that a later checkpoint extends an earlier one, and
a regulator who kept an old tree head detects any rewritten history.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from services.domain import canonical, merkle
from services.domain.chain import utc_text
from services.domain.transparency.checkpoint import (
    CheckpointBody,
    LogCheckpoint,
    MalformedCheckpoint,
    open_checkpoint,
)
from services.domain.transparency.keys import ED25519, MalformedKey, VerifierKey
from services.domain.transparency.note import Ed25519Verifier, NoteError, parse_note


def leaf_bytes(project_id: str, seq: int, head: bytes) -> bytes:
    return canonical.dumps({"project": project_id, "seq": seq, "head": head.hex()})


def read_leaf(leaf: bytes) -> tuple[str, int, bytes]:
    body = json.loads(leaf)
    return str(body["project"]), int(body["seq"]), bytes.fromhex(body["head"])


def tree_head_bytes(number: int, size: int, root: bytes, at: dt.datetime, key_id: str) -> bytes:
    return canonical.dumps(
        {
            "v": 1,
            "checkpoint": number,
            "size": size,
            "root": root.hex(),
            "at": utc_text(at),
            "key": key_id,
        }
    )


@dataclass(frozen=True)
class TreeHead:
    number: int
    size: int
    root: bytes
    at: str
    key_id: str

    @classmethod
    def parse(cls, raw: bytes) -> TreeHead:
        body = json.loads(raw)
        if not isinstance(body, dict):
            raise ValueError("a tree head is a JSON object")
        if type(body.get("v")) is not int or body["v"] != 1 or canonical.dumps(body) != raw:
            raise ValueError("not a version 1 tree head in canonical form")
        return cls(
            int(body["checkpoint"]),
            int(body["size"]),
            bytes.fromhex(body["root"]),
            str(body["at"]),
            str(body["key"]),
        )


class Signed(Protocol):
    """A signed tree head as stored: the columns, and the exact bytes that were signed."""

    @property
    def number(self) -> int: ...
    @property
    def tree_size(self) -> int: ...
    @property
    def root(self) -> bytes: ...
    @property
    def tree_head(self) -> bytes: ...
    @property
    def key_id(self) -> str: ...
    @property
    def signature(self) -> bytes: ...


@dataclass(frozen=True)
class Checkpoint:
    """A signed tree head with its columns: what the checkpoint log keeps and serves."""

    number: int
    tree_size: int
    root: bytes
    tree_head: bytes
    key_id: str
    signature: bytes
    signed_at: dt.datetime
    note: str | None = None
    """The same tree head as a C2SP signed note (the log's signature only; witnesses'
    cosignatures are kept apart). None for checkpoints signed before notes were."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "tree_size": self.tree_size,
            "root": self.root.hex(),
            "tree_head": self.tree_head.decode(),
            "key_id": self.key_id,
            "signature": self.signature.hex(),
            "signed_at": self.signed_at.isoformat(),
            "note": self.note,
        }

    def log_checkpoint(self, origin: str) -> LogCheckpoint:
        """This tree head in the C2SP form, under the log's ``origin``."""
        return LogCheckpoint(origin, self.tree_size, self.root, self.number, self.signed_at)


@dataclass(frozen=True)
class StoredLeaf:
    """A row of the checkpoint log: the columns used to find it, and the exact bytes hashed."""

    index: int
    project_id: str
    seq: int
    head: bytes
    leaf: bytes


def signature_holds(key: Ed25519PublicKey | None, signature: bytes, data: bytes) -> bool:
    if key is None:
        return False
    try:
        key.verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


def audit_log(
    leaves: Sequence[StoredLeaf], signed: Signed, keys: Mapping[str, Ed25519PublicKey]
) -> str | None:
    """What is wrong with a stored log against its signed tree head, or None when it holds.

    ``leaves`` are the stored rows in index order, exactly the first ``signed.tree_size`` of the
    log. The tree head must parse and agree with the stored columns, its signature must verify
    with one of ``keys``, every row's columns must be what its leaf bytes say, and the leaves must
    hash to the signed root: so nobody edited, removed, inserted or reordered a leaf.
    """
    number = signed.number
    try:
        head = TreeHead.parse(signed.tree_head)
    except (ValueError, KeyError, TypeError):
        return f"checkpoint {number}: the stored tree head is malformed"
    if (head.number, head.size, head.root, head.key_id) != (
        number,
        signed.tree_size,
        signed.root,
        signed.key_id,
    ):
        return f"checkpoint {number}: the stored columns differ from the signed tree head"
    if signed.key_id not in keys:
        return f"checkpoint {number} is signed by key {signed.key_id}, which no longer verifies"
    if not signature_holds(keys[signed.key_id], signed.signature, signed.tree_head):
        return f"checkpoint {number}: the signature does not verify"
    if len(leaves) != head.size:
        return f"the log holds {len(leaves)} leaves where checkpoint {number} signed {head.size}"
    for position, row in enumerate(leaves):
        if row.index != position:
            return f"leaf {position} of the log is missing"
        try:
            said = read_leaf(row.leaf)
        except (ValueError, KeyError, TypeError):
            return f"leaf {position} of the log is malformed"
        if said != (row.project_id, row.seq, row.head):
            return f"leaf {position} of the log was edited: its columns differ from its bytes"
    if merkle.root([merkle.leaf_hash(row.leaf) for row in leaves]) != head.root:
        return f"the log's leaves no longer hash to the root checkpoint {number} signed"
    return None


def open_log_note(note: str, keys: Iterable[Ed25519PublicKey]) -> LogCheckpoint:
    """A checkpoint note of qtrail's log, opened with ``keys`` under the note's own origin (one
    of them must have signed it; witnesses' cosignatures are left unchecked). ValueError, with
    the reason, otherwise."""
    try:
        body = CheckpointBody.parse(parse_note(note)[0])
        verifiers = {
            (v.name, v.key_id): v
            for v in (Ed25519Verifier(VerifierKey.of(body.origin, k, ED25519)) for k in keys)
        }
        return LogCheckpoint.from_body(open_checkpoint(note, body.origin, verifiers.values()).body)
    except (NoteError, MalformedCheckpoint, MalformedKey) as exc:
        raise ValueError(str(exc)) from None


def note_problem(signed: Checkpoint, keys: Mapping[str, Ed25519PublicKey]) -> str | None:
    """What is wrong with a checkpoint's stored C2SP note, or None when it holds (or there is
    none): one of ``keys`` must have signed it under its own origin, and it must say the number,
    size, root and time of the signed tree head it sits beside."""
    if signed.note is None:
        return None
    number = signed.number
    try:
        said = open_log_note(signed.note, keys.values())
    except ValueError as exc:
        return f"checkpoint {number}: the stored note does not verify ({exc})"
    if (said.number, said.size, said.root, said.signed_at) != (
        number,
        signed.tree_size,
        signed.root,
        signed.signed_at,
    ):
        return f"checkpoint {number}: the stored note differs from the signed tree head"
    return None
