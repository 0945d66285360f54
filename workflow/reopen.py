"""Closed -> In Progress, from a reporter's reply or an agent's `Status: in progress`.

The resolution clock pauses while a ticket is closed: on reopen the time it spent closed is
added to resolution_due. A reopen is then judged on the time the desk actually had, and is
not an instant breach (with the escalation that would follow) for a ticket closed in time.

The resolution and the reporter's rating belong to the closure being undone: a reopened
ticket has neither as current (the report, the ticket page and the next closure would
otherwise show a fix that did not hold). The history keeps them: the `resolution` and
`feedback` events stay, and the reopen event records both as `previous_resolution` and
`previous_rating`. Closing again needs a new resolution; a new rating follows that closure."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import object_session

from models import Feedback, Ticket
from workflow.status import Status


def reopen(ticket: Ticket, at: datetime) -> dict[str, Any]:
    """Apply the reopen to `ticket`; returns the event data describing it."""
    paused = max(at - ticket.closed_at, timedelta(0)) if ticket.closed_at else timedelta(0)
    ticket.resolution_due = ticket.resolution_due + paused
    ticket.status = Status.IN_PROGRESS
    ticket.closed_at = None
    ticket.reopen_count += 1
    ticket.sla_next_check_at = at  # the SLA sweep looks at the resumed clock
    return {"from": Status.CLOSED.value, "to": Status.IN_PROGRESS.value, "reopen": True,
            "resolution_paused_minutes": int(paused.total_seconds() // 60), **_clear_outcome(ticket)}


def _clear_outcome(ticket: Ticket) -> dict[str, Any]:
    """Take the closure's resolution and rating off the ticket; returns what they were."""
    previous: dict[str, Any] = {}
    if ticket.resolution:
        previous["previous_resolution"], ticket.resolution = ticket.resolution, None
    session = object_session(ticket)
    feedback = (session.scalar(select(Feedback).where(Feedback.ticket_id == ticket.id))
                if session is not None and ticket.id is not None else None)
    if feedback is not None and session is not None:
        previous["previous_rating"] = feedback.rating
        session.delete(feedback)
        session.flush()  # a rating of the next closure inserts the ticket's one feedback row again
    return previous
