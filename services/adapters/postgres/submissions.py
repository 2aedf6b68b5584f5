"""What the gateway took in, and what it refused: status ``pending`` and the refusal log."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import asyncpg

MAX_KEPT_BODY = 64 * 1024


class SubmissionLog:
    def __init__(self, pool: asyncpg.Pool, receipts: asyncpg.Pool | None = None) -> None:
        """``receipts``, if given, is a pool with asynchronous commit for ``note_received``."""
        self._pool = pool
        self._receipts = receipts or pool

    async def note_received(
        self, rows: list[tuple[str, str, str, bytes]], at: dt.datetime
    ) -> set[str]:
        """Record (event id, project id, type, digest) as received; returns the ids seen for the
        first time.

        One statement, one round trip. The API gives it a pool with asynchronous commit:
        Kafka's acknowledgement is what makes an event durable; this row only lets a status
        query answer "pending" before the recorder decides.
        """
        fresh = await self._receipts.fetch(
            """INSERT INTO submissions (event_id, project_id, type, received_at, digest)
               SELECT id, project, type, $4, digest
               FROM unnest($1::text[], $2::text[], $3::text[], $5::bytea[])
                    AS s(id, project, type, digest)
               ON CONFLICT (event_id) DO NOTHING RETURNING event_id""",
            [r[0] for r in rows],
            [r[1] for r in rows],
            [r[2] for r in rows],
            at,
            [r[3] for r in rows],
        )
        return {r["event_id"] for r in fresh}

    async def note_refused(
        self,
        *,
        endpoint: str,
        status: int,
        errors: list[dict[str, Any]],
        body: bytes,
        event_id: str | None,
        at: dt.datetime,
    ) -> None:
        await self._pool.execute(
            """INSERT INTO ingest_rejections (received_at, endpoint, event_id, status, errors, body)
               VALUES ($1, $2, $3, $4, $5, $6)""",
            at,
            endpoint,
            event_id,
            status,
            json.loads(json.dumps(errors)),
            body[:MAX_KEPT_BODY],
        )
