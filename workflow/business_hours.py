"""SLA calendars: how much SLA time passes between two moments, and when a given amount of it
has passed.

Two kinds:
- around the clock (the default, and always for the priorities configured so): SLA time is
  wall-clock time;
- business hours: SLA time passes only inside the opening window of an open day, in the
  calendar's time zone. A day is open when its weekday is configured and it is neither a public
  holiday (the `holidays` package, country and optional subdivision) nor an extra closed date.
  A ticket logged outside the window starts counting at the next opening; a deadline that
  lands exactly on closing time stays at closing time (it does not move to the next opening).

Pure: no database, no configuration, no clock. Times in and out are aware datetimes (UTC).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Collection, Container, Iterator, Protocol
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from holidays import HolidayBase

ZERO = timedelta(0)
# A calendar with no open day within ten years is a configuration mistake, not a long wait.
MAX_DAYS = 3660
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Calendar(Protocol):
    def add(self, start: datetime, amount: timedelta) -> datetime:
        """The moment `amount` of SLA time has passed since `start`."""
        ...

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """SLA time between `start` and `end` (zero when `end` is not after `start`)."""
        ...


class AroundTheClock:
    """Every minute counts."""

    def add(self, start: datetime, amount: timedelta) -> datetime:
        return start + max(amount, ZERO)

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        return max(end - start, ZERO)

    def __repr__(self) -> str:
        return "AroundTheClock()"


AROUND_THE_CLOCK = AroundTheClock()


class PublicHolidays:
    """A country's public holidays from the `holidays` package, plus extra closed dates.

    The package is imported and the table built on first use, and it fills in each year when a
    date of that year is first asked about, so start-up stays fast and no year range has to be
    guessed. A lock keeps that lazy filling safe when several jobs of `run` ask at once."""

    def __init__(self, country: str, subdivision: str | None = None,
                 extra: Collection[date] = ()) -> None:
        self.country, self.subdivision = country, subdivision or None
        self.extra = frozenset(extra)
        self._table: HolidayBase | None = None
        self._lock = threading.Lock()

    def __contains__(self, day: object) -> bool:
        if day in self.extra:
            return True
        with self._lock:
            if self._table is None:
                import holidays  # heavy import, only where business hours are used

                self._table = holidays.country_holidays(self.country, subdiv=self.subdivision)
            return day in self._table

    def __repr__(self) -> str:
        return f"PublicHolidays({self.country!r}, {self.subdivision!r}, extra={len(self.extra)})"


@dataclass(frozen=True)
class BusinessHours:
    """Opening hours on open days in one time zone (see the module docstring for the rule)."""

    tz: ZoneInfo
    weekdays: frozenset[int]            # 0 = Monday .. 6 = Sunday
    opens: time
    closes: time                        # after `opens`, same day
    closed_days: Container[date] = field(default_factory=frozenset)  # only asked `day in`

    def __post_init__(self) -> None:
        if not self.weekdays or self.closes <= self.opens:
            raise ValueError("business hours need at least one weekday and closes after opens")

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The day's opening window in UTC, or None when the day is closed."""
        if day.weekday() not in self.weekdays or day in self.closed_days:
            return None
        return (datetime.combine(day, self.opens, self.tz).astimezone(timezone.utc),
                datetime.combine(day, self.closes, self.tz).astimezone(timezone.utc))

    def _windows_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open windows (clipped to start at `moment`) from `moment` on, day by day."""
        first = moment.astimezone(self.tz).date()
        for offset in range(MAX_DAYS):
            day = first + timedelta(days=offset)
            win = self.window(day)
            if win is not None and win[1] > moment:
                yield max(win[0], moment), win[1]
        raise ValueError(f"no open business hours within {MAX_DAYS} days of {moment.isoformat()}")

    def add(self, start: datetime, amount: timedelta) -> datetime:
        left = amount
        if left <= ZERO:
            return start
        for opened, closed in self._windows_from(start):
            if left <= closed - opened:
                return opened + left
            left -= closed - opened
        raise AssertionError("unreachable: _windows_from raises when it runs out")

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        if end <= start:
            return ZERO
        total = ZERO
        day, last = start.astimezone(self.tz).date(), end.astimezone(self.tz).date()
        while day <= last:
            win = self.window(day)
            if win is not None:
                total += max(min(win[1], end) - max(win[0], start), ZERO)
            day += timedelta(days=1)
        return total


def parse_weekdays(names: Collection[str]) -> frozenset[int]:
    """["mon", "tue", ...] -> {0, 1, ...}; raises ValueError naming an unknown day."""
    days = set()
    for name in names:
        key = str(name).strip().lower()[:3]
        if key not in WEEKDAYS:
            raise ValueError(f"{name!r} is not a weekday; use {', '.join(WEEKDAYS)}")
        days.add(WEEKDAYS.index(key))
    return frozenset(days)


def parse_clock_time(value: str) -> time:
    """'08:00' -> time(8, 0); raises ValueError for anything else."""
    hours, _, minutes = str(value).partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"{value!r} is not a time of day like 08:00")
    return time(int(hours), int(minutes))
