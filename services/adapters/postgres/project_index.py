"""The stations' project index (``project_index``): search, filter and sort a jurisdiction's
projects without loading their states."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg

from services.domain.jurisdiction import prefix
from services.domain.summary import ProjectSummary

STAGES = ("pending_filing", "construction", "partly_completed", "completed", "lapsed")


@dataclass(frozen=True)
class ProjectQuery:
    """What a station asks for: ``q`` matches name, permit, address, any party's name or credit
    code, any lead's name (case-insensitive substring)."""

    jurisdiction: tuple[str, ...] | None
    """None: every project (an administrator)."""
    station: str | None = None
    """The asking station: it sees what it was named to supervise, wherever the site is."""
    q: str = ""
    stage: str | None = None
    open_alerts: bool = False
    overdue: bool = False
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class ProjectPage:
    total: int
    counts: dict[str, int]
    """Over every project the query's jurisdiction covers, before search and filters."""
    items: list[ProjectSummary]


def scope_clause(query: ProjectQuery, args: list[Any]) -> str:
    """The condition on ``project_index`` rows that keeps the query's scope, its values appended
    to ``args`` (shared with the other station reads, so every page has one scope)."""
    if query.jurisdiction is None:
        return "TRUE"
    args.append([f"{prefix(code)}%" for code in query.jurisdiction])
    args.append(query.station)
    return f"(division IS NULL OR division LIKE ANY(${len(args) - 1}) OR station = ${len(args)})"


class ProjectIndex:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def search(self, query: ProjectQuery) -> ProjectPage:
        args: list[Any] = []
        scope = scope_clause(query, args)
        counts_row = await self._pool.fetchrow(
            f"""SELECT count(*) AS projects,
                       count(*) FILTER (WHERE stage = 'pending_filing') AS pending_filing,
                       count(*) FILTER (WHERE open_alerts > 0) AS with_open_alerts,
                       count(*) FILTER (WHERE overdue > 0) AS with_overdue,
                       coalesce(sum(open_alerts), 0) AS open_alerts,
                       coalesce(sum(stop_orders), 0) AS stop_orders
                FROM project_index WHERE {scope}""",
            *args,
        )
        where = [scope]
        if query.q.strip():
            args.append(f"%{_like(query.q.strip().casefold())}%")
            where.append(f"search LIKE ${len(args)} ESCAPE '\\'")
        if query.stage:
            args.append(query.stage)
            where.append(f"stage = ${len(args)}")
        if query.open_alerts:
            where.append("open_alerts > 0")
        if query.overdue:
            where.append("overdue > 0")
        condition = " AND ".join(where)
        total = await self._pool.fetchval(
            f"SELECT count(*) FROM project_index WHERE {condition}", *args
        )
        args += [query.limit, query.offset]
        rows = await self._pool.fetch(
            f"""SELECT summary::text AS summary FROM project_index WHERE {condition}
                ORDER BY risk DESC, overdue DESC, project_id
                LIMIT ${len(args) - 1} OFFSET ${len(args)}""",
            *args,
        )
        return ProjectPage(
            total=int(total),
            counts={k: int(v) for k, v in dict(counts_row or {}).items()},
            items=[ProjectSummary.model_validate_json(r["summary"]) for r in rows],
        )

    async def of_organization(self, code: str, query: ProjectQuery) -> list[str]:
        """The ids of the projects in scope where ``code`` holds a role, by risk."""
        args: list[Any] = []
        scope = scope_clause(query, args)
        args.append([code])
        rows = await self._pool.fetch(
            f"""SELECT project_id FROM project_index
                WHERE {scope} AND organizations @> ${len(args)}::text[]
                ORDER BY risk DESC, project_id""",
            *args,
        )
        return [r["project_id"] for r in rows]


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
