"""The ``RepairsDue`` port over the recorder's snapshots (``project_heads.state``): projects
with a warranty repair, or another deadline (``supervision.py``), past due and not flagged."""

from __future__ import annotations

import datetime as dt

import asyncpg

# An open defect in warranty, due before today, not yet flagged overdue. Dates are ISO strings in
# the snapshot, so comparing them as strings compares the days.
_PAST_DUE = """SELECT project_id FROM project_heads
               WHERE jsonb_path_exists(
                 state,
                 '$.defects.* ? (@.status == "open" && @.in_warranty == true
                                 && @.overdue == null && @.repair_due < $today)',
                 jsonb_build_object('today', $1::text))
               OR jsonb_path_exists(
                 state,
                 '$.deadlines.* ? (@.met == null && @.missed == null && @.due_on < $today)',
                 jsonb_build_object('today', $1::text))
               ORDER BY project_id"""


class PostgresRepairsDue:
    """Which projects have a warranty repair past due, read from the folded states."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def projects_past_due(self, today: dt.date) -> list[str]:
        rows = await self._pool.fetch(_PAST_DUE, today.isoformat())
        return [row["project_id"] for row in rows]
