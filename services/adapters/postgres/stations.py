"""Supervision stations and their jurisdictions (``stations``): kept by the operator with
``qtrail stations``, read by the key store to give a regulator key its jurisdiction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import asyncpg

from services.domain.identifiers import valid_credit_code
from services.domain.jurisdiction import valid_division


@dataclass(frozen=True)
class Station:
    code: str
    name: str
    jurisdiction: tuple[str, ...]


class StationStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def put(self, station: Station) -> None:
        """Add a station, or change its name and jurisdiction. Raises ValueError naming the field."""
        if not valid_credit_code(station.code):
            raise ValueError(f"code: {station.code!r} is not a valid unified social credit code")
        if not station.name.strip():
            raise ValueError("name: empty")
        bad = [code for code in station.jurisdiction if not valid_division(code)]
        if bad or not station.jurisdiction:
            raise ValueError(f"jurisdiction: {bad or 'none'} not 6-digit GB/T 2260 division codes")
        await self._pool.execute(
            """INSERT INTO stations (code, name, jurisdiction, created_at) VALUES ($1, $2, $3, $4)
               ON CONFLICT (code) DO UPDATE
               SET name = EXCLUDED.name, jurisdiction = EXCLUDED.jurisdiction""",
            station.code,
            station.name.strip(),
            list(dict.fromkeys(station.jurisdiction)),
            dt.datetime.now(dt.UTC),
        )

    async def get(self, code: str) -> Station | None:
        row = await self._pool.fetchrow(
            "SELECT code, name, jurisdiction FROM stations WHERE code = $1", code
        )
        return Station(row["code"], row["name"], tuple(row["jurisdiction"])) if row else None

    async def all(self) -> list[Station]:
        rows = await self._pool.fetch("SELECT code, name, jurisdiction FROM stations ORDER BY code")
        return [Station(r["code"], r["name"], tuple(r["jurisdiction"])) for r in rows]
