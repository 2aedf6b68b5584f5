"""The time axis: China days, ticks in years, months or days as the span needs."""

from __future__ import annotations

import datetime as dt

import pytest

from services.domain.calendar import CHINA
from services.domain.charts.timeline import TimeScale, day_end, day_start, span, ticks


def moment(y: int, m: int, d: int) -> dt.datetime:
    return day_start(dt.date(y, m, d))


@pytest.mark.parametrize(
    ("start", "end", "first", "kind"),
    [
        (moment(2026, 1, 1), moment(2026, 1, 20), "01-01", "day"),
        (moment(2026, 1, 15), moment(2026, 9, 1), "2026-03", "month"),  # every 2 months
        (moment(2020, 3, 1), moment(2031, 1, 1), "2022", "year"),
    ],
)
def test_ticks_follow_the_span(start: dt.datetime, end: dt.datetime, first: str, kind: str) -> None:
    found = ticks(start, end, 6)
    assert 2 <= len(found) <= 6
    assert found[0].label == first
    assert all(start <= t.at <= end for t in found)
    assert [t.at for t in found] == sorted(t.at for t in found)
    widths = {"day": 5, "month": 7, "year": 4}
    assert all(len(t.label) == widths[kind] for t in found)
    assert all(t.at.tzinfo == CHINA and t.at.time() == dt.time() for t in found)


def test_the_scale_places_moments_in_proportion_and_holds_the_edges() -> None:
    scale = TimeScale(moment(2026, 1, 1), moment(2026, 1, 11), 10.0, 110.0)
    assert scale.x(moment(2026, 1, 6)) == pytest.approx(60.0)
    assert scale.x(moment(2025, 1, 1)) == 10.0
    assert scale.x(moment(2027, 1, 1)) == 110.0


def test_a_span_covers_whole_china_days_and_at_least_a_week() -> None:
    late_utc = dt.datetime(2026, 3, 1, 20, tzinfo=dt.UTC)  # already 2 March in China
    start, end = span([late_utc], late_utc)
    assert start == moment(2026, 3, 2)
    assert end - start == dt.timedelta(days=7)
    start, end = span([moment(2026, 1, 1)], day_end(dt.date(2026, 6, 30)))
    assert (start, end) == (moment(2026, 1, 1), moment(2026, 7, 1))


@pytest.mark.parametrize("days", [1, 40, 300, 2000, 40000])
def test_ticks_stay_within_any_budget(days: int) -> None:
    start = moment(1990, 1, 1)
    for most in (2, 3, 6):
        found = ticks(start, start + dt.timedelta(days=days), most)
        assert len(found) <= most
