"""Regulators' web sessions, kept server-side: the cookie carries a random token, never a key.

A session ends at its expiry, at logout, or as soon as the key it was opened with is revoked (every
request re-reads the key). Only the token's SHA-256 is stored, so the table leaks no live token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import asyncpg

from services.adapters.postgres.keys import principal_of
from services.domain.access import Principal

TTL = dt.timedelta(hours=8)
"""A working day; after it, sign in again."""


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


class WebSessions:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def open(self, principal: Principal, now: dt.datetime) -> str:
        """A new session for ``principal``; returns the token for the cookie."""
        token = secrets.token_urlsafe(32)
        await self._pool.execute(
            """INSERT INTO web_sessions (token_hash, key_id, created_at, expires_at)
               VALUES ($1, $2, $3, $4)""",
            _hash(token),
            principal.key_id,
            now,
            now + TTL,
        )
        return token

    async def principal(self, token: str, now: dt.datetime) -> Principal | None:
        """Who a live session belongs to; None when unknown, ended, expired or its key revoked."""
        if len(token) > 128:
            return None
        row = await self._pool.fetchrow(
            """SELECT k.key_id, k.org_code, k.kind, st.jurisdiction
               FROM web_sessions s JOIN api_keys k ON k.key_id = s.key_id
               LEFT JOIN stations st ON st.code = k.org_code AND k.kind = 'regulator'
               WHERE s.token_hash = $1 AND s.ended_at IS NULL AND s.expires_at > $2
                 AND k.revoked_at IS NULL""",
            _hash(token),
            now,
        )
        if row is None:
            return None
        return principal_of(row["key_id"], row)

    async def end(self, token: str, now: dt.datetime) -> None:
        await self._pool.execute(
            "UPDATE web_sessions SET ended_at = $2 WHERE token_hash = $1 AND ended_at IS NULL",
            _hash(token),
            now,
        )
