"""Signing keys: the active key signs new codes; retired keys only verify old ones.

Keys come from ``QTRAIL_SIGNING_KEYS`` (JSON ``{"key id": "base64 raw Ed25519 private key"}``) with
``QTRAIL_SIGNING_KEY_ID`` naming the active one and ``QTRAIL_SIGNING_DISABLED`` listing key ids that
must no longer verify. In development mode, when none are set, a key is generated once and kept in
<state dir>/signing-keys.json; outside development a missing key refuses to start.

The log of chain heads signs its C2SP checkpoint notes with the same keys, named by the log's
origin (``QTRAIL_LOG_ORIGIN``): the active key signs, every key that still verifies is published
as a note verifier key, so a rotation leaves old checkpoints verifiable.
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
from services.domain.transparency.cosignature import CosignatureVerifier
from services.domain.transparency.keys import (
    COSIGNATURE_V1,
    ED25519,
    MalformedKey,
    SignerKey,
    VerifierKey,
)
from services.domain.transparency.note import Ed25519Signer, Ed25519Verifier
from services.settings import Mode, Settings

DEFAULT_ORIGIN = "qtrail.invalid/log"
"""The origin of a Signer built without one (tests); a deployment's comes from its settings."""


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


class BadWitnessKey(ValueError):
    pass


def witness_verifiers(settings: Settings) -> list[CosignatureVerifier]:
    """The witnesses the log accepts cosignatures from (``QTRAIL_WITNESS_KEYS``)."""
    verifiers = []
    for text in settings.witness_key_texts():
        try:
            key = VerifierKey.parse(text)
        except MalformedKey as exc:
            raise BadWitnessKey(f"QTRAIL_WITNESS_KEYS: {text!r}: {exc}") from None
        if key.signature_type != COSIGNATURE_V1:
            raise BadWitnessKey(f"QTRAIL_WITNESS_KEYS: {text!r} is not a cosignature/v1 key")
        verifiers.append(CosignatureVerifier(key))
    return verifiers


class Signer:
    def __init__(
        self,
        keys: dict[str, Ed25519PrivateKey],
        active: str,
        disabled: set[str],
        origin: str = DEFAULT_ORIGIN,
    ) -> None:
        if active not in keys:
            raise SigningKeysMissing(f"active signing key {active} is not among the keys")
        if active in disabled:
            raise SigningKeysMissing(
                f"active signing key {active} is disabled: it could sign nothing verifiable"
            )
        self.active = active
        self.log_origin = origin
        self._keys = keys
        self._public = {kid: k.public_key() for kid, k in keys.items() if kid not in disabled}

    @classmethod
    def from_settings(cls, settings: Settings) -> Signer:
        configured = settings.signing_keys.get_secret_value()
        disabled = {k.strip() for k in settings.signing_disabled.split(",") if k.strip()}
        if configured:
            keys = {kid: _private(raw) for kid, raw in json.loads(configured).items()}
            active = settings.signing_key_id or next(iter(keys))
            return cls(keys, active, disabled, settings.origin())
        if settings.mode is not Mode.DEVELOPMENT:
            raise SigningKeysMissing(
                "set QTRAIL_SIGNING_KEYS and QTRAIL_SIGNING_KEY_ID outside development mode"
            )
        stored = _development_keys(Path(settings.state_dir) / "signing-keys.json")
        keys = {kid: _private(raw) for kid, raw in stored.items()}
        return cls(keys, settings.signing_key_id or sorted(keys)[-1], disabled, settings.origin())

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

    @property
    def note_signer(self) -> Ed25519Signer:
        """The log's checkpoint signer: the active key, named by the origin."""
        return Ed25519Signer(SignerKey.of(self.log_origin, self._keys[self.active], ED25519))

    @property
    def note_keys(self) -> list[VerifierKey]:
        """Every note verifier key of the log, the active one first, then the older ones that
        still verify (a disabled key is no longer published)."""
        order = [self.active, *sorted(k for k in self._public if k != self.active)]
        return [VerifierKey.of(self.log_origin, self._public[kid], ED25519) for kid in order]

    @property
    def note_verifiers(self) -> list[Ed25519Verifier]:
        return [Ed25519Verifier(key) for key in self.note_keys]
