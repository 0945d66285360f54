"""Which ticket a mail belongs to: the subject tag, or a reference to a Message-ID the desk
sent (or the reporter's original). Never the subject text alone."""
from __future__ import annotations

from typing import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import OutboxMessage, Ticket
from workflow.numbering import find_ticket_number
from workflow.policy import Policy


def find_ticket(
    session: Session, policy: Policy, subject: str, references: Sequence[str]
) -> Ticket | None:
    number = find_ticket_number(subject, policy.ticket_prefix)
    if number:
        ticket = session.scalar(select(Ticket).where(Ticket.number == number))
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
        return session.get(Ticket, ticket_id)
    return session.scalar(select(Ticket).where(Ticket.origin_message_id.in_(refs))
                          .order_by(Ticket.id.desc()).limit(1))
