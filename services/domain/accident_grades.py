"""Grades of a quality accident (工程质量事故) and the owner's report deadline, by 建质〔2010〕111号.

The thresholds and their clauses are in ``tables/accident-grades-2010.json``: the grade is the
highest one any criterion (deaths, serious injuries, direct loss) reaches, each lower bound
counting itself (以上包括本数). Figures below every grade (no death, no serious injury, a direct
loss under 100万元) make no 工程质量事故 at all: a quality problem, ``grade_of`` answers None.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, get_args

from events.aftercare import AccidentGrade

TABLE = Path(__file__).parent / "tables" / "accident-grades-2010.json"

CRITERIA = ("deaths", "serious_injuries", "direct_loss_cny")
CRITERIA_NAMES = {
    "deaths": ("死亡", "deaths"),
    "serious_injuries": ("重伤", "serious injuries"),
    "direct_loss_cny": ("直接经济损失（元）", "direct loss (CNY)"),
}


@dataclass(frozen=True)
class Grade:
    grade: str
    zh: str
    en: str
    clause: str
    reached_by: tuple[str, ...]
    """The criteria that reach this grade (at least one), e.g. ``("deaths",)``."""


@dataclass(frozen=True)
class Figures:
    deaths: int
    serious_injuries: int
    direct_loss_cny: float

    def text(self) -> str:
        return (
            f"{self.deaths} death(s), {self.serious_injuries} serious injury(ies), "
            f"direct loss {self.direct_loss_cny:,.0f} CNY"
        )

    def text_zh(self) -> str:
        return (
            f"死亡 {self.deaths} 人、重伤 {self.serious_injuries} 人、"
            f"直接经济损失 {self.direct_loss_cny:,.0f} 元"
        )


@cache
def table() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(TABLE.read_text(encoding="utf-8"))
    grades = tuple(row["grade"] for row in data["grades"])
    if grades != get_args(AccidentGrade):  # pragma: no cover - the table and catalog agree
        raise ValueError(f"{TABLE.name} grades differ from the catalog's AccidentGrade")
    return data


def edition() -> str:
    return str(table()["edition"])


def names(grade: str) -> tuple[str, str]:
    """A grade's name in Chinese and English."""
    row = next(r for r in table()["grades"] if r["grade"] == grade)
    return row["zh"], row["en"]


def grade_of(figures: Figures) -> Grade | None:
    """The highest grade any criterion reaches; None below every grade (not an accident's)."""
    for row in table()["grades"]:  # from the highest down
        reached = tuple(c for c in CRITERIA if getattr(figures, c) >= row["from"][c])
        if reached:
            return Grade(row["grade"], row["zh"], row["en"], row["clause"], reached)
    return None


def report_deadline() -> tuple[dt.timedelta, str]:
    """How long after the accident the owner's report to the authority may come, and the clause."""
    row = table()["report_deadline"]
    return dt.timedelta(hours=row["hours"]), str(row["clause"])
