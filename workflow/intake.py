"""A new report becomes a draft ticket: status New, suggested triage, derived priority,
SLA deadlines, and the acknowledgement the reporter is owed."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from models import Ticket
from workflow.counters import next_value
from workflow.history import record
from workflow.notifications import Notification
from workflow.numbering import format_number
from workflow.people import find_or_create_reporter
from workflow.policy import Policy
from workflow.priority import derive_priority
from workflow.sla import deadlines
from workflow.status import Status
from workflow.triage import TriageRules, suggest


@dataclass(frozen=True)
class Report:
    """What the rules need of an inbound report; built by ingest/ from the parsed mail."""

    sender: str
    sender_name: str
    subject: str
    body: str
    message_id: str | None
    received_at: datetime
    inbound_id: int | None = None
    linked_ticket_id: int | None = None


def open_ticket(
    session: Session, policy: Policy, rules: TriageRules, report: Report
) -> tuple[Ticket, list[Notification]]:
    now = report.received_at
    reporter = find_or_create_reporter(session, report.sender, report.sender_name, now)
    guess = suggest(rules, report.subject, report.body, reporter.role)
    priority = derive_priority(policy, guess.urgency, guess.impact)
    due = deadlines(policy, priority, now)
    ticket = Ticket(
        number=format_number(policy.ticket_prefix, next_value(session, "ticket"), policy.ticket_digits),
        status=Status.NEW.value, subject=report.subject[:500], description=report.body,
        reporter_id=reporter.id, service=guess.service, category=guess.category,
        symptom=guess.symptom, urgency=guess.urgency, impact=guess.impact, priority=priority,
        created_at=now, updated_at=now, response_due=due.response_due,
        resolution_due=due.resolution_due, sla_next_check_at=now,
        origin_message_id=report.message_id, linked_ticket_id=report.linked_ticket_id,
    )
    session.add(ticket)
    session.flush()
    record(session, ticket, "created", actor=reporter.address, at=now, inbound_id=report.inbound_id,
           note=report.body, data={"suggested": {
               "service": guess.service, "category": guess.category, "symptom": guess.symptom,
               "urgency": guess.urgency, "impact": guess.impact, "priority": priority,
               "reasons": dict(guess.reasons)}, "linked_ticket_id": report.linked_ticket_id})
    ack = Notification(
        kind="ack", recipient=reporter.address, ticket_id=ticket.id, language=reporter.language,
        auto_reply=True, thread=(report.message_id,) if report.message_id else (),
    )
    return ticket, [ack]
