"""Connection pools for the services' role."""

from __future__ import annotations

import json

import asyncpg

from services.settings import Settings


async def _init(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def create_pool(settings: Settings, *, max_size: int | None = None) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        settings.dsn(),
        min_size=1,
        max_size=max_size or settings.db_pool_max,
        init=_init,
        command_timeout=60,
    )
    assert pool is not None
    return pool
