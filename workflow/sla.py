"""SLA deadlines. Both clocks count from the moment the ticket was logged: a priority
change moves the deadlines to logged_at + the new targets, it never restarts the clock."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from workflow.policy import Policy


@dataclass(frozen=True)
class Deadlines:
    response_due: datetime
    resolution_due: datetime


def deadlines(policy: Policy, priority: str, logged_at: datetime) -> Deadlines:
    target = policy.sla[priority]
    return Deadlines(logged_at + target.response, logged_at + target.resolution)
