"""API keys: random, shown once, stored as SHA-256 hashes; revocation takes effect at once.

A token is ``qtk_<key id>.<secret>``. The secret has 256 bits of entropy, so a plain SHA-256 is
enough (a slow password hash protects low-entropy secrets, which these are not).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

import asyncpg

from services.domain.access import KeyKind, Principal

PREFIX = "qtk_"
_KEY_ID = re.compile(r"[0-9a-f]{12}")


@dataclass(frozen=True)
class KeyInfo:
    key_id: str
    org_code: str
    kind: str
    label: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None


def principal_of(key_id: str, row: asyncpg.Record) -> Principal:
    """The caller of a key row joined with its station (a regulator's jurisdiction)."""
    return Principal(
        key_id=key_id,
        org=row["org_code"],
        kind=KeyKind(row["kind"]),
        jurisdiction=tuple(row["jurisdiction"] or ()),
    )


def _hash(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


class KeyStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def create(self, org_code: str, kind: KeyKind, label: str) -> tuple[str, str]:
        """Returns (key id, token). The token is never stored and cannot be shown again."""
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        await self._pool.execute(
            """INSERT INTO api_keys (key_id, org_code, kind, label, secret_hash, created_at)
               VALUES ($1, $2, $3, $4, $5, $6)""",
            key_id,
            org_code,
            kind.value,
            label,
            _hash(secret),
            dt.datetime.now(dt.UTC),
        )
        return key_id, f"{PREFIX}{key_id}.{secret}"

    async def list(self, org_code: str | None = None) -> list[KeyInfo]:
        rows = await self._pool.fetch(
            """SELECT key_id, org_code, kind, label, created_at, revoked_at FROM api_keys
               WHERE $1::text IS NULL OR org_code = $1 ORDER BY created_at""",
            org_code,
        )
        return [KeyInfo(**dict(r)) for r in rows]

    async def revoke(self, key_id: str) -> bool:
        status = await self._pool.execute(
            "UPDATE api_keys SET revoked_at = $2 WHERE key_id = $1 AND revoked_at IS NULL",
            key_id,
            dt.datetime.now(dt.UTC),
        )
        return bool(status.endswith(" 1"))

    async def authenticate(self, token: str) -> Principal | None:
        if not token.startswith(PREFIX) or "." not in token:
            return None
        key_id, _, secret = token[len(PREFIX) :].partition(".")
        if not _KEY_ID.fullmatch(key_id):
            return None
        row = await self._pool.fetchrow(
            """SELECT k.org_code, k.kind, k.secret_hash, k.revoked_at, s.jurisdiction
               FROM api_keys k LEFT JOIN stations s
                 ON s.code = k.org_code AND k.kind = 'regulator'
               WHERE k.key_id = $1""",
            key_id,
        )
        if row is None or row["revoked_at"] is not None:
            return None
        if not hmac.compare_digest(bytes(row["secret_hash"]), _hash(secret)):
            return None
        return principal_of(key_id, row)
