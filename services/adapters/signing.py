"""Signing keys: the active key signs new codes; retired keys only verify old ones.

Keys come from ``QTRAIL_SIGNING_KEYS`` (JSON ``{"key id": "base64 raw Ed25519 private key"}``) with
``QTRAIL_SIGNING_KEY_ID`` naming the active one and ``QTRAIL_SIGNING_DISABLED`` listing key ids that
must no longer verify. In development mode, when none are set, a key is generated once and kept in
<state dir>/signing-keys.json; outside development a missing key refuses to start.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from services.domain.codes import Claims, sign, verify
from services.settings import Mode, Settings


class SigningKeysMissing(RuntimeError):
    pass


def _private(raw_b64: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(raw_b64))


def _raw(key: Ed25519PrivateKey) -> str:
    return base64.b64encode(
        key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    ).decode()


def _development_keys(path: Path) -> dict[str, str]:
    """The development key file, created exactly once even when processes start together."""
    path.parent.mkdir(parents=True, exist_ok=True)
    candidate = json.dumps({f"dev-{secrets.token_hex(3)}": _raw(Ed25519PrivateKey.generate())})
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another process is writing it
            text = path.read_text()
            if text:
                loaded: dict[str, str] = json.loads(text)
                return loaded
            time.sleep(0.02)
        raise SigningKeysMissing(f"{path} stays empty") from None
    with os.fdopen(fd, "w") as f:
        f.write(candidate)
    created: dict[str, str] = json.loads(candidate)
    return created


class Signer:
    def __init__(self, keys: dict[str, Ed25519PrivateKey], active: str, disabled: set[str]) -> None:
        if active not in keys:
            raise SigningKeysMissing(f"active signing key {active} is not among the keys")
        if active in disabled:
            raise SigningKeysMissing(
                f"active signing key {active} is disabled: it could sign nothing verifiable"
            )
        self.active = active
        self._keys = keys
        self._public = {kid: k.public_key() for kid, k in keys.items() if kid not in disabled}

    @classmethod
    def from_settings(cls, settings: Settings) -> Signer:
        configured = settings.signing_keys.get_secret_value()
        disabled = {k.strip() for k in settings.signing_disabled.split(",") if k.strip()}
        if configured:
            keys = {kid: _private(raw) for kid, raw in json.loads(configured).items()}
            return cls(keys, settings.signing_key_id or next(iter(keys)), disabled)
        if settings.mode is not Mode.DEVELOPMENT:
            raise SigningKeysMissing(
                "set QTRAIL_SIGNING_KEYS and QTRAIL_SIGNING_KEY_ID outside development mode"
            )
        stored = _development_keys(Path(settings.state_dir) / "signing-keys.json")
        keys = {kid: _private(raw) for kid, raw in stored.items()}
        return cls(keys, settings.signing_key_id or sorted(keys)[-1], disabled)

    def sign(self, kind: str, project_id: str, number: str) -> str:
        return sign(Claims(self.active, kind, project_id, number), self._keys[self.active])

    def sign_bytes(self, data: bytes) -> bytes:
        return self._keys[self.active].sign(data)

    def verify(self, code: str) -> Claims:
        return verify(code, self._public)

    def knows(self, key_id: str) -> bool:
        """Whether ``key_id`` is one of ours, verifying or disabled."""
        return key_id in self._keys

    def public_keys(self) -> dict[str, str]:
        return {
            kid: base64.b64encode(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()
            for kid, key in self._public.items()
        }

    @property
    def verifying_keys(self) -> dict[str, Ed25519PublicKey]:
        return dict(self._public)
