"""Ticket events: the one way anything is written to a ticket's history."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models import Ticket, TicketEvent


def record(
    session: Session,
    ticket: Ticket,
    kind: str,
    *,
    actor: str,
    at: datetime,
    note: str = "",
    data: dict[str, Any] | None = None,
    inbound_id: int | None = None,
    public: bool = False,
) -> TicketEvent:
    """`public`: the reporter may see the event (their status reply); internal by default,
    so whatever a new caller forgets to mark stays with the desk."""
    event = TicketEvent(ticket_id=ticket.id, kind=kind, actor=actor, at=at, note=note,
                        data=data or {}, inbound_id=inbound_id, public=public)
    session.add(event)
    ticket.updated_at = at
    return event
