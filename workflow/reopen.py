"""Closed -> In Progress, from a reporter's reply or an agent's `Status: in progress`.

The resolution clock pauses while a ticket is closed: on reopen the time it spent closed is
added to resolution_due. A reopen is then judged on the time the desk actually had, and is
not an instant breach (with the escalation that would follow) for a ticket closed in time."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from models import Ticket
from workflow.status import Status


def reopen(ticket: Ticket, at: datetime) -> dict[str, Any]:
    """Apply the reopen to `ticket`; returns the event data describing it."""
    paused = max(at - ticket.closed_at, timedelta(0)) if ticket.closed_at else timedelta(0)
    ticket.resolution_due = ticket.resolution_due + paused
    ticket.status = Status.IN_PROGRESS.value
    ticket.closed_at = None
    ticket.reopen_count += 1
    ticket.sla_next_check_at = at  # the SLA sweep looks at the resumed clock
    return {"from": Status.CLOSED.value, "to": Status.IN_PROGRESS.value, "reopen": True,
            "resolution_paused_minutes": int(paused.total_seconds() // 60)}
