"""Connection pools, each logged in as one service's own database role."""

from __future__ import annotations

import json

import asyncpg

from services.settings import DbRole, Settings


def _encode_jsonb(value: object) -> bytes:
    return b"\x01" + json.dumps(value, ensure_ascii=False).encode()


def _decode_jsonb(data: bytes) -> object:
    return json.loads(data[1:])  # binary jsonb: a version byte (1), then the JSON text


async def _init(conn: asyncpg.Connection) -> None:
    # Binary format, so that COPY (which the recorder writes with) can carry jsonb columns too.
    await conn.set_type_codec(
        "jsonb", encoder=_encode_jsonb, decoder=_decode_jsonb, schema="pg_catalog", format="binary"
    )


async def create_pool(
    settings: Settings, role: DbRole, *, max_size: int | None = None
) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        settings.dsn(role),
        min_size=1,
        max_size=max_size or settings.db_pool_max,
        init=_init,
        command_timeout=60,
    )
    assert pool is not None
    return pool
