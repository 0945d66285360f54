"""A new report becomes a draft ticket: status New, suggested triage, derived priority,
SLA deadlines, and the acknowledgement the reporter is owed."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, inspect, select
from sqlalchemy.orm import Session

from models import OutboxMessage, Person, Ticket
from workflow.numbering import next_value
from workflow.history import record
from workflow.notifications import Notification
from workflow.numbering import format_number
from workflow.people import find_or_create_reporter, learn_phone
from workflow.policy import Policy
from workflow.priority import derive_priority
from workflow.sla_clocks import deadlines
from workflow.status import Status
from workflow.recipients import service_desk
from workflow.triage import Suggestion, TriageRules, suggest

ACK_WINDOW = timedelta(hours=1)


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
    acknowledge: bool = True        # False: a monitoring system's alert, never answered


def open_ticket(
    session: Session, policy: Policy, rules: TriageRules, report: Report
) -> tuple[Ticket, list[Notification]]:
    now = report.received_at
    # a new reporter is inserted with the ticket, in one flush
    reporter = find_or_create_reporter(session, report.sender, report.sender_name, now, flush=False)
    first_contact = inspect(reporter).pending   # never mailed: no acknowledgement to count
    guess = suggest(rules, report.subject, report.body, reporter.role)
    ticket = new_ticket(session, policy, reporter, guess, report.subject, report.body, now,
                        message_id=report.message_id, linked_ticket_id=report.linked_ticket_id)
    learn_phone(reporter, report.body, policy.phone_region)   # SMS notices (workflow/sms.py)
    record(session, ticket, "created", actor=reporter.address, at=now, inbound_id=report.inbound_id,
           note=report.body, data={"suggested": suggested(ticket, guess),
                                   "linked_ticket_id": report.linked_ticket_id},
           public=True)   # the reporter's own report
    desk = tell_service_desk(session, ticket, reporter.address, guess)
    if not report.acknowledge:
        record(session, ticket, "ack_suppressed", actor="system", at=now, inbound_id=report.inbound_id,
               note=f"acknowledgement not sent: {reporter.address} is a monitoring system "
                    "(source.monitoring_senders); answering it could start a mail loop",
               data={"reason": "monitoring"})
        return ticket, desk
    if not may_acknowledge(session, policy, ticket, reporter.address, now, report.inbound_id,
                           first_contact=first_contact):
        return ticket, desk
    ack = Notification(
        kind="ack", recipient=reporter.address, ticket_id=ticket.id, language=reporter.language,
        auto_reply=True, thread=(report.message_id,) if report.message_id else (),
    )
    return ticket, [ack, *desk]


def new_ticket(session: Session, policy: Policy, reporter: Person, guess: Suggestion, subject: str,
               body: str, now: datetime, *, message_id: str | None = None,
               linked_ticket_id: int | None = None) -> Ticket:
    """The draft ticket row (status New, the suggested triage, its priority and deadlines
    counted from `now`), flushed so it has an id. Every door that opens a ticket uses it:
    a mailed report here, a logged phone or walk-in report in workflow/logged.py."""
    priority = derive_priority(policy, guess.urgency, guess.impact)
    due = deadlines(policy, priority, now)
    with session.no_autoflush:   # a reporter not yet inserted goes in with the ticket
        value = next_value(session, "ticket")
    ticket = Ticket(
        number=format_number(policy.ticket_prefix, value, policy.ticket_digits),
        status=Status.NEW.value, subject=subject, description=body,
        reporter=reporter, service=guess.service, category=guess.category,
        symptom=guess.symptom, urgency=guess.urgency, impact=guess.impact, priority=priority,
        created_at=now, updated_at=now, response_due=due.response_due,
        resolution_due=due.resolution_due, sla_next_check_at=now,
        origin_message_id=message_id, linked_ticket_id=linked_ticket_id,
    )
    session.add(ticket)
    session.flush()
    return ticket


def suggested(ticket: Ticket, guess: Suggestion) -> dict[str, object]:
    """The suggestion as the `created` event keeps it (the ticket page shows it)."""
    return {"service": guess.service, "category": guess.category, "symptom": guess.symptom,
            "urgency": guess.urgency, "impact": guess.impact, "priority": ticket.priority,
            "reasons": dict(guess.reasons)}


def tell_service_desk(session: Session, ticket: Ticket, reporter: str, guess: Suggestion) -> list[Notification]:
    """new_ticket to each service desk agent (not to the reporter, when an agent reports)."""
    facts = {"suggested": {"service": guess.service, "category": guess.category, "urgency": guess.urgency,
                           "impact": guess.impact, "reasons": dict(guess.reasons)}}
    return [Notification(kind="new_ticket", recipient=agent.address, ticket_id=ticket.id, facts=facts)
            for agent in service_desk(session) if agent.address != reporter]


_ACKS_SENT = select(func.count()).select_from(OutboxMessage).where(
    OutboxMessage.kind == "ack", OutboxMessage.recipient == bindparam("address"),
    OutboxMessage.created_at > bindparam("since"), OutboxMessage.created_at <= bindparam("now"))


def may_acknowledge(session: Session, policy: Policy, ticket: Ticket, address: str,
                    now: datetime, inbound_id: int | None = None, first_contact: bool = False) -> bool:
    """At most `policy.acks_per_sender_per_hour` acknowledgements to one address in the hour
    before `now`: a mail loop with an auto-responder that slips past classification, or a
    flood, stops there. The ticket is still opened; its history says why no ack went out.
    `first_contact`: the person was created by this very report, so nothing was ever sent
    to them (people rows are never deleted) and the outbox need not be asked."""
    if first_contact:
        return _within_limit(session, policy, ticket, address, now, inbound_id, 0)
    with session.no_autoflush:   # the outbox rows are flushed as they are queued; the
        sent = session.scalar(_ACKS_SENT, {   # ticket's own rows can wait for the next flush
            "address": address, "since": now - ACK_WINDOW, "now": now}) or 0
    return _within_limit(session, policy, ticket, address, now, inbound_id, sent)


def _within_limit(session: Session, policy: Policy, ticket: Ticket, address: str, now: datetime,
                  inbound_id: int | None, sent: int) -> bool:
    """True when one more acknowledgement is allowed; else the history says why not."""
    limit = policy.acks_per_sender_per_hour
    if sent < limit:
        return True
    record(session, ticket, "ack_suppressed", actor="system", at=now, inbound_id=inbound_id,
           note=f"acknowledgement not sent: {sent} already sent to {address} in the last hour "
                f"(limit outbound.acks_per_sender_per_hour = {limit})",
           data={"reason": "rate_limit", "limit": limit, "sent_last_hour": sent})
    return False
