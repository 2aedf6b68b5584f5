"""Working days in China (工作日): weekdays, less the State Council's holidays, plus the weekend days
worked in exchange (调休). Each year's schedule is in ``tables/holidays-cn.json``.

A year the table does not hold is reckoned by weekends alone: every answer says which years those
were, so a rule can say it could not count holidays there instead of pretending it did.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

TABLE = Path(__file__).parent / "tables" / "holidays-cn.json"

CHINA = dt.timezone(dt.timedelta(hours=8), "CST")
"""China Standard Time: the days that acceptance dates, deadlines, warranty periods and plaques
name are days in China."""


def china_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(CHINA).date()


NOTICE_WORKING_DAYS = 7
"""房屋建筑和市政基础设施工程竣工验收规定 (建质〔2013〕171号) art. 6: the owner tells the supervision
station of a completion acceptance's time, place and members seven working days ahead."""


@dataclass(frozen=True)
class Schedule:
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    """Weekend days worked in exchange for a holiday."""
    years: frozenset[int]
    unconfirmed: frozenset[int]
    """Years entered before being checked against the published notice."""


@dataclass(frozen=True)
class Reckoning:
    """A count or a day, with the years only weekends were reckoned in."""

    unknown_years: tuple[int, ...] = ()
    """Years the table lacks: their holidays and make-up days were not counted."""
    unconfirmed_years: tuple[int, ...] = ()

    def unknown_said(self) -> tuple[str, str]:
        """What the reckoning could not see, in Chinese and English ("" when nothing)."""
        if not self.unknown_years:
            return "", ""
        years = ", ".join(str(y) for y in self.unknown_years)
        return (
            f"（{years} 年的节假日安排未录入，只按周末计算）",
            f" ({years}: no holiday schedule on file, weekends only)",
        )


@dataclass(frozen=True)
class Count(Reckoning):
    days: int = 0


@dataclass(frozen=True)
class Day(Reckoning):
    day: dt.date = dt.date.min


@cache
def table() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(TABLE.read_text(encoding="utf-8"))
    return data


@cache
def schedule() -> Schedule:
    years = table()["years"]
    return Schedule(
        holidays=frozenset(dt.date.fromisoformat(d) for y in years.values() for d in y["holidays"]),
        workdays=frozenset(dt.date.fromisoformat(d) for y in years.values() for d in y["workdays"]),
        years=frozenset(int(y) for y in years),
        unconfirmed=frozenset(int(y) for y, v in years.items() if not v["confirmed"]),
    )


def is_working_day(day: dt.date) -> bool:
    known = schedule()
    if day in known.workdays:
        return True
    return day.weekday() < 5 and day not in known.holidays


def _reckoned(years: set[int]) -> dict[str, tuple[int, ...]]:
    known = schedule()
    return {
        "unknown_years": tuple(sorted(years - known.years)),
        "unconfirmed_years": tuple(sorted(years & known.unconfirmed)),
    }


def working_days_between(start: dt.date, end: dt.date) -> Count:
    """The working days strictly between ``start`` and ``end``: neither the day a period starts
    from (民法典 art. 201: it does not count) nor the day it must have run out before."""
    days = [start + dt.timedelta(days=n) for n in range(1, (end - start).days)]
    return Count(
        days=sum(1 for d in days if is_working_day(d)), **_reckoned({d.year for d in days})
    )


def add_working_days(start: dt.date, count: int) -> Day:
    """The ``count``-th working day after ``start`` (``start`` itself for 0)."""
    if count < 0:
        raise ValueError("count: a number of working days, 0 or more")
    day, years = start, set()
    while count:
        day += dt.timedelta(days=1)
        years.add(day.year)
        if is_working_day(day):
            count -= 1
    return Day(day=day, **_reckoned(years))
