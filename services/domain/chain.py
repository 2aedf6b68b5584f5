"""The project's hash chain: canonical bytes, sealing and verification.

hash = SHA-256(prev_hash ‖ RFC 8785 canonical bytes of the record without its hash); the
genesis prev_hash is 32 zero bytes. Canonical bytes are stored exactly as hashed and never
re-derived from a database's JSON, so any language can verify a chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from services.domain import canonical

GENESIS = bytes(32)


def canonical_bytes(record: dict[str, Any]) -> bytes:
    return canonical.dumps(record)


def chain_hash(prev_hash: bytes, canonical: bytes) -> bytes:
    return hashlib.sha256(prev_hash + canonical).digest()


def utc_text(moment: dt.datetime) -> str:
    """RFC 3339 UTC with microseconds: one spelling per instant, so hashes are reproducible."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: qtrail keeps every time zone-aware")
    utc = moment.astimezone(dt.UTC)
    if utc.year < 1000:  # strftime's spelling of such years, kept as it always was
        return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return f"{utc.replace(tzinfo=None).isoformat(timespec='microseconds')}Z"


@dataclass(frozen=True)
class SealedRecord:
    """One fact sealed at position ``seq`` of its project's chain."""

    project_id: str
    seq: int
    event_id: str
    type: str
    canonical: bytes
    """The exact bytes hashed: RFC 8785 of ``body``."""
    body: dict[str, Any]
    prev_hash: bytes
    hash: bytes

    @property
    def occurred_at(self) -> dt.datetime:
        return parse_utc(self.body["occurred_at"])

    @property
    def recorded_at(self) -> dt.datetime:
        return parse_utc(self.body["recorded_at"])

    def to_message(self) -> dict[str, Any]:
        """What the trail topic carries: the record and its hash, hex-encoded."""
        return {"record": self.body, "hash": self.hash.hex()}


def parse_utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def seal(
    *,
    project_id: str,
    seq: int,
    prev_hash: bytes,
    event_id: str,
    event_type: str,
    schema_version: int,
    source: str,
    occurred_at: dt.datetime,
    recorded_at: dt.datetime,
    actor: dict[str, str],
    data: dict[str, Any],
) -> SealedRecord:
    body: dict[str, Any] = {
        "project_id": project_id,
        "seq": seq,
        "event_id": event_id,
        "type": event_type,
        "schema_version": schema_version,
        "source": source,
        "occurred_at": utc_text(occurred_at),
        "recorded_at": utc_text(recorded_at),
        "actor": actor,
        "data": data,
        "prev_hash": prev_hash.hex(),
    }
    canonical = canonical_bytes(body)
    return SealedRecord(
        project_id=project_id,
        seq=seq,
        event_id=event_id,
        type=event_type,
        canonical=canonical,
        body=body,
        prev_hash=prev_hash,
        hash=chain_hash(prev_hash, canonical),
    )


@dataclass(frozen=True)
class StoredLink:
    """A chain row as storage returns it: what was hashed and what was recorded."""

    seq: int
    canonical: bytes
    prev_hash: bytes
    hash: bytes


@dataclass(frozen=True)
class Verification:
    ok: bool
    length: int
    head: bytes
    first_bad_seq: int | None = None
    problem: str | None = None
    checkpoint: int | None = None
    """The signed checkpoint the chain was also checked against, if any."""

    def as_dict(self, project_id: str) -> dict[str, object]:
        """The verdict as the API and the command line print it."""
        return {
            "project": project_id,
            "ok": self.ok,
            "length": self.length,
            "head": self.head.hex(),
            "first_bad_seq": self.first_bad_seq,
            "problem": self.problem,
            "checkpoint": self.checkpoint,
        }


def verify_links(links: Iterable[StoredLink]) -> Verification:
    """Recompute the chain from stored canonical bytes; stop at the first damaged link.

    Checks, per link: seq is the next number, prev_hash is the previous link's hash, the stored
    canonical bytes name the same seq and prev_hash, and the hash recomputes.
    """
    expected_prev = GENESIS
    length = 0
    for link in links:
        expected_seq = length + 1
        if link.seq != expected_seq:
            return Verification(
                False, length, expected_prev, expected_seq, f"missing seq {expected_seq}"
            )
        if link.prev_hash != expected_prev:
            return Verification(False, length, expected_prev, link.seq, "prev_hash does not link")
        try:
            body = json.loads(link.canonical)
        except ValueError:
            return Verification(False, length, expected_prev, link.seq, "record bytes are not JSON")
        if not isinstance(body, dict):
            return Verification(
                False, length, expected_prev, link.seq, "record bytes are not a JSON object"
            )
        if body.get("seq") != link.seq or body.get("prev_hash") != link.prev_hash.hex():
            return Verification(
                False, length, expected_prev, link.seq, "record names another position"
            )
        if chain_hash(link.prev_hash, link.canonical) != link.hash:
            return Verification(
                False, length, expected_prev, link.seq, "record edited: hash mismatch"
            )
        expected_prev = link.hash
        length += 1
    return Verification(True, length, expected_prev)
