"""Everything the ticket page shows (`/tickets/<NUMBER>`): the fields, the triage suggestion
with its reasons, the original mail, and one timeline of events and mails in and out."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Escalation, Feedback, InboundMessage, OutboxMessage, Person, Ticket
from web.words import triage_reason


@dataclass(frozen=True)
class Entry:
    """One line of the timeline."""

    at: datetime
    kind: str                  # an event kind, or mail_in / mail_out
    who: str
    text: str = ""
    public: bool = False
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TicketPage:
    ticket: Ticket
    suggested: dict[str, Any]
    origin: InboundMessage | None
    timeline: list[Entry]
    escalations: list[Escalation]
    feedback: Feedback | None
    agents: list[Person]

    def triage_reasons(self, lang: str) -> list[tuple[str, str]]:
        """(field, why) of the suggested triage, worded in the page's language."""
        reasons = self.suggested.get("reasons") or {}
        return [(name, triage_reason(why, lang)) for name, why in reasons.items()]


def find_ticket(session: Session, number: str) -> Ticket | None:
    return session.scalar(select(Ticket).where(Ticket.number == number.strip().upper()[:40]))


def ticket_page(session: Session, ticket: Ticket) -> TicketPage:
    created = next((e for e in ticket.events if e.kind == "created"), None)
    inbound = list(session.scalars(select(InboundMessage).where(InboundMessage.ticket_id == ticket.id)
                                   .order_by(InboundMessage.id)))
    outbound = list(session.scalars(select(OutboxMessage).where(OutboxMessage.ticket_id == ticket.id)
                                    .order_by(OutboxMessage.id)))
    timeline = [Entry(e.at, e.kind, e.actor, e.note, e.public, dict(e.data or {})) for e in ticket.events]
    timeline += [Entry(m.received_at, "mail_in", m.sender or "", m.subject, False,
                       {"outcome": m.outcome}) for m in inbound]
    timeline += [Entry(m.created_at, "mail_out", m.recipient, m.subject,
                       m.recipient == ticket.reporter.address, {"state": m.state, "kind": m.kind})
                 for m in outbound]
    timeline.sort(key=lambda entry: entry.at)
    origin = inbound[0] if inbound and created is not None and created.inbound_id == inbound[0].id else None
    agents = list(session.scalars(select(Person).where(Person.is_agent, Person.is_primary)
                                  .order_by(Person.support_level.is_(None), Person.support_level, Person.name)))
    return TicketPage(
        ticket=ticket, suggested=dict((created.data or {}).get("suggested") or {}) if created else {},
        origin=origin, timeline=timeline,
        escalations=list(session.scalars(select(Escalation).where(Escalation.ticket_id == ticket.id)
                                         .order_by(Escalation.id))),
        feedback=session.scalar(select(Feedback).where(Feedback.ticket_id == ticket.id)),
        agents=agents)
