"""Public defect reports, off the chain: appended by the gateway for an anonymous reporter, read
by the owner party through the gateway. The reporter's contact never leaves this table except to
the owner party's key."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True)
class StoredReport:
    receipt: str
    project_id: str
    unit_id: str
    plaque_serial: int
    part: str
    dwelling: str | None
    description: str
    contact: str | None
    received_at: dt.datetime


class PublicReports:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def add(self, report: StoredReport) -> None:
        await self._pool.execute(
            """INSERT INTO public_reports (receipt, project_id, unit_id, plaque_serial, part,
                 dwelling, description, contact, received_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
            report.receipt,
            report.project_id,
            report.unit_id,
            report.plaque_serial,
            report.part,
            report.dwelling,
            report.description,
            report.contact,
            report.received_at,
        )

    async def of_project(self, project_id: str, limit: int = 1000) -> list[StoredReport]:
        """The project's reports, oldest first."""
        rows = await self._pool.fetch(
            """SELECT receipt, project_id, unit_id, plaque_serial, part, dwelling, description,
                      contact, received_at
               FROM public_reports WHERE project_id = $1 ORDER BY received_at, receipt LIMIT $2""",
            project_id,
            limit,
        )
        return [StoredReport(**dict(r)) for r in rows]
