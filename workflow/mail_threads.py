"""Which ticket a mail belongs to: the subject tag, or a reference to a Message-ID the desk
sent or received on a ticket (the report itself, or any follow-up in its thread). Never the
subject text alone."""
from __future__ import annotations

from typing import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from models import InboundMessage, OutboxMessage, Ticket
from workflow.numbering import find_ticket_number
from workflow.policy import Policy


# the history is loaded when something reads it (a status report), not for every reply
_NO_HISTORY = (lazyload(Ticket.events),)


def find_ticket(
    session: Session, policy: Policy, subject: str, references: Sequence[str]
) -> Ticket | None:
    number = find_ticket_number(subject, policy.ticket_prefix)
    if number:
        ticket = session.scalar(select(Ticket).where(Ticket.number == number).options(*_NO_HISTORY))
        if ticket is not None:
            return ticket
    refs = [r for r in references if r][-50:]
    if not refs:
        return None
    ticket_id = session.scalar(
        select(OutboxMessage.ticket_id).where(OutboxMessage.message_id.in_(refs),
                                              OutboxMessage.ticket_id.is_not(None))
        .order_by(OutboxMessage.id.desc()).limit(1))
    if ticket_id is not None:
        return session.get(Ticket, ticket_id, options=_NO_HISTORY)
    ticket_id = session.scalar(
        select(InboundMessage.ticket_id).where(InboundMessage.message_id.in_(refs),
                                               InboundMessage.ticket_id.is_not(None))
        .order_by(InboundMessage.id.desc()).limit(1))
    return session.get(Ticket, ticket_id, options=_NO_HISTORY) if ticket_id is not None else None
