"""Bounces of the desk's own mail: the recipient is marked as bouncing and the ticket's
history says the mail never arrived; bounces are never answered, and a bounce of mail the
desk did not send (backscatter) changes nothing."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from app.poll import poll
from app.runtime import Runtime
from app.wiring import make_source
from ingest.maildir_source import deliver
from models import InboundMessage, OutboxMessage, Person, Ticket, TicketEvent

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "reports"
REPORTER = "rina.marlina@posbalikpapan.example"


def dsn(original_id: str, recipient: str, action: str = "failed", status: str = "5.1.1",
        returned: str = "text/rfc822-headers") -> bytes:
    original = (f"From: servicedesk@posbalikpapan.example\nTo: {recipient}\nSubject: [INC-000001] diterima\n"
                f"Message-ID: {original_id}\nX-Incidentdesk: 1\n")
    if returned == "message/rfc822":
        original += "\nIsi pemberitahuan.\n"
    text = f"""From: Mail Delivery System <MAILER-DAEMON@mx.posbalikpapan.example>
To: servicedesk@posbalikpapan.example
Subject: Undelivered Mail Returned to Sender
Message-ID: <dsn.{status}.{action}@mx.posbalikpapan.example>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.posbalikpapan.example

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822; {recipient}
Action: {action}
Status: {status}
Diagnostic-Code: smtp; 550 {status} <{recipient}>: User unknown

--B
Content-Type: {returned}

{original}
--B--
"""
    return text.replace("\n", "\r\n").encode()


def poll_maildir(rt: Runtime) -> dict[str, int]:
    return poll(rt, make_source(rt.settings)).outcomes


def outbox_size(rt: Runtime) -> int:
    with rt.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


def first_ack(rt: Runtime) -> OutboxMessage:
    maildir = rt.settings.source.maildir
    deliver(maildir, (SAMPLES / "05-pospay-kabel-rusak-attachment.eml").read_bytes(), "report")
    assert poll_maildir(rt) == {"ticket": 1}
    with rt.sessions() as session:
        ack = session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "ack"))
        assert ack is not None and ack.recipient == REPORTER
        return ack


def test_bounce_of_an_acknowledgement_marks_the_reporter_and_notes_it_on_the_ticket(runtime: Runtime) -> None:
    ack = first_ack(runtime)
    queued = outbox_size(runtime)
    deliver(runtime.settings.source.maildir, dsn(ack.message_id, REPORTER), "dsn")
    assert poll_maildir(runtime) == {"bounce": 1}
    with runtime.sessions() as session:
        person = session.scalar(select(Person).where(Person.address == REPORTER))
        assert person is not None and person.bouncing_since == runtime.clock()
        event = session.scalar(select(TicketEvent).where(TicketEvent.kind == "bounce"))
        assert event is not None and event.ticket_id == ack.ticket_id
        assert "could not be delivered: 5.1.1" in event.note and event.data["outbox_id"] == ack.id
        record = session.scalar(select(InboundMessage).where(InboundMessage.outcome == "bounce"))
        assert record is not None and record.ticket_id == ack.ticket_id and event.inbound_id == record.id
    assert outbox_size(runtime) == queued  # never answered


def test_returned_original_as_message_rfc822_is_found_too(runtime: Runtime) -> None:
    ack = first_ack(runtime)
    deliver(runtime.settings.source.maildir,
            dsn(ack.message_id, REPORTER, returned="message/rfc822"), "dsn")
    assert poll_maildir(runtime) == {"bounce": 1}


def test_bounce_of_mail_the_desk_never_sent_changes_nothing(runtime: Runtime) -> None:
    first_ack(runtime)
    deliver(runtime.settings.source.maildir,
            dsn("<spam.forged@elsewhere.example>", REPORTER), "backscatter")
    assert poll_maildir(runtime) == {"ignored": 1}
    with runtime.sessions() as session:
        assert session.scalar(select(Person.bouncing_since).where(Person.address == REPORTER)) is None
        assert session.scalar(select(func.count()).select_from(TicketEvent)
                              .where(TicketEvent.kind == "bounce")) == 0


def test_delayed_delivery_is_not_a_bounce(runtime: Runtime) -> None:
    ack = first_ack(runtime)
    deliver(runtime.settings.source.maildir,
            dsn(ack.message_id, REPORTER, action="delayed", status="4.4.1"), "delayed")
    assert poll_maildir(runtime) == {"ignored": 1}
    with runtime.sessions() as session:
        assert session.scalar(select(Person.bouncing_since).where(Person.address == REPORTER)) is None
        ticket = session.get(Ticket, ack.ticket_id)
        assert ticket is not None and [e.kind for e in ticket.events] == ["created"]
