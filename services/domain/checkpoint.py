"""Signed tree heads over the log of project chain heads, and what a checkpoint says of one chain.

The log's leaves are appended, never changed: at each checkpoint, one leaf for every project whose
head moved. So RFC 6962 consistency proofs show that a later checkpoint extends an earlier one, and
a regulator who kept an old tree head detects any rewritten history.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import rfc8785

from services.domain.chain import utc_text


def leaf_bytes(project_id: str, seq: int, head: bytes) -> bytes:
    return rfc8785.dumps({"project": project_id, "seq": seq, "head": head.hex()})


def read_leaf(leaf: bytes) -> tuple[str, int, bytes]:
    body = json.loads(leaf)
    return str(body["project"]), int(body["seq"]), bytes.fromhex(body["head"])


def tree_head_bytes(number: int, size: int, root: bytes, at: dt.datetime, key_id: str) -> bytes:
    return rfc8785.dumps(
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
    def parse(cls, canonical: bytes) -> TreeHead:
        body = json.loads(canonical)
        if not isinstance(body, dict):
            raise ValueError("a tree head is a JSON object")
        if type(body.get("v")) is not int or body["v"] != 1 or rfc8785.dumps(body) != canonical:
            raise ValueError("not a version 1 tree head in canonical form")
        return cls(
            int(body["checkpoint"]),
            int(body["size"]),
            bytes.fromhex(body["root"]),
            str(body["at"]),
            str(body["key"]),
        )


def against_checkpoint(
    chain: list[bytes], checkpointed_seq: int, checkpointed_head: bytes
) -> str | None:
    """Damage a checkpoint reveals in a chain (``chain`` = hashes by seq, from 1): None when consistent."""
    if len(chain) < checkpointed_seq:
        return f"truncated tail: the checkpoint holds seq {checkpointed_seq}, the chain ends at {len(chain)}"
    if chain[checkpointed_seq - 1] != checkpointed_head:
        return f"history rewritten: seq {checkpointed_seq} differs from the checkpointed head"
    return None
