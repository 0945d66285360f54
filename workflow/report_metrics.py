"""Service-desk KPIs over a set of incidents: counts, SLA compliance, times against target,
satisfaction and escalations. Pure: the incidents arrive as plain rows (workflow/report_data.py
loads them), so the printed report, the JSON export and the daily digest all compute their
figures here, once, and cannot disagree.

How a clock counts (response: logged -> handling started; resolution: logged -> closed):
- met      it stopped at or before its deadline (responded_at <= response_due,
           closed_at <= resolution_due);
- missed   it stopped after its deadline, or it is still running and the deadline has passed
           at the moment of the report (an open ticket past its deadline can no longer meet
           it, so it counts against compliance as soon as it is late);
- pending  still running and not yet due: left out of the compliance rate, shown apart.
Compliance = met / (met + missed); none (shown "-") when nothing has a verdict yet.
A ticket closed without a recorded response counts as responded when it was closed.
The 90th percentile is the nearest-rank one: the ceil(0.9 n)-th smallest value.
"""
from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from operator import attrgetter
from typing import Iterable, NamedTuple, Sequence, TypeVar

from workflow.period import Period, local_midnight
from workflow.policy import Policy


MET, MISSED, PENDING = "met", "missed", "pending"   # the verdicts on one clock


def verdict(stopped_at: datetime | None, due: datetime, as_of: datetime) -> str:
    """met / missed / pending for one clock (see the module docstring)."""
    if stopped_at is not None:
        return MET if stopped_at <= due else MISSED
    return MISSED if as_of > due else PENDING


class Incident(NamedTuple):
    """One ticket as the reports see it: plain values, aware UTC datetimes. A tuple, not a
    dataclass: a month's report builds tens of thousands of them."""

    number: str
    status: str
    created_at: datetime
    response_due: datetime
    resolution_due: datetime
    responded_at: datetime | None
    closed_at: datetime | None
    priority: str
    urgency: str
    impact: str
    service: str | None
    category: str | None
    escalation_level: int
    reporter: str
    reporter_name: str
    handler: str | None
    resolution: str | None
    rating: int | None
    hierarchical: bool = False   # a hierarchical escalation was recorded
    subject: str = ""

    @property
    def response_stop(self) -> datetime | None:
        """When handling started; closing stops a response clock still running (the rule of
        workflow/sla.clocks)."""
        responded, closed = self.responded_at, self.closed_at
        if responded is None or (closed is not None and closed < responded):
            return closed
        return responded


class Measured(NamedTuple):
    """An incident with its two clocks worked out once, at the report's moment: the summary
    and every export read these, so a verdict is never computed two ways."""

    incident: Incident
    response_minutes: float | None     # logged -> handling started; None: not yet
    resolution_minutes: float | None   # logged -> closed; None: still open
    response: str                      # met | missed | pending
    resolution: str


def measure(incidents: Iterable[Incident], as_of: datetime) -> list[Measured]:
    out = []
    for i in incidents:
        created, closed, stop = i.created_at, i.closed_at, i.response_stop
        out.append(Measured(
            i, (stop - created).total_seconds() / 60 if stop else None,
            (closed - created).total_seconds() / 60 if closed else None,
            verdict(stop, i.response_due, as_of), verdict(closed, i.resolution_due, as_of)))
    return out


@dataclass(frozen=True)
class Compliance:
    met: int = 0
    missed: int = 0
    pending: int = 0

    @property
    def percent(self) -> float | None:
        judged = self.met + self.missed
        return round(100.0 * self.met / judged, 1) if judged else None


@dataclass(frozen=True)
class Durations:
    """Times of one clock (minutes) with the SLA target they are measured against."""

    count: int
    mean_minutes: float | None
    p90_minutes: float | None
    target_minutes: float | None


@dataclass(frozen=True)
class SlaPair:
    response: Compliance
    resolution: Compliance


@dataclass(frozen=True)
class TimePair:
    response: Durations
    resolution: Durations


@dataclass(frozen=True)
class Satisfaction:
    count: int
    average: float | None
    ratings: dict[int, int]


@dataclass(frozen=True)
class Summary:
    incidents: int
    by_priority: dict[str, int]
    by_service: list[tuple[str | None, int]]
    by_category: list[tuple[str | None, int]]
    by_day: list[tuple[date, int]]
    sla: dict[str, SlaPair]              # priority, and "all" -> compliance of both clocks
    times: dict[str, TimePair]           # priority, and "all" -> durations of both clocks
    satisfaction: Satisfaction
    escalations_by_level: dict[int, int]
    hierarchical_escalations: int
    as_of: datetime


ALL = "all"


def summarise(measured: Sequence[Measured], policy: Policy, period: Period, as_of: datetime,
              day_of: str = "closed") -> Summary:
    """Every KPI of the report summary. `day_of` picks the date each incident is counted on
    in the per-day series: its closing ("closed") or its logging ("created")."""
    priorities = list(policy.priorities)
    incidents = [m.incident for m in measured]
    return Summary(
        incidents=len(incidents),
        by_priority=_count_in_order(priorities, map(attrgetter("priority"), incidents)),
        by_service=_ranked(map(attrgetter("service"), incidents)),
        by_category=_ranked(map(attrgetter("category"), incidents)),
        by_day=per_day(incidents, period, day_of),
        sla=_compliance_by_priority(measured, priorities),
        times=_durations_by_priority(measured, priorities, policy),
        satisfaction=satisfaction(map(attrgetter("rating"), incidents)),
        escalations_by_level=_count_in_order(list(policy.escalation_levels),
                                             map(attrgetter("escalation_level"), incidents)),
        hierarchical_escalations=sum(map(attrgetter("hierarchical"), incidents)),
        as_of=as_of,
    )


K = TypeVar("K")


def _count_in_order(keys: Iterable[K], values: Iterable[K]) -> dict[K, int]:
    counts = Counter(values)
    out = {key: counts.pop(key, 0) for key in keys}
    out.update(sorted(counts.items(), key=lambda kv: str(kv[0])))  # values no longer configured
    return out


def _ranked(values: Iterable[str | None]) -> list[tuple[str | None, int]]:
    """Most frequent first, ties by code; tickets without a value last."""
    counts = Counter(values)
    return sorted(counts.items(), key=lambda kv: (kv[0] is None, -kv[1], kv[0] or ""))


def per_day(incidents: Iterable[Incident], period: Period, day_of: str) -> list[tuple[date, int]]:
    """Incidents per local day: each moment is placed between the days' first moments (UTC)
    by bisection, which is right across daylight-saving changes and cheap for 50,000."""
    days = period.days()
    starts = [local_midnight(day, period.tz) for day in days]
    use_closed = day_of == "closed"
    counts = Counter(bisect_right(starts, i.closed_at if use_closed and i.closed_at else i.created_at) - 1
                     for i in incidents)
    return [(day, counts.get(n, 0)) for n, day in enumerate(days)]


def _compliance_by_priority(measured: Sequence[Measured], priorities: list[str]) -> dict[str, SlaPair]:
    priority = [m.incident.priority for m in measured]
    response = Counter(zip(priority, map(attrgetter("response"), measured)))
    resolution = Counter(zip(priority, map(attrgetter("resolution"), measured)))
    seen = priorities + sorted({p for p, _ in response} - set(priorities))
    out = {p: SlaPair(_compliance(response, p), _compliance(resolution, p)) for p in seen}
    pairs = list(out.values())
    out[ALL] = SlaPair(_total(p.response for p in pairs), _total(p.resolution for p in pairs))
    return out


def _total(parts: Iterable[Compliance]) -> Compliance:
    met = missed = pending = 0
    for c in parts:
        met, missed, pending = met + c.met, missed + c.missed, pending + c.pending
    return Compliance(met, missed, pending)


def _compliance(tally: Counter[tuple[str, str]], priority: str) -> Compliance:
    return Compliance(tally[(priority, MET)], tally[(priority, MISSED)], tally[(priority, PENDING)])


def _durations_by_priority(measured: Sequence[Measured], priorities: list[str],
                           policy: Policy) -> dict[str, TimePair]:
    times: dict[str, tuple[list[float], list[float]]] = {p: ([], []) for p in priorities}
    for m in measured:
        lists = times.get(m.incident.priority) or times.setdefault(m.incident.priority, ([], []))
        if m.response_minutes is not None:
            lists[0].append(m.response_minutes)
        if m.resolution_minutes is not None:
            lists[1].append(m.resolution_minutes)
    times[ALL] = ([m for r, _ in times.values() for m in r], [m for _, s in times.values() for m in s])
    out = {}
    for key, (response, resolution) in times.items():
        target = policy.sla.get(key)
        out[key] = TimePair(
            durations(response, target.response if target else None),
            durations(resolution, target.resolution if target else None))
    return out


def durations(minutes: list[float], target: timedelta | None) -> Durations:
    return Durations(
        count=len(minutes),
        mean_minutes=round(sum(minutes) / len(minutes), 1) if minutes else None,
        p90_minutes=round(percentile(minutes, 90), 1) if minutes else None,
        target_minutes=target.total_seconds() / 60 if target is not None else None)


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile: the smallest value with at least pct % of values at or below."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(pct * len(ordered) / 100))  # pct * n first: 0.9 * 70 is not 63
    return ordered[rank - 1]


def satisfaction(ratings: Iterable[int | None]) -> Satisfaction:
    given = [r for r in ratings if r is not None]
    return Satisfaction(
        count=len(given),
        average=round(sum(given) / len(given), 2) if given else None,
        ratings={r: given.count(r) for r in range(1, 6)})
