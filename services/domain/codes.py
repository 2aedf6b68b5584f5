"""Signed codes for reports and plaques: what a QR carries, verifiable offline.

A code is ``base64url(payload) "." base64url(Ed25519 signature)``; the payload is the RFC 8785
form of ``{"k": key id, "t": kind, "p": project, "n": number}``. The key id lets keys rotate: old
codes keep verifying under retired keys, and a code naming an unknown key is invalid.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from services.domain import canonical

REPORT, PLAQUE = "r", "p"


@dataclass(frozen=True)
class Claims:
    key_id: str
    kind: str
    project_id: str
    number: str


class InvalidCode(ValueError):
    """The code is malformed, names an unknown key, or its signature does not verify."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(claims: Claims, key: Ed25519PrivateKey) -> str:
    payload = canonical.dumps(
        {"k": claims.key_id, "t": claims.kind, "p": claims.project_id, "n": claims.number}
    )
    return f"{_b64(payload)}.{_b64(key.sign(payload))}"


def verify(code: str, public_keys: dict[str, Ed25519PublicKey]) -> Claims:
    try:
        payload_text, signature_text = code.split(".")
        payload = _unb64(payload_text)
        signature = _unb64(signature_text)
        body = json.loads(payload)
        claims = Claims(str(body["k"]), str(body["t"]), str(body["p"]), str(body["n"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidCode("malformed code") from exc
    key = public_keys.get(claims.key_id)
    if key is None:
        raise InvalidCode(f"unknown signing key {claims.key_id}")
    try:
        expected = canonical.dumps(body)
    except (ValueError, TypeError, OverflowError) as exc:  # NaN, huge integers: not canonical JSON
        raise InvalidCode("payload is not canonical JSON") from exc
    if expected != payload:
        raise InvalidCode("payload is not in canonical form")
    try:
        key.verify(signature, payload)
    except InvalidSignature as exc:
        raise InvalidCode("signature does not verify") from exc
    return claims


def claimed(code: str) -> tuple[str, str] | None:
    """(key id, project) a code claims, without trusting either (to count a forgery against
    the project it names)."""
    try:
        body = json.loads(_unb64(code.split(".")[0]))
    except (ValueError, TypeError, RecursionError):
        return None
    if not isinstance(body, dict) or not all(isinstance(body.get(k), str) for k in ("k", "p")):
        return None
    return body["k"][:64], body["p"][:64]
