"""Warranty periods (建设工程质量管理条例 art. 40): the statutory minimum of each part, and when a
building's warranty of a part ends. The figures are in ``tables/warranty-2000.json``."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from events.acceptance import WARRANTY_PARTS

TABLE = Path(__file__).parent / "tables" / "warranty-2000.json"


@dataclass(frozen=True)
class Minimum:
    """A part's statutory minimum: the design life, a number of years, or of heating/cooling
    seasons (one a year)."""

    part: str
    zh: str
    en: str
    clause: str
    design_life: bool = False
    years: int | None = None
    seasons: int | None = None

    def years_for(self, design_life_years: int) -> int:
        if self.design_life:
            return design_life_years
        return self.years if self.years is not None else self.seasons or 0


@cache
def table() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(TABLE.read_text(encoding="utf-8"))
    if tuple(data["parts"]) != WARRANTY_PARTS:  # pragma: no cover - the table and catalog agree
        raise ValueError(f"{TABLE.name} parts differ from the catalog's WarrantyPart")
    return data


def minimum(part: str) -> Minimum:
    row = table()["parts"][part]
    return Minimum(part=part, zh=row["zh"], en=row["en"], clause=row["clause"], **row["minimum"])


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` on (29 February falls to 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def ends_on(accepted_on: dt.date, years: int) -> dt.date:
    """The last day in warranty of a period of ``years`` from the acceptance date."""
    return add_years(accepted_on, years) - dt.timedelta(days=1)
