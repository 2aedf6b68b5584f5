"""Working days (工作日): weekends and the State Council's holidays off, make-up days (调休) worked,
and a year the table lacks reckoned by weekends alone, saying so."""

from __future__ import annotations

import datetime as dt

import pytest

from services.domain import calendar
from services.domain.calendar import add_working_days, is_working_day, working_days_between

D = dt.date


@pytest.mark.parametrize(
    "day,working",
    [
        (D(2026, 2, 13), True),  # Friday before the Spring Festival
        (D(2026, 2, 14), True),  # Saturday worked in exchange (调休)
        (D(2026, 2, 16), False),  # 除夕, a Monday
        (D(2026, 2, 23), False),  # the festival's last day, a Monday
        (D(2026, 2, 28), True),  # Saturday worked in exchange
        (D(2026, 3, 1), False),  # an ordinary Sunday
        (D(2025, 10, 8), False),  # National Day and Mid-Autumn, 2025
        (D(2025, 10, 11), True),  # Saturday worked in exchange
        (D(2025, 1, 1), False),  # New Year's Day, a Wednesday
    ],
)
def test_holidays_and_make_up_days(day: dt.date, working: bool) -> None:
    assert is_working_day(day) is working


def test_the_days_between_count_neither_end() -> None:
    # Monday to the next Monday: Tuesday to Friday
    counted = working_days_between(D(2026, 3, 2), D(2026, 3, 9))
    assert counted.days == 4 and counted.unknown_years == ()
    assert working_days_between(D(2026, 3, 2), D(2026, 3, 3)).days == 0
    assert working_days_between(D(2026, 3, 9), D(2026, 3, 2)).days == 0


def test_the_spring_festival_counts_its_make_up_saturdays_and_not_its_holidays() -> None:
    # 10 Feb (Tue) → 2 Mar (Mon): 11–13 Feb, 14 Feb (worked), 24–27 Feb, 28 Feb (worked)
    assert working_days_between(D(2026, 2, 10), D(2026, 3, 2)).days == 9


def test_adding_working_days_skips_weekends_and_holidays() -> None:
    assert add_working_days(D(2026, 3, 6), 1).day == D(2026, 3, 9)  # Friday → Monday
    assert add_working_days(D(2026, 9, 30), 1).day == D(2026, 10, 8)  # over National Day
    assert add_working_days(D(2026, 2, 13), 1).day == D(2026, 2, 14)  # a make-up Saturday
    assert add_working_days(D(2026, 3, 6), 0).day == D(2026, 3, 6)
    with pytest.raises(ValueError, match="count"):
        add_working_days(D(2026, 3, 6), -1)


def test_the_two_agree() -> None:
    start = D(2025, 12, 20)
    for n in range(1, 40):
        end = add_working_days(start, n).day
        assert working_days_between(start, end + dt.timedelta(days=1)).days == n


def test_a_year_without_a_schedule_counts_weekends_only_and_says_which() -> None:
    # 1 Oct 2030 is a Tuesday: with no 2030 schedule on file it is a working day
    assert is_working_day(D(2030, 10, 1))
    counted = working_days_between(D(2030, 9, 27), D(2030, 10, 7))
    assert counted.days == 5 and counted.unknown_years == (2030,)
    later = add_working_days(D(2026, 12, 30), 3)
    assert later.day == D(2027, 1, 4) and later.unknown_years == (2027,)
    zh, en = counted.unknown_said()
    assert "2030" in zh and "weekends only" in en
    assert working_days_between(D(2026, 3, 2), D(2026, 3, 9)).unknown_said() == ("", "")


def test_every_year_on_file_is_checked_and_its_make_up_days_are_weekend_days() -> None:
    for year, entry in calendar.table()["years"].items():
        assert entry["confirmed"] is True and entry["source"], year
        for day in entry["workdays"]:
            assert D.fromisoformat(day).weekday() >= 5, day
        for day in entry["holidays"]:
            assert D.fromisoformat(day).year == int(year)
    assert calendar.schedule().unconfirmed == frozenset()
