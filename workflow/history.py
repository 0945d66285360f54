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
) -> TicketEvent:
    event = TicketEvent(ticket_id=ticket.id, kind=kind, actor=actor, at=at, note=note,
                        data=data or {}, inbound_id=inbound_id)
    session.add(event)
    ticket.updated_at = at
    return event
