"""The facts of one person's mail that the rules use, and what handling it produced.
ingest/ and app/ build PersonalMail; the rules never see headers or MIME."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from models import Ticket
from workflow.notifications import Notification


@dataclass(frozen=True)
class PersonalMail:
    sender: str
    sender_name: str
    subject: str
    text: str            # whole body as text
    new_text: str        # what the sender wrote above quoted history
    message_id: str | None
    references: tuple[str, ...]   # In-Reply-To then References
    received_at: datetime
    inbound_id: int | None = None
    # methods ("dkim", "spf") that the trusted Authentication-Results passed, aligned with the
    # From: domain (ingest/authentication.py), and why or why not, in words for the agent
    authenticated_by: frozenset[str] = frozenset()
    authentication_detail: str = ""
    # the sender was salvaged from a malformed From: (two From: headers, several addresses,
    # a broken address, or none: ingest/sender.py): may report, never acts as an agent
    sender_salvaged: bool = False
    # False for a monitoring system's alert (source.monitoring_senders): a ticket, but no
    # acknowledgement or status mail back, since answering a robot starts a mail loop
    acknowledge: bool = True


@dataclass
class Outcome:
    kind: str                       # "ticket" (a new one) | "event" (on an existing one)
    ticket: Ticket
    notifications: list[Notification] = field(default_factory=list)
