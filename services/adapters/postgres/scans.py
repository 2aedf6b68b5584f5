"""Plaque scans: counted per day and code, and forged codes per project and day.

Everything here is written on behalf of anonymous phones, so every write is an upsert into a row
that already bounds it: scans of invalid codes share one row a day, and forged codes count against
the project they name only when it exists (one row a day per project).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import asyncpg


class PlaqueScans:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def count(self, code: str, result: str, at: dt.datetime) -> None:
        digest = hashlib.sha256(code.encode()).hexdigest()[:32] if result != "invalid" else "-"
        await self._pool.execute(
            """INSERT INTO plaque_scans (day, code_digest, result, scans) VALUES ($1, $2, $3, 1)
               ON CONFLICT (day, code_digest, result) DO UPDATE SET scans = plaque_scans.scans + 1""",
            at.date(),
            digest,
            result,
        )

    async def forged(self, project_id: str, reason: str, at: dt.datetime) -> None:
        """One more forged scan for ``project_id`` today (nothing if the project does not exist)."""
        await self._pool.execute(
            """INSERT INTO forged_scans (project_id, day, scans, first_at, last_at, last_reason)
               SELECT project_id, $2, 1, $3, $3, $4 FROM project_heads WHERE project_id = $1
               ON CONFLICT (project_id, day) DO UPDATE
               SET scans = forged_scans.scans + 1, last_at = EXCLUDED.last_at,
                   last_reason = EXCLUDED.last_reason""",
            project_id,
            at.date(),
            at,
            reason,
        )

    async def forged_alerts(self, project_id: str) -> list[dict[str, Any]]:
        """Each day with forged scans of this project's plaques, as an alert."""
        rows = await self._pool.fetch(
            """SELECT day, scans, first_at, last_at, last_reason FROM forged_scans
               WHERE project_id = $1 ORDER BY day""",
            project_id,
        )
        return [
            {
                "alert_id": f"forged_plaque:{r['day']}",
                "kind": "forged_plaque",
                "severity": "critical",
                "message_zh": f"{r['day']} 扫描到无效的标牌二维码 {r['scans']} 次（最近：{r['last_reason']}）",
                "message_en": (
                    f"an invalid plaque code naming this project was scanned {r['scans']} time(s)"
                    f" on {r['day']} (last: {r['last_reason']})"
                ),
                "blocking": False,
                "events": [],
                "raised_at": r["first_at"].isoformat(),
                "scans": r["scans"],
                "last_scan_at": r["last_at"].isoformat(),
            }
            for r in rows
        ]
