"""Typed SQLAlchemy 2.0 models. Imports nothing of ours: every other package may use it."""
from models.base import Base
from models.catalog import Category, Service
from models.digest_run import DigestRun
from models.mail import InboundFailure, InboundMessage, MailboxState, OutboxMessage
from models.people import Person
from models.states import EscalationKind, InboundOutcome, OutboxState, Status
from models.ticket import Counter, Escalation, Feedback, SlaMark, Ticket, TicketEvent
from models.web import AgentPassword, LoginFailure, LoginToken, WebSession
from models import fit  # noqa: F401  (registers: every value fits its column)

__all__ = [
    "AgentPassword", "Base", "Category", "Counter", "DigestRun", "Escalation", "EscalationKind", "Feedback", "InboundFailure",
    "InboundMessage", "InboundOutcome", "LoginFailure", "LoginToken", "MailboxState", "OutboxMessage",
    "OutboxState", "Person", "Service", "SlaMark", "Status", "Ticket", "TicketEvent", "WebSession",
]
