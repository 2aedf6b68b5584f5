"""The live read models a rebuild compares against: each project's snapshot and its alerts."""

from __future__ import annotations

from collections import defaultdict

import asyncpg


class LiveReadModels:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def live_states(self) -> dict[str, dict[str, object]]:
        rows = await self._pool.fetch("SELECT project_id, state FROM project_heads")
        return {r["project_id"]: r["state"] for r in rows}

    async def alert_ids(self) -> dict[str, set[str]]:
        found: dict[str, set[str]] = defaultdict(set)
        for row in await self._pool.fetch("SELECT project_id, alert_id FROM alerts"):
            found[row["project_id"]].add(row["alert_id"])
        return found
