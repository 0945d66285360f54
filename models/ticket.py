"""Tickets and everything that hangs off one: events (the audit trail), escalations,
feedback, SLA marks, and the counter that numbers them."""
from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import IDENTIFIER, Base, BigId, intpk, str20, utc
from models.people import Person
from models.states import EscalationKind, Status, by_value


class Counter(Base):
    """Named counters. Incremented with UPDATE ... RETURNING, so the row lock serialises
    concurrent writers on PostgreSQL and numbers stay unique and gapless."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(40), info=IDENTIFIER, primary_key=True)
    value: Mapped[int] = mapped_column(BigId, default=0)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_status_created", "status", "created_at"),
        Index("ix_tickets_sla_next_check_at", "sla_next_check_at"),
        # the console's queue filtered by service (bench/web.py: 62 ms -> 14 ms at 100,000 tickets)
        Index("ix_tickets_service_status", "service", "status"),
    )

    id: Mapped[intpk]
    number: Mapped[str] = mapped_column(String(40), info=IDENTIFIER, unique=True)
    status: Mapped[Status] = mapped_column(by_value(Status), default=Status.NEW)
    subject: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text(), default="")
    reporter_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    service: Mapped[str | None] = mapped_column(String(60))
    category: Mapped[str | None] = mapped_column(String(100))
    symptom: Mapped[str | None] = mapped_column(String(200))
    urgency: Mapped[str20]
    impact: Mapped[str20]
    priority: Mapped[str20]
    triage_confirmed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[utc]
    updated_at: Mapped[utc]
    response_due: Mapped[utc]
    resolution_due: Mapped[utc]
    responded_at: Mapped[utc | None]
    closed_at: Mapped[utc | None]
    # earliest moment the SLA sweep has something to do for this ticket; NULL when nothing
    # (closed, or every mark recorded): the sweep reads only what is due, not what is stored
    sla_next_check_at: Mapped[utc | None]
    escalation_level: Mapped[int] = mapped_column(default=1)
    resolution: Mapped[str | None] = mapped_column(Text())
    origin_message_id: Mapped[str | None] = mapped_column(String(998), info=IDENTIFIER)
    linked_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    reopen_count: Mapped[int] = mapped_column(default=0)

    reporter: Mapped[Person] = relationship(foreign_keys=[reporter_id], lazy="joined")
    assignee: Mapped[Person | None] = relationship(foreign_keys=[assignee_id], lazy="joined")
    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id", lazy="selectin"
    )


class TicketEvent(Base):
    """One change or message on a ticket. The history is the ticket's audit trail:
    who (actor address), when, what (kind + data), from which inbound message."""

    __tablename__ = "ticket_events"

    id: Mapped[intpk]
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    at: Mapped[utc]
    actor: Mapped[str] = mapped_column(String(320), info=IDENTIFIER)
    kind: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text(), default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON(), default=dict)
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"))
    # the reporter sees it (status reply): their own mail, status moves, the desk's messages to
    # them, the resolution. False for everything else, so an internal note never leaks
    public: Mapped[bool] = mapped_column(default=False, server_default=text("false"))

    ticket: Mapped[Ticket] = relationship(back_populates="events")


class Escalation(Base):
    """The paper's escalation form: ticket, handling status, level, handler, description."""

    __tablename__ = "escalations"

    id: Mapped[intpk]
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    at: Mapped[utc]
    kind: Mapped[EscalationKind] = mapped_column(by_value(EscalationKind))
    level: Mapped[int]
    status: Mapped[Status] = mapped_column(by_value(Status))
    handler_name: Mapped[str] = mapped_column(String(200), default="")
    handler_address: Mapped[str | None] = mapped_column(String(320), info=IDENTIFIER)
    description: Mapped[str] = mapped_column(Text(), default="")
    requested_by: Mapped[str] = mapped_column(String(320), info=IDENTIFIER)


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[intpk]
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    rating: Mapped[int]
    comment: Mapped[str] = mapped_column(Text(), default="")
    created_at: Mapped[utc]
    updated_at: Mapped[utc]


class SlaMark(Base):
    """A warning or breach, recorded once per ticket, kind and deadline: the unique key makes
    the record idempotent across sweeps, restarts and concurrent processes."""

    __tablename__ = "sla_marks"
    __table_args__ = (UniqueConstraint("ticket_id", "kind", "due_at"),)

    id: Mapped[intpk]
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # response_warning | response_breach | ...
    due_at: Mapped[utc]
    at: Mapped[utc]
