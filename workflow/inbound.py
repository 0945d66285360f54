"""Mail a person wrote, routed: a new report, or something on an existing ticket."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from models import Ticket
from workflow.history import record
from workflow.intake import Report, open_ticket
from workflow.notifications import Notification
from workflow.policy import Policy
from workflow.status import Status, within_reopen_window
from workflow.threading import find_ticket
from workflow.triage import TriageRules


@dataclass(frozen=True)
class PersonalMail:
    """The facts of a parsed mail that the rules use (ingest/ builds it)."""

    sender: str
    sender_name: str
    subject: str
    text: str            # whole body as text
    new_text: str        # what the sender wrote above quoted history
    message_id: str | None
    references: tuple[str, ...]   # In-Reply-To then References
    received_at: datetime
    inbound_id: int | None = None


@dataclass
class Outcome:
    kind: str                       # "ticket" (a new one) | "event" (on an existing one)
    ticket: Ticket
    notifications: list[Notification] = field(default_factory=list)


def handle_personal_mail(
    session: Session, policy: Policy, rules: TriageRules, mail: PersonalMail
) -> Outcome:
    ticket = find_ticket(session, policy, mail.subject, mail.references)
    if ticket is None:
        return _new_report(session, policy, rules, mail, linked=None)
    if ticket.status == Status.CLOSED and not within_reopen_window(
            ticket.closed_at, mail.received_at, policy.reopen_window):
        return _new_report(session, policy, rules, mail, linked=ticket)
    return _follow_up(session, policy, ticket, mail)


def _new_report(session: Session, policy: Policy, rules: TriageRules, mail: PersonalMail,
                linked: Ticket | None) -> Outcome:
    report = Report(sender=mail.sender, sender_name=mail.sender_name, subject=mail.subject,
                    body=mail.text, message_id=mail.message_id, received_at=mail.received_at,
                    inbound_id=mail.inbound_id, linked_ticket_id=linked.id if linked else None)
    ticket, notes = open_ticket(session, policy, rules, report)
    if linked is not None:
        record(session, linked, "linked", actor=mail.sender, at=mail.received_at,
               inbound_id=mail.inbound_id, note=f"new ticket {ticket.number} opened after the reopen window",
               data={"ticket": ticket.number})
    return Outcome("ticket", ticket, notes)


def _follow_up(session: Session, policy: Policy, ticket: Ticket, mail: PersonalMail) -> Outcome:
    notes: list[Notification] = []
    if ticket.status == Status.CLOSED:
        ticket.status = Status.IN_PROGRESS.value
        ticket.closed_at = None
        ticket.reopen_count += 1
        record(session, ticket, "status", actor=mail.sender, at=mail.received_at,
               inbound_id=mail.inbound_id, data={"from": "closed", "to": "in_progress", "reopen": True})
    record(session, ticket, "comment", actor=mail.sender, at=mail.received_at,
           inbound_id=mail.inbound_id, note=mail.new_text or mail.text)
    return Outcome("event", ticket, notes)
