"""Which evidence files were received, by whom; the bytes are in the evidence store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import asyncpg


class EvidenceLog:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def note(self, sha256: str, size: int, media_type: str, org: str) -> bool:
        """True when this is the first upload of the file."""
        status = await self._pool.execute(
            """INSERT INTO evidence (sha256, size, media_type, uploaded_by, uploaded_at)
               VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING""",
            sha256,
            size,
            media_type,
            org,
            dt.datetime.now(dt.UTC),
        )
        return bool(status.endswith(" 1"))

    async def describe(self, sha256: str) -> asyncpg.Record | None:
        return await self._pool.fetchrow(
            "SELECT sha256, size, media_type, uploaded_by, uploaded_at FROM evidence WHERE sha256 = $1",
            sha256,
        )

    async def received(self, hashes: Iterable[str]) -> set[str]:
        rows = await self._pool.fetch(
            "SELECT sha256 FROM evidence WHERE sha256 = ANY($1::text[])", list(hashes)
        )
        return {r["sha256"] for r in rows}
