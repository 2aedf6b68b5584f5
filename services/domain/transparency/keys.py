"""Note keys as c2sp.org/signed-note defines them: names, 4-byte key ids, verifier and signer keys.

A verifier key (vkey) is the text ``<name>+<key id hex>+<base64(type ‖ public key)>``: what a
regulator, a witness or any tlog client is configured with. The signer key is the same with
``PRIVATE+KEY+`` in front and the 32-byte Ed25519 seed in place of the public key, the spelling
Go's golang.org/x/mod/sumdb/note reads, so a key can move between implementations.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

ED25519 = 0x01
"""Signature type of plain Ed25519 note signatures: the log's own signature on its checkpoint."""
COSIGNATURE_V1 = 0x04
"""Signature type of timestamped Ed25519 witness cosignatures (c2sp.org/tlog-cosignature)."""
SIGNATURE_TYPES = (ED25519, COSIGNATURE_V1)

_KEY_ID_HEX = re.compile(r"[0-9a-f]{8}")


class MalformedKey(ValueError):
    """A key text that is not a well-formed, self-consistent key."""


def valid_key_name(name: str) -> bool:
    """Key names are non-empty and hold no Unicode space and no plus: the plus separates the
    parts of a key text, a space ends the name on a signature line."""
    return bool(name) and "+" not in name and not any(ch.isspace() for ch in name)


def key_id(name: str, signature_type: int, public_key: bytes) -> int:
    """SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4], big-endian: binds the name and the type,
    so one key reused under another name or for another type gets another id."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([signature_type]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def strict_b64decode(text: str) -> bytes:
    """Standard base64 with padding, in its one canonical spelling: two spellings of the same
    bytes would let a note change without its signature noticing."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as e:
        raise ValueError(f"not standard base64: {e}") from None
    if base64.b64encode(raw).decode() != text:
        raise ValueError("not canonical base64")
    return raw


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class VerifierKey:
    """A named Ed25519 public key of one signature type."""

    name: str
    signature_type: int
    public_key: bytes

    def __post_init__(self) -> None:
        if not valid_key_name(self.name):
            raise MalformedKey(f"invalid key name {self.name!r}")
        if self.signature_type not in SIGNATURE_TYPES:
            raise MalformedKey(f"unsupported signature type 0x{self.signature_type:02x}")
        if len(self.public_key) != 32:
            raise MalformedKey("an Ed25519 public key is 32 bytes")

    @classmethod
    def of(cls, name: str, key: Ed25519PublicKey, signature_type: int = ED25519) -> VerifierKey:
        return cls(name, signature_type, _raw_public(key))

    @property
    def key_id(self) -> int:
        return key_id(self.name, self.signature_type, self.public_key)

    @property
    def ed25519(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.public_key)

    def text(self) -> str:
        material = b64(bytes([self.signature_type]) + self.public_key)
        return f"{self.name}+{self.key_id:08x}+{material}"

    @classmethod
    def parse(cls, text: str) -> VerifierKey:
        """Read a vkey, refusing one whose key id does not match its name, type and key."""
        parts = text.split("+", 2)
        if len(parts) != 3:
            raise MalformedKey("a verifier key is <name>+<key id>+<base64 key>")
        name, hex_id, material = parts
        if not _KEY_ID_HEX.fullmatch(hex_id):
            raise MalformedKey("the key id is 8 lowercase hex digits")
        try:
            raw = strict_b64decode(material)
        except ValueError as e:
            raise MalformedKey(f"the key material is {e}") from None
        if not raw:
            raise MalformedKey("the key material is empty")
        key = cls(name, raw[0], raw[1:])
        if key.key_id != int(hex_id, 16):
            raise MalformedKey("the key id does not match the name and key")
        return key


@dataclass(frozen=True)
class SignerKey:
    """A named Ed25519 private key of one signature type; its repr never shows the seed."""

    name: str
    signature_type: int
    seed: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not valid_key_name(self.name):
            raise MalformedKey(f"invalid key name {self.name!r}")
        if self.signature_type not in SIGNATURE_TYPES:
            raise MalformedKey(f"unsupported signature type 0x{self.signature_type:02x}")
        if len(self.seed) != 32:
            raise MalformedKey("an Ed25519 private key is a 32-byte seed")

    @classmethod
    def of(cls, name: str, key: Ed25519PrivateKey, signature_type: int = ED25519) -> SignerKey:
        return cls(
            name, signature_type, key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        )

    @property
    def ed25519(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    @property
    def verifier(self) -> VerifierKey:
        return VerifierKey(self.name, self.signature_type, _raw_public(self.ed25519.public_key()))

    @property
    def key_id(self) -> int:
        return self.verifier.key_id

    def text(self) -> str:
        material = b64(bytes([self.signature_type]) + self.seed)
        return f"PRIVATE+KEY+{self.name}+{self.key_id:08x}+{material}"

    @classmethod
    def parse(cls, text: str) -> SignerKey:
        parts = text.split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise MalformedKey("a signer key is PRIVATE+KEY+<name>+<key id>+<base64 key>")
        _, _, name, hex_id, material = parts
        if not _KEY_ID_HEX.fullmatch(hex_id):
            raise MalformedKey("the key id is 8 lowercase hex digits")
        try:
            raw = strict_b64decode(material)
        except ValueError:
            raise MalformedKey("the key material is not canonical base64") from None
        if not raw:
            raise MalformedKey("the key material is empty")
        key = cls(name, raw[0], raw[1:])
        if key.key_id != int(hex_id, 16):
            raise MalformedKey("the key id does not match the name and key")
        return key
