"""Which edition of a standard was in force on a date: every rule table carries its period.

A sample is judged by the edition in force on the day it was taken (GB 175-2007 until 2024-06-01,
GB 175-2023 from then), so a superseded, laxer edition cannot be picked to suit. A case names an
edition (``GB 175-2023``), or a standard (``GB 175``) with the date that chooses the edition;
naming an edition that was not in force on the given date is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services.domain.materials.case import show

Table = Mapping[str, Any]


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date | None
    """The first day the edition was no longer in force; None while it still is."""
    unconfirmed: tuple[str, ...] = ()
    """Which ends ('from', 'until') could not be confirmed from the standard's own text."""

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)

    def describe(self) -> str:
        return f"from {self.start}" + (f" until {self.end}" if self.end else "")


@dataclass(frozen=True)
class Selection:
    """The table a case is judged by, and how it was chosen."""

    table: Table
    sampled_on: dt.date | None
    notes: tuple[str, ...] = ()


def period(table: Table) -> Period:
    spec = table["in_force"]
    until = spec.get("until")
    return Period(
        dt.date.fromisoformat(spec["from"]),
        dt.date.fromisoformat(until) if until else None,
        tuple(spec.get("unconfirmed", ())),
    )


def editions(tables: Mapping[str, Table], family: str) -> list[Table]:
    """The editions of ``family`` in the tables, oldest first."""
    found = [t for t in tables.values() if t["family"] == family]
    return sorted(found, key=lambda t: period(t).start)


def in_force(tables: Mapping[str, Table], family: str, day: dt.date) -> Table | None:
    """The edition of ``family`` in force on ``day``, or None when the tables hold none for it."""
    covering = [t for t in editions(tables, family) if period(t).covers(day)]
    return covering[-1] if covering else None


def sampling_date(value: Any) -> tuple[dt.date | None, str | None]:
    """``sampled_on`` as a date (ISO ``YYYY-MM-DD``), or the reason it is not one."""
    if value is None:
        return None, None
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value), None
        except ValueError:
            pass
    return None, f"sampled_on: {show(value)} is not a date like 2024-06-01"


def _periods(tables: Mapping[str, Table], family: str) -> str:
    return "; ".join(f"{t['standard']} {period(t).describe()}" for t in editions(tables, family))


def select(
    tables: Mapping[str, Table], standard: Any, sampled_on: Any
) -> tuple[Selection | None, list[str]]:
    """The edition a case is judged by, from its ``standard`` and ``sampled_on``, or the reasons."""
    day, problem = sampling_date(sampled_on)
    if problem:
        return None, [problem]
    families = sorted({t["family"] for t in tables.values()})
    if isinstance(standard, str) and standard in tables:
        table = tables[standard]
        if day is None:
            return Selection(table, None), []
        if not period(table).covers(day):
            current = in_force(tables, table["family"], day)
            instead = f"; {current['standard']} was" if current else ""
            return None, [
                f"standard: {standard} was not in force on {day} "
                f"({period(table).describe()}){instead}"
            ]
        return Selection(table, day, _unconfirmed(table)), []
    if isinstance(standard, str) and standard in families:
        if day is None:
            return None, [
                f"sampled_on: required with standard {standard!r} to choose its edition "
                f"({_periods(tables, standard)})"
            ]
        table_in_force = in_force(tables, standard, day)
        if table_in_force is None:
            return None, [
                f"sampled_on: qtrail holds no edition of {standard} in force on {day} "
                f"({_periods(tables, standard)})"
            ]
        chosen = (
            f"{table_in_force['standard']} was in force on {day}, the sampling date",
            *_unconfirmed(table_in_force),
        )
        return Selection(table_in_force, day, chosen), []
    what = "required" if standard is None else f"{show(standard)} is not known"
    judged = [t for t in tables.values() if t.get("evaluated", True)]  # not product tables only
    return None, [
        f"standard: {what}; name an edition ({', '.join(sorted(t['standard'] for t in judged))}) "
        f"or a standard with sampled_on ({', '.join(sorted({t['family'] for t in judged}))})"
    ]


def _unconfirmed(table: Table) -> tuple[str, ...]:
    span = period(table)
    if not span.unconfirmed:
        return ()
    ends = " and ".join(span.unconfirmed)
    return (
        f"the '{ends}' date of {table['standard']}'s period ({span.describe()}) is unconfirmed "
        "in the rule table",
    )
