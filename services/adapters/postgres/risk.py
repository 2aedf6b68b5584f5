"""The station's risk reads across its scope (``project_index``'s, see ``scope_clause``): open
alerts counted by kind and day, forged plaque scans, overdue projects, alerts of one kind.

An alert row is open unless its project's folded snapshot says it was resolved (the ``alerts``
table is append-only; resolution lives in the fold), as the project's alert list reads it. Alerts
raised on refused facts (a reused report number) are on no chain and stay open. Only the
snapshots of projects in scope that raised an alert at all are read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.adapters.postgres.project_index import ProjectQuery, scope_clause

_OPEN = """scoped AS (SELECT project_id, name FROM project_index WHERE {scope}),
resolved AS MATERIALIZED (
  SELECT h.project_id, e.key AS alert_id
  FROM project_heads h JOIN scoped USING (project_id)
  CROSS JOIN LATERAL jsonb_each(CASE jsonb_typeof(h.state->'alerts')
                                WHEN 'object' THEN h.state->'alerts' END) AS e
  WHERE EXISTS (SELECT 1 FROM alerts a WHERE a.project_id = h.project_id)
    AND jsonb_typeof(e.value->'resolved_by') = 'object'),
unresolved AS (
  SELECT a.*, s.name FROM alerts a JOIN scoped s USING (project_id)
  WHERE NOT EXISTS (SELECT 1 FROM resolved r
                    WHERE r.project_id = a.project_id AND r.alert_id = a.alert_id))"""

CHINA_DAY = "((raised_at AT TIME ZONE 'UTC') + interval '8 hours')::date"
"""The day an alert was raised on site's calendar (UTC+8, as ``calendar.china_day``)."""


@dataclass(frozen=True)
class ProjectAlert:
    project_id: str
    project_name: str
    alert_id: str
    kind: str
    message_zh: str
    message_en: str
    raised_at: dt.datetime


@dataclass(frozen=True)
class ForgedScans:
    """Scans of plaque codes that named a project and failed verification."""

    project_id: str
    project_name: str
    scans: int
    days: int
    first_at: dt.datetime
    last_at: dt.datetime
    last_reason: str


@dataclass(frozen=True)
class ProjectCount:
    project_id: str
    project_name: str
    count: int


class RiskIndex:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def open_alert_groups(self, query: ProjectQuery) -> list[tuple[str, dt.date, int]]:
        """``(kind, day raised, open alerts)`` over the scope."""
        args: list[Any] = []
        sql = f"""WITH {_OPEN.format(scope=scope_clause(query, args))}
                  SELECT kind, {CHINA_DAY} AS raised_on, count(*) AS n FROM unresolved
                  GROUP BY 1, 2 ORDER BY 1, 2"""
        rows = await self._pool.fetch(sql, *args)
        return [(r["kind"], r["raised_on"], int(r["n"])) for r in rows]

    async def open_alerts_of(
        self, query: ProjectQuery, kind: str, limit: int = 200
    ) -> list[ProjectAlert]:
        """The open alerts of ``kind`` over the scope, the latest first."""
        args: list[Any] = []
        scope = scope_clause(query, args)
        args += [kind, limit]
        rows = await self._pool.fetch(
            f"""WITH {_OPEN.format(scope=scope)}
                SELECT project_id, name, alert_id, kind, message_zh, message_en, raised_at
                FROM unresolved WHERE kind = ${len(args) - 1}
                ORDER BY raised_at DESC, project_id, alert_id LIMIT ${len(args)}""",
            *args,
        )
        return [
            ProjectAlert(
                r["project_id"],
                r["name"],
                r["alert_id"],
                r["kind"],
                r["message_zh"],
                r["message_en"],
                r["raised_at"],
            )
            for r in rows
        ]

    async def projects_with_alerts(
        self, query: ProjectQuery, kind: str, limit: int = 100
    ) -> list[ProjectCount]:
        """The projects in scope that raised ``kind`` at all (open or resolved), most first."""
        args: list[Any] = []
        scope = scope_clause(query, args)
        args += [kind, limit]
        rows = await self._pool.fetch(
            f"""SELECT p.project_id, p.name, count(*) AS n
                FROM alerts a JOIN project_index p USING (project_id)
                WHERE {scope} AND a.kind = ${len(args) - 1}
                GROUP BY 1, 2 ORDER BY n DESC, p.project_id LIMIT ${len(args)}""",
            *args,
        )
        return [ProjectCount(r["project_id"], r["name"], int(r["n"])) for r in rows]

    async def forged_scans(self, query: ProjectQuery, limit: int = 100) -> list[ForgedScans]:
        """Forged plaque scans per project in scope, the most recently scanned first."""
        args: list[Any] = []
        scope = scope_clause(query, args)
        args.append(limit)
        rows = await self._pool.fetch(
            f"""SELECT f.project_id, p.name, sum(f.scans) AS scans, count(*) AS days,
                       min(f.first_at) AS first_at, max(f.last_at) AS last_at,
                       (array_agg(f.last_reason ORDER BY f.last_at DESC))[1] AS last_reason
                FROM forged_scans f JOIN project_index p USING (project_id)
                WHERE {scope}
                GROUP BY 1, 2 ORDER BY last_at DESC, f.project_id LIMIT ${len(args)}""",
            *args,
        )
        return [
            ForgedScans(
                r["project_id"],
                r["name"],
                int(r["scans"]),
                int(r["days"]),
                r["first_at"],
                r["last_at"],
                r["last_reason"],
            )
            for r in rows
        ]

    async def overdue_projects(self, query: ProjectQuery, limit: int = 100) -> list[ProjectCount]:
        """Projects in scope with overdue deadlines or repairs, the most overdue first."""
        args: list[Any] = []
        scope = scope_clause(query, args)
        args.append(limit)
        rows = await self._pool.fetch(
            f"""SELECT project_id, name, overdue FROM project_index
                WHERE {scope} AND overdue > 0
                ORDER BY overdue DESC, risk DESC, project_id LIMIT ${len(args)}""",
            *args,
        )
        return [ProjectCount(r["project_id"], r["name"], int(r["overdue"])) for r in rows]
