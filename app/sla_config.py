"""[sla_policy], [business_hours] and [schedule] turned into values (checked by app/checks.py
before anything here runs)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from workflow.calendar import BusinessHours, Calendar, PublicHolidays, parse_clock_time, parse_weekdays
from workflow.sla_sweep import SlaRules


@dataclass(frozen=True)
class Schedule:
    poll_seconds: float
    flush_seconds: float
    sla_seconds: float
    digest_at: str           # "HH:MM" in the desk's time zone, "" for no digest
    poll_lease_seconds: float


def build_calendars(data: Mapping[str, Any]) -> dict[str, Calendar]:
    """priority -> business-hours calendar; empty when business hours are off, and the
    around-the-clock priorities are left out (they default to wall-clock time)."""
    hours = data["business_hours"]
    if not hours["enabled"]:
        return {}
    calendar = BusinessHours(
        tz=ZoneInfo(hours["timezone"] or data["desk"]["timezone"]),
        weekdays=parse_weekdays(hours["days"]),
        opens=parse_clock_time(hours["opens"]), closes=parse_clock_time(hours["closes"]),
        closed_days=PublicHolidays(hours["holiday_country"], hours["holiday_subdivision"],
                                   extra=closed_dates(hours["closed_dates"]))
        if hours["holiday_country"] else frozenset(closed_dates(hours["closed_dates"])),
    )
    return {p: calendar for p in data["sla"] if p not in hours["around_the_clock"]}


def closed_dates(values: list[Any]) -> list[date]:
    """TOML dates or "YYYY-MM-DD" strings; raises ValueError on anything else."""
    return [v if isinstance(v, date) else date.fromisoformat(str(v)) for v in values]


def sla_rules(data: Mapping[str, Any]) -> SlaRules:
    policy = data["sla_policy"]
    return SlaRules(warning_share=float(policy["warning_share"]),
                    on_response_breach=policy["on_response_breach"],
                    on_resolution_breach=policy["on_resolution_breach"])


def schedule(data: Mapping[str, Any]) -> Schedule:
    s = data["schedule"]
    return Schedule(float(s["poll_seconds"]), float(s["flush_seconds"]), float(s["sla_seconds"]),
                    str(s["digest_at"]), float(s["poll_lease_seconds"]))
