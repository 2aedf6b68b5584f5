"""Witness cosignatures, cosignature/v1 (c2sp.org/tlog-cosignature, the Ed25519 kind).

A witness that checked a checkpoint is consistent with every earlier one it saw adds a note
signature of type 0x04 whose bytes are ``timestamp (8 bytes, big-endian) ‖ Ed25519 signature``
over the message

    cosignature/v1
    time <timestamp, POSIX seconds>
    <the checkpoint body, extension lines included>

The header keeps a cosignature from ever passing as the log's own signature, and the key id is
computed with type 0x04, so the same Ed25519 key cannot be confused across the two roles. The
witness attests the first three lines only; the extension lines are signed but not vouched for.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature

from services.domain.transparency.checkpoint import CheckpointBody, MalformedCheckpoint
from services.domain.transparency.keys import COSIGNATURE_V1, SignerKey, VerifierKey
from services.domain.transparency.note import NoteSignature

HEADER = "cosignature/v1\n"
MAX_TIMESTAMP = (1 << 63) - 1


def cosigned_message(body_text: str, timestamp: int) -> bytes:
    """The bytes a cosignature signs; ``body_text`` must be a checkpoint body."""
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise ValueError("a cosignature time is 0 … 2^63 − 1 POSIX seconds")
    CheckpointBody.parse(body_text)
    return f"{HEADER}time {timestamp}\n{body_text}".encode()


def cosignature_time(signature: NoteSignature) -> int:
    """The POSIX time a cosignature says it was made (unverified: open the note first)."""
    if len(signature.signature) != 8 + 64:
        raise ValueError("a cosignature/v1 signature is 72 bytes")
    return int.from_bytes(signature.signature[:8], "big")


@dataclass(frozen=True)
class CosignatureVerifier:
    """Checks one witness's cosignatures; a note verifier, so ``open_note`` applies it."""

    key: VerifierKey

    def __post_init__(self) -> None:
        if self.key.signature_type != COSIGNATURE_V1:
            raise ValueError("a cosignature verifier takes a type 0x04 key")

    @property
    def name(self) -> str:
        return self.key.name

    @property
    def key_id(self) -> int:
        return self.key.key_id

    def verify(self, text: bytes, signature: bytes) -> bool:
        if len(signature) != 8 + 64:
            return False
        timestamp = int.from_bytes(signature[:8], "big")
        try:
            message = cosigned_message(text.decode(), timestamp)
            self.key.ed25519.verify(signature[8:], message)
        except (ValueError, MalformedCheckpoint, InvalidSignature):
            return False
        return True


@dataclass(frozen=True)
class Cosigner:
    """A witness's signing key."""

    key: SignerKey

    def __post_init__(self) -> None:
        if self.key.signature_type != COSIGNATURE_V1:
            raise ValueError("a cosigner takes a type 0x04 key")

    @property
    def name(self) -> str:
        return self.key.name

    @property
    def key_id(self) -> int:
        return self.key.key_id

    def cosign(self, body_text: str, timestamp: int) -> NoteSignature:
        """The cosignature of ``body_text`` at ``timestamp``: the caller passes the time (the
        witness reads its clock, not this module)."""
        message = cosigned_message(body_text, timestamp)
        signature = timestamp.to_bytes(8, "big") + self.key.ed25519.sign(message)
        return NoteSignature(self.name, self.key_id, signature)

    def at(self, timestamp: int) -> TimedCosigner:
        """This cosigner as a note signer fixed at ``timestamp``, for ``sign_note``."""
        return TimedCosigner(self, timestamp)


@dataclass(frozen=True)
class TimedCosigner:
    cosigner: Cosigner
    timestamp: int

    @property
    def name(self) -> str:
        return self.cosigner.name

    @property
    def key_id(self) -> int:
        return self.cosigner.key_id

    def sign(self, text: bytes) -> bytes:
        return self.cosigner.cosign(text.decode(), self.timestamp).signature
