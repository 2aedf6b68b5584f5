"""Whether PostgreSQL really answers, for the health check."""

from __future__ import annotations

import asyncio

import asyncpg


class DatabaseHealth:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def answers(self, timeout_s: float = 3.0) -> bool:
        """True when a query comes back within ``timeout_s``; any failure is False."""
        try:
            return bool(await asyncio.wait_for(self._pool.fetchval("SELECT 1"), timeout=timeout_s))
        except Exception:
            return False
