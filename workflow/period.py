"""A period of a report or a digest: local dates in the desk's time zone, and the UTC bounds
that the database is asked about."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo


class PeriodError(ValueError):
    """A period that contains no day (its first day after its last)."""


@dataclass(frozen=True)
class Period:
    """Local dates in the desk's time zone, both inclusive."""

    first: date
    last: date
    tz: ZoneInfo

    def __post_init__(self) -> None:
        if self.first > self.last:
            raise PeriodError(f"the period is empty: {self.first.isoformat()} is after "
                              f"{self.last.isoformat()}")

    @property
    def start(self) -> datetime:
        """The first moment of the period, in UTC."""
        return local_midnight(self.first, self.tz)

    @property
    def end(self) -> datetime:
        """The first moment after the period, in UTC (exclusive bound)."""
        return local_midnight(self.last + timedelta(days=1), self.tz)

    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(timezone.utc)
