"""A time axis: where a moment falls on a chart, and dated ticks in years, months or days.

Days are days in China (the trail's deadlines and acceptance dates are), so a tick at 2026-03-01
is midnight in Beijing and a report tested on a day sits at that day's start.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.domain.calendar import CHINA, china_day
from services.domain.charts.svg import GRID, MUTED, SMALL, Canvas, text_width

EARLIEST = dt.datetime(1900, 1, 1, tzinfo=CHINA)
LATEST = dt.datetime(2200, 1, 1, tzinfo=CHINA)
"""The span a chart spreads over is held within these: a date a party mistyped (year 9999)
stays at the edge instead of squeezing every real period into a pixel, or overflowing."""
TICK_ROOM = 62.0
"""Width one tick's label needs ("2026-03" at the small size, with a gap)."""


def held(moment: dt.datetime) -> dt.datetime:
    return min(max(moment, EARLIEST), LATEST)


def day_text(moment: dt.datetime) -> str:
    """The day of ``moment`` in China, as written on a chart (any moment, however far off)."""
    try:
        return china_day(moment).isoformat()
    except OverflowError:  # within hours of year 1 or year 9999: that day as given
        return moment.date().isoformat()


def day_start(day: dt.date) -> dt.datetime:
    """Midnight in China at the start of ``day``."""
    return dt.datetime.combine(day, dt.time(), tzinfo=CHINA)


def day_end(day: dt.date) -> dt.datetime:
    """Midnight in China at the end of ``day``: "up to and including today"."""
    return day_start(day + dt.timedelta(days=1))


@dataclass(frozen=True)
class Tick:
    at: dt.datetime
    label: str


@dataclass(frozen=True)
class TimeScale:
    """``start``…``end`` drawn from ``left`` to ``right``; moments outside are held at the edges."""

    start: dt.datetime
    end: dt.datetime
    left: float
    right: float

    def x(self, moment: dt.datetime) -> float:
        total = (self.end - self.start).total_seconds()
        if total <= 0:
            return self.left
        share = (moment - self.start).total_seconds() / total
        return self.left + min(max(share, 0.0), 1.0) * (self.right - self.left)

    def ticks(self) -> list[Tick]:
        return ticks(self.start, self.end, max(2, int((self.right - self.left) // TICK_ROOM)))


def span(moments: list[dt.datetime], until: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """From the first day of ``moments`` to ``until`` (or past the last moment), whole days in
    China, at least a week so a single day still has room."""
    first = held(min(moments, default=until))
    last = held(max([*moments, until]))
    start = day_start(china_day(first))
    end = max(day_end(china_day(last - dt.timedelta(microseconds=1))), start + dt.timedelta(7))
    return start, end


def _months(day: dt.date, step: int) -> dt.date:
    month = day.month - 1 + step
    return dt.date(day.year + month // 12, month % 12 + 1, 1)


def ticks(start: dt.datetime, end: dt.datetime, most: int) -> list[Tick]:
    """Ticks between ``start`` and ``end``: years for a span of years, months for months, days
    for weeks; the step grows until there are at most ``most``."""
    first, last = china_day(start), china_day(end)
    days = (last - first).days
    out: list[Tick] = []
    if days > 3 * 366:
        years = last.year - first.year
        step = next((s for s in (1, 2, 5, 10, 20, 50, 100) if years / s < most), years)
        year = first.year + (0 if first == dt.date(first.year, 1, 1) else 1)
        year += -year % step
        while dt.date(year, 1, 1) <= last:
            out.append(Tick(day_start(dt.date(year, 1, 1)), f"{year}"))
            year += step
    elif days > 62:
        months = days / 30.4
        step = next((s for s in (1, 2, 3, 6, 12) if months / s < most), 12)
        day = first if first.day == 1 else _months(first, 1)
        day = _months(day, -(day.month - 1) % step)
        while day <= last:
            out.append(Tick(day_start(day), f"{day.year}-{day.month:02d}"))
            day = _months(day, step)
    else:
        step = next((s for s in (1, 2, 7, 14, 28) if days / s < most), 28)
        day = first
        while day <= last:
            out.append(Tick(day_start(day), f"{day.month:02d}-{day.day:02d}"))
            day += dt.timedelta(days=step)
    return [t for t in out if start <= t.at <= end]


def draw_axis(canvas: Canvas, scale: TimeScale, top: float, bottom: float) -> float:
    """Grid lines from ``top`` to ``bottom``, dated labels and the axis title below; the y under it."""
    axis = canvas.group("time-axis")
    canvas.line(scale.left, bottom, scale.right, bottom, axis, stroke=MUTED)
    for tick in scale.ticks():
        x = scale.x(tick.at)
        canvas.line(x, top, x, bottom, axis, stroke=GRID, extra={"class": "tick"})
        half = text_width(tick.label, SMALL) / 2  # a label at an edge stays inside the chart
        at = min(max(x, 2 + half), canvas.width - 2 - half)
        canvas.text(at, bottom + 14, tick.label, axis, size=SMALL, anchor="middle", fill=MUTED)
    canvas.text(
        (scale.left + scale.right) / 2,
        bottom + 30,
        "日期（北京时间）/ date (China time)",
        axis,
        size=SMALL,
        anchor="middle",
        fill=MUTED,
    )
    return bottom + 38
