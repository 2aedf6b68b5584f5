"""Fixed material for the C2SP transparency tests: keys, names and a small log of chain heads.

The keys are derived from fixed bytes (log: 00 01 … 1f, witness: 20 21 … 3f) and Ed25519 signs
deterministically, so the notes below are the same on every run and can be frozen in tests.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.domain import merkle
from services.domain.checkpoint import leaf_bytes
from services.domain.transparency.checkpoint import LogCheckpoint, sign_checkpoint
from services.domain.transparency.cosignature import CosignatureVerifier, Cosigner
from services.domain.transparency.keys import COSIGNATURE_V1, ED25519, SignerKey
from services.domain.transparency.note import Ed25519Signer, Ed25519Verifier, parse_note, sign_note

ORIGIN = "qtrail.example/xuzhou/log"
WITNESS = "archive.xuzhou.example/witness"
SIGNED_AT = dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC)
COSIGNED_AT = 1777622460  # 2026-05-01T08:01:00Z

LOG_KEY = SignerKey.of(ORIGIN, Ed25519PrivateKey.from_private_bytes(bytes(range(32))), ED25519)
WITNESS_KEY = SignerKey.of(
    WITNESS, Ed25519PrivateKey.from_private_bytes(bytes(range(32, 64))), COSIGNATURE_V1
)
LOG_SIGNER = Ed25519Signer(LOG_KEY)
LOG_VERIFIER = Ed25519Verifier(LOG_KEY.verifier)
COSIGNER = Cosigner(WITNESS_KEY)
WITNESS_VERIFIER = CosignatureVerifier(WITNESS_KEY.verifier)


def leaves(size: int) -> list[bytes]:
    """``size`` leaves as the checkpointer writes them: one moved head per project."""
    return [
        leaf_bytes(f"XZ-TLOG-{i:06d}", i % 7 + 1, hashlib.sha256(i.to_bytes(8, "big")).digest())
        for i in range(size)
    ]


def leaf_hashes(size: int) -> list[bytes]:
    return [merkle.leaf_hash(leaf) for leaf in leaves(size)]


def checkpoint(size: int, number: int = 1) -> LogCheckpoint:
    return LogCheckpoint(ORIGIN, size, merkle.root(leaf_hashes(size)), number, SIGNED_AT)


def signed(size: int, number: int = 1) -> str:
    """The log's checkpoint note of the first ``size`` leaves."""
    return sign_checkpoint(checkpoint(size, number).body(), LOG_SIGNER)


def witnessed(size: int, number: int = 1) -> str:
    """The same note with the witness's cosignature after the log's signature."""
    text, signatures = parse_note(signed(size, number))
    return sign_note(text, [COSIGNER.at(COSIGNED_AT)], keep=signatures)
