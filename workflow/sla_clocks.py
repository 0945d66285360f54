"""SLA deadlines and clocks. Both clocks count from the moment the ticket was logged: a priority
change moves the deadlines to logged_at + the new targets, it never restarts the clock.

Time is counted on the priority's calendar (workflow/business_hours.py): around the clock unless the
configuration gives that priority business hours. The response clock stops when the ticket
first leaves New (responded_at), the resolution clock when it is closed (closed_at)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from workflow.business_hours import AROUND_THE_CLOCK, Calendar
from workflow.policy import Policy

RESPONSE, RESOLUTION = "response", "resolution"


@dataclass(frozen=True)
class Deadlines:
    response_due: datetime
    resolution_due: datetime


@dataclass(frozen=True)
class SlaClock:
    """One of a ticket's two clocks: started when the ticket was logged, due at its deadline,
    stopped (or not yet) when the promise was kept or the time ran out regardless."""

    name: str                       # response | resolution
    started_at: datetime
    due_at: datetime
    stopped_at: datetime | None


def calendar_for(policy: Policy, priority: str) -> Calendar:
    return policy.calendars.get(priority, AROUND_THE_CLOCK)


def deadlines(policy: Policy, priority: str, logged_at: datetime) -> Deadlines:
    target = policy.sla[priority]
    calendar = calendar_for(policy, priority)
    return Deadlines(calendar.add(logged_at, target.response), calendar.add(logged_at, target.resolution))


def clocks(logged_at: datetime, response_due: datetime, resolution_due: datetime,
           responded_at: datetime | None, closed_at: datetime | None) -> tuple[SlaClock, SlaClock]:
    """A ticket's clocks. Closing a ticket also stops a response clock still running."""
    response_stop = min((t for t in (responded_at, closed_at) if t is not None), default=None)
    return (SlaClock(RESPONSE, logged_at, response_due, response_stop),
            SlaClock(RESOLUTION, logged_at, resolution_due, closed_at))


def warning_at(clock: SlaClock, share: float, calendar: Calendar) -> datetime:
    """When `share` of the clock's time to its deadline is used (counted on `calendar`)."""
    return calendar.add(clock.started_at, calendar.elapsed(clock.started_at, clock.due_at) * share)


def used_share(clock: SlaClock, calendar: Calendar, now: datetime) -> float:
    """How much of the time to the deadline was used by `now` (or when the clock stopped):
    0.75 is three quarters, above 1 is over time."""
    end = min(now, clock.stopped_at) if clock.stopped_at is not None else now
    total = calendar.elapsed(clock.started_at, clock.due_at)
    if total.total_seconds() <= 0:
        return 1.0 if end >= clock.due_at else 0.0
    return calendar.elapsed(clock.started_at, end) / total
