"""The alerts table's one writer: the recorder's batches and the checkpointer's refusals both
raise alerts, each at most once per (project, alert id)."""

from __future__ import annotations

from collections.abc import Iterable

import asyncpg

from services.domain.state import Alert

_INSERT = """INSERT INTO alerts (project_id, alert_id, kind, severity, events, message_zh,
                                 message_en, blocking, raised_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (project_id, alert_id) DO NOTHING"""


async def raise_alerts(conn: asyncpg.Connection, alerts: Iterable[tuple[str, Alert]]) -> None:
    """Insert ``(project id, alert)`` pairs in the caller's transaction; a raised one stays as it
    was first raised."""
    rows = [
        (
            project_id,
            a.alert_id,
            a.kind,
            a.severity,
            a.events,
            a.message_zh,
            a.message_en,
            a.blocking,
            a.raised_at,
        )
        for project_id, a in alerts
    ]
    if rows:
        await conn.executemany(_INSERT, rows)
