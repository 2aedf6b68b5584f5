"""The recorder's rejections of a project, as the regulator's timeline lists them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True)
class RecordedRejection:
    """A rejected event: its id and type when they could be read, why, and when."""

    event_id: str | None
    type: str | None
    reason_code: str
    message_zh: str
    message_en: str
    rejected_at: dt.datetime


class ProjectRejections:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def of_project(self, project_id: str) -> list[RecordedRejection]:
        """Every rejection recorded for ``project_id``, oldest first."""
        rows = await self._pool.fetch(
            "SELECT event_id, type, reason_code, message_zh, message_en, rejected_at FROM rejections "
            "WHERE project_id = $1 ORDER BY rejected_at",
            project_id,
        )
        return [
            RecordedRejection(
                event_id=row["event_id"],
                type=row["type"],
                reason_code=row["reason_code"],
                message_zh=row["message_zh"],
                message_en=row["message_en"],
                rejected_at=row["rejected_at"],
            )
            for row in rows
        ]
