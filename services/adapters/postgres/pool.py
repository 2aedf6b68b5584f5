"""Connection pools, each logged in as one service's own database role."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from services.settings import DbRole, Settings


class JsonText(str):
    """JSON already serialized (e.g. by pydantic's own serializer): written to a jsonb column as
    it is, not serialized a second time."""


def _encode_jsonb(value: object) -> bytes:
    if isinstance(value, JsonText):
        return b"\x01" + value.encode()
    return b"\x01" + json.dumps(value, ensure_ascii=False).encode()


def _decode_jsonb(data: bytes) -> object:
    return json.loads(data[1:])  # binary jsonb: a version byte (1), then the JSON text


async def _init(conn: asyncpg.Connection) -> None:
    # Binary format, so that COPY (which the recorder writes with) can carry jsonb columns too.
    await conn.set_type_codec(
        "jsonb", encoder=_encode_jsonb, decoder=_decode_jsonb, schema="pg_catalog", format="binary"
    )


class BoundedPool(asyncpg.pool.Pool):  # type: ignore[misc]
    """A pool whose every acquisition gives up after ``acquire_timeout_s``: when all connections
    are busy (or PostgreSQL is away), a request fails fast with TimeoutError (503 at the API)
    instead of queueing for ever."""

    def __init__(self, *args: Any, acquire_timeout_s: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._acquire_timeout_s = acquire_timeout_s

    def acquire(self, *, timeout: float | None = None) -> Any:
        return super().acquire(timeout=timeout or self._acquire_timeout_s)


async def create_pool(
    settings: Settings, role: DbRole, *, max_size: int | None = None
) -> asyncpg.Pool:
    pool = BoundedPool(
        settings.dsn(role),
        acquire_timeout_s=settings.db_acquire_timeout_s,
        connection_class=asyncpg.Connection,
        record_class=asyncpg.Record,
        min_size=1,
        max_size=max_size or settings.db_pool_max,
        max_queries=50000,
        max_inactive_connection_lifetime=300.0,
        init=_init,
        loop=None,
        command_timeout=60,
    )
    await pool
    return pool


@asynccontextmanager
async def open_pool(
    settings: Settings, role: DbRole, *, max_size: int | None = None
) -> AsyncIterator[asyncpg.Pool]:
    """A pool for one command's lifetime, closed however the command ends."""
    pool = await create_pool(settings, role, max_size=max_size)
    try:
        yield pool
    finally:
        await pool.close()
