"""Business-hours arithmetic: Monday-Saturday 08:00-16:00 WITA, Indonesian public holidays."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from workflow.business_hours import (
    AROUND_THE_CLOCK, BusinessHours, PublicHolidays, parse_clock_time, parse_weekdays)

WITA = ZoneInfo("Asia/Makassar")
HOURS = BusinessHours(tz=WITA, weekdays=parse_weekdays(["mon", "tue", "wed", "thu", "fri", "sat"]),
                      opens=parse_clock_time("08:00"), closes=parse_clock_time("16:00"),
                      closed_days=PublicHolidays("ID"))


def wita(day: str, clock: str) -> datetime:
    """A WITA wall-clock moment as the aware UTC datetime the rules work with."""
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=WITA).astimezone(timezone.utc)


def h(hours: float) -> timedelta:
    return timedelta(hours=hours)


def test_time_inside_one_open_day_counts_minute_for_minute() -> None:
    assert HOURS.add(wita("2026-11-23", "09:00"), h(3)) == wita("2026-11-23", "12:00")
    assert HOURS.elapsed(wita("2026-11-23", "09:00"), wita("2026-11-23", "12:30")) == h(3.5)


def test_deadline_that_lands_on_closing_time_stays_at_closing_time() -> None:
    assert HOURS.add(wita("2026-11-23", "08:00"), h(8)) == wita("2026-11-23", "16:00")


def test_report_after_closing_starts_counting_at_next_opening() -> None:
    assert HOURS.add(wita("2026-11-23", "19:30"), h(1)) == wita("2026-11-24", "09:00")
    assert HOURS.add(wita("2026-11-24", "06:00"), h(1)) == wita("2026-11-24", "09:00")


def test_saturday_counts_and_sunday_does_not() -> None:
    # Saturday 28 Nov 15:00 + 8 business hours: 1 h on Saturday, Sunday closed, 7 h Monday
    assert HOURS.add(wita("2026-11-28", "15:00"), h(8)) == wita("2026-11-30", "15:00")
    assert HOURS.elapsed(wita("2026-11-28", "15:00"), wita("2026-11-30", "09:00")) == h(2)


def test_report_on_sunday_waits_for_monday_morning() -> None:
    assert HOURS.add(wita("2026-11-29", "10:00"), h(1)) == wita("2026-11-30", "09:00")
    assert HOURS.elapsed(wita("2026-11-29", "00:00"), wita("2026-11-29", "23:59")) == timedelta(0)


def test_christmas_day_is_closed() -> None:
    # Thursday 24 Dec 14:00 + 8 h: 2 h Thursday, Friday 25 Dec holiday, 6 h Saturday
    assert HOURS.add(wita("2026-12-24", "14:00"), h(8)) == wita("2026-12-26", "14:00")


def test_good_friday_and_the_weekend_together() -> None:
    # Thursday 2 Apr 15:00 + 12 h (P4 resolution): 1 h Thursday, Good Friday closed,
    # 8 h Saturday, Sunday closed, 3 h Monday 6 Apr
    start = wita("2026-04-02", "15:00")
    assert date(2026, 4, 3) in HOURS.closed_days
    assert HOURS.add(start, h(12)) == wita("2026-04-06", "11:00")
    assert HOURS.elapsed(start, wita("2026-04-06", "11:00")) == h(12)


def test_eid_holidays_on_a_weekend_close_the_saturday_too() -> None:
    # Idul Fitri 2026: Saturday 21 and Sunday 22 March; Friday 20 March 15:00 + 2 h
    assert HOURS.add(wita("2026-03-20", "15:00"), h(2)) == wita("2026-03-23", "09:00")


def test_extra_closed_dates_count_like_holidays() -> None:
    hours = BusinessHours(tz=WITA, weekdays=HOURS.weekdays, opens=HOURS.opens, closes=HOURS.closes,
                          closed_days=PublicHolidays("ID", extra=[date(2026, 12, 24)]))
    assert hours.add(wita("2026-12-23", "15:00"), h(2)) == wita("2026-12-26", "09:00")


@pytest.mark.parametrize("start", [wita("2026-11-27", f"{hour:02d}:17") for hour in range(0, 24, 3)])
@pytest.mark.parametrize("amount", [h(0.25), h(1), h(7.5), h(24), h(60)])
def test_elapsed_undoes_add(start: datetime, amount: timedelta) -> None:
    assert HOURS.elapsed(start, HOURS.add(start, amount)) == amount


def test_nothing_elapses_backwards_and_adding_nothing_stays_put() -> None:
    moment = wita("2026-11-23", "10:00")
    assert HOURS.elapsed(moment, moment - h(5)) == timedelta(0)
    assert HOURS.add(moment, timedelta(0)) == moment


def test_around_the_clock_is_plain_arithmetic() -> None:
    start = wita("2026-11-28", "15:00")
    assert AROUND_THE_CLOCK.add(start, h(8)) == start + h(8)
    assert AROUND_THE_CLOCK.elapsed(start, start + h(30)) == h(30)


def test_holiday_table_is_built_on_first_use_for_any_year() -> None:
    holidays = PublicHolidays("ID")
    assert holidays._table is None
    assert date(2031, 8, 17) in holidays  # Independence Day, a year nobody listed
    assert date(2031, 8, 18) not in holidays


@pytest.mark.parametrize(("bad", "parser"), [("8am", parse_clock_time), ("08:0", parse_clock_time),
                                             (["mon", "funday"], parse_weekdays)])
def test_unreadable_hours_and_days_are_refused(bad: object, parser: object) -> None:
    with pytest.raises(ValueError):
        parser(bad)  # type: ignore[operator]


def test_closing_before_opening_is_refused() -> None:
    with pytest.raises(ValueError):
        BusinessHours(tz=WITA, weekdays=frozenset({0}), opens=parse_clock_time("16:00"),
                      closes=parse_clock_time("08:00"))
