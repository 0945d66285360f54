"""KPI rules over hand-made incidents: verdicts, compliance, percentiles, local-day periods."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from app.config import load
from workflow.report_metrics import MET, MISSED, PENDING, Incident, measure, percentile, summarise, verdict
from workflow.period import Period, PeriodError

POLICY = load(None).policy
WITA = ZoneInfo("Asia/Makassar")
T0 = datetime(2026, 11, 23, 0, 0, tzinfo=timezone.utc)   # 08:00 WITA
NOV = Period(date(2026, 11, 1), date(2026, 11, 30), WITA)


def incident(number: str = "INC-1", priority: str = "P3", *, created: datetime = T0,
             responded: float | None = None, closed: float | None = None,
             rating: int | None = None, level: int = 1, service: str | None = "ipos",
             category: str | None = "hardware/server", hierarchical: bool = False) -> Incident:
    """Times in minutes after `created`; deadlines from the default SLA table."""
    target = POLICY.sla[priority]
    at = (lambda m: created + timedelta(minutes=m) if m is not None else None)
    return Incident(number, "closed" if closed is not None else "in_progress", created,
                    created + target.response, created + target.resolution, at(responded),
                    at(closed), priority, "medium", "medium", service, category, level,
                    "budi@x.example", "Budi", None, None, rating, hierarchical)


def test_a_clock_stopped_exactly_at_its_deadline_is_met() -> None:
    assert verdict(T0, T0, T0 + timedelta(days=1)) == MET
    assert verdict(T0 + timedelta(seconds=1), T0, T0 + timedelta(days=1)) == MISSED


def test_an_open_clock_is_pending_until_its_deadline_passes_then_missed() -> None:
    assert verdict(None, T0, T0) == PENDING
    assert verdict(None, T0, T0 + timedelta(seconds=1)) == MISSED


def test_closing_stops_a_response_clock_never_started() -> None:
    i = incident(priority="P1", closed=8)
    assert i.response_stop == i.closed_at
    [m] = measure([i], T0 + timedelta(days=1))
    assert (m.response_minutes, m.response, m.resolution) == (8.0, MET, MET)


@pytest.mark.parametrize(("values", "p90"), [
    ([5.0], 5.0), ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 9), ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 10), (list(range(1, 71)), 63),
    ([40, 5, 30, 10, 5, 10, 31], 40),
])
def test_percentile_is_nearest_rank(values: list[float], p90: float) -> None:
    assert percentile(values, 90) == p90


def test_period_is_local_days_inclusive_in_utc() -> None:
    day = Period(date(2026, 11, 23), date(2026, 11, 23), WITA)
    assert day.start == datetime(2026, 11, 22, 16, 0, tzinfo=timezone.utc)
    assert day.end == datetime(2026, 11, 23, 16, 0, tzinfo=timezone.utc)
    assert len(NOV.days()) == 30


def test_an_inverted_period_is_refused() -> None:
    with pytest.raises(PeriodError, match="empty"):
        Period(date(2026, 11, 30), date(2026, 11, 1), WITA)


def test_summary_counts_compliance_times_and_satisfaction() -> None:
    incidents = [
        incident("A", "P1", responded=5, closed=50, rating=5),
        incident("B", "P2", responded=40, closed=150, rating=3, level=2),        # response late
        incident("C", "P3", responded=30, closed=540, hierarchical=True,
                 service="pgm", category="infrastructure/network"),              # resolution late
        incident("D", "P3", responded=20),                                      # open, past due
        incident("E", "P5"),                                                    # open, not due
    ]
    as_of = T0 + timedelta(hours=10)
    s = summarise(measure(incidents, as_of), POLICY, NOV, as_of, day_of="created")
    assert s.incidents == 5
    assert s.by_priority == {"P1": 1, "P2": 1, "P3": 2, "P4": 0, "P5": 1}
    assert s.by_service == [("ipos", 4), ("pgm", 1)]
    assert s.by_category == [("hardware/server", 4), ("infrastructure/network", 1)]
    # response: A met, B missed, C met, D met, E missed (8 h target, 10 h gone)
    assert (s.sla["all"].response.met, s.sla["all"].response.missed, s.sla["all"].response.pending) == (3, 2, 0)
    assert s.sla["all"].response.percent == 60.0
    # resolution: A met, B met, C missed, D missed (open, 8 h target passed), E pending
    assert (s.sla["all"].resolution.met, s.sla["all"].resolution.missed,
            s.sla["all"].resolution.pending) == (2, 2, 1)
    assert s.sla["P3"].resolution.percent == 0.0
    assert s.sla["P4"].response.percent is None
    assert s.times["all"].response.count == 4
    assert s.times["all"].response.mean_minutes == round((5 + 40 + 30 + 20) / 4, 1)
    assert s.times["P2"].resolution.mean_minutes == 150.0
    assert s.times["P2"].resolution.target_minutes == 180.0
    assert s.times["all"].resolution.p90_minutes == 540.0
    assert (s.satisfaction.count, s.satisfaction.average) == (2, 4.0)
    assert s.satisfaction.ratings == {1: 0, 2: 0, 3: 1, 4: 0, 5: 1}
    assert s.escalations_by_level == {1: 4, 2: 1, 3: 0}
    assert s.hierarchical_escalations == 1
    assert dict(s.by_day)[date(2026, 11, 23)] == 5


def test_the_day_of_an_incident_is_its_local_date() -> None:
    late_evening_utc = datetime(2026, 11, 23, 16, 30, tzinfo=timezone.utc)  # 24-11 00:30 WITA
    closed = incident(created=late_evening_utc - timedelta(hours=1), responded=5, closed=60)
    s = summarise(measure([closed], late_evening_utc), POLICY, NOV, late_evening_utc, day_of="closed")
    assert dict(s.by_day)[date(2026, 11, 24)] == 1


def test_an_empty_set_has_no_rates_and_no_averages() -> None:
    s = summarise([], POLICY, NOV, T0)
    assert s.incidents == 0
    assert s.sla["all"].response.percent is None
    assert s.times["all"].resolution.mean_minutes is None
    assert s.satisfaction.average is None
    assert sum(n for _, n in s.by_day) == 0
