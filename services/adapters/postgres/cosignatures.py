"""Witnesses' cosignatures of the log's checkpoints in PostgreSQL (append-only, first one kept)."""

from __future__ import annotations

import datetime as dt

import asyncpg

from services.domain.transparency.note import NoteSignature


class CosignatureStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def add(self, number: int, cosignature: NoteSignature, at: dt.datetime) -> bool:
        status = await self._pool.execute(
            """INSERT INTO cosignatures (checkpoint, witness, key_id, signature, received_at)
               VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING""",
            number,
            cosignature.name,
            cosignature.key_id,
            cosignature.signature,
            at,
        )
        return bool(status == "INSERT 0 1")

    async def of(self, number: int) -> list[NoteSignature]:
        rows = await self._pool.fetch(
            """SELECT witness, key_id, signature FROM cosignatures
               WHERE checkpoint = $1 ORDER BY witness, key_id""",
            number,
        )
        return [NoteSignature(r["witness"], r["key_id"], bytes(r["signature"])) for r in rows]

    async def latest_witnessed(self) -> tuple[int, list[str]] | None:
        """The newest checkpoint any witness cosigned, and the witnesses that did."""
        rows = await self._pool.fetch(
            """SELECT checkpoint, witness FROM cosignatures
               WHERE checkpoint = (SELECT max(checkpoint) FROM cosignatures)
               ORDER BY received_at, witness"""
        )
        if not rows:
            return None
        return rows[0]["checkpoint"], list(dict.fromkeys(r["witness"] for r in rows))
