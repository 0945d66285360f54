"""Typed SQLAlchemy 2.0 models. Imports nothing of ours: every other package may use it."""
from models.base import Base
from models.catalog import Category, Service
from models.digest import DigestRun
from models.mail import InboundMessage, MailboxState, OutboxMessage
from models.people import Person
from models.ticket import Counter, Escalation, Feedback, SlaMark, Ticket, TicketEvent

__all__ = [
    "Base", "Category", "Counter", "DigestRun", "Escalation", "Feedback", "InboundMessage", "MailboxState",
    "OutboxMessage", "Person", "Service", "SlaMark", "Ticket", "TicketEvent",
]
