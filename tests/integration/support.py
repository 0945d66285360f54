"""The desk between a real IMAP mailbox (Dovecot) and a real SMTP server (aiosmtpd), and the
mail its people send: shared by the end-to-end agent tests and the forged-agent fault tests
(the `world` fixture in tests/conftest.py builds one); and a ticket of a chosen priority for
the SLA sweep tests."""
from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid
from typing import TYPE_CHECKING

from sqlalchemy import select

from app.poll import poll
from app.runtime import Runtime
from app.wiring import make_source, make_transport
from models import OutboxMessage, Person, Ticket
from outbound.flush import flush
from tests.servers.dovecot import DovecotServer
from tests.servers.smtp import SmtpServer
from workflow.intake import Report, open_ticket
from workflow.sla_clocks import deadlines

if TYPE_CHECKING:  # tests/conftest.py builds the `world` fixture from this module
    from tests.conftest import Clock

DOMAIN = "posbalikpapan.example"
DESK = f"servicedesk@{DOMAIN}"
REPORTER = f"dewi.loket@{DOMAIN}"
RINA, AGUS, SARI = f"rina@{DOMAIN}", f"agus@{DOMAIN}", f"sari@{DOMAIN}"


class World:
    """The desk between a real IMAP mailbox and a real SMTP server."""

    def __init__(self, rt: Runtime, dovecot: DovecotServer, smtp: SmtpServer, clock: Clock) -> None:
        self.rt, self.dovecot, self.smtp, self.clock = rt, dovecot, smtp, clock

    def deliver(self, raw: bytes) -> None:
        """The mail arrives, the desk polls and sends what it caused."""
        self.dovecot.append("INBOX", raw)
        source = make_source(self.rt.settings)
        try:
            result = poll(self.rt, source)
        finally:
            source.close()
        assert "quarantined" not in result.outcomes, result.outcomes
        flush(self.rt.sessions, make_transport(self.rt.settings), clock=self.rt.clock, max_attempts=3)

    def received(self, address: str, kind: str) -> list[EmailMessage]:
        """Mail of one kind that reached `address` through SMTP, oldest first."""
        with self.rt.sessions() as session:
            kinds = {row.message_id: row.kind for row in session.scalars(select(OutboxMessage))}
        return [m.parsed() for m in self.smtp.messages
                if address in m.rcpt_tos and kinds.get(m.message_id or "") == kind]

    def last(self, address: str, kind: str) -> EmailMessage:
        found = self.received(address, kind)
        assert found, f"no {kind} mail reached {address}"
        return found[-1]

    def ticket(self) -> Ticket:
        with self.rt.sessions() as session:
            ticket = session.scalar(select(Ticket).order_by(Ticket.id.desc()))
            assert ticket is not None
            session.expunge_all()
            return ticket

    def history(self) -> list[tuple[str, str, object, int | None]]:
        with self.rt.sessions() as session:
            ticket = session.scalar(select(Ticket).order_by(Ticket.id.desc()))
            assert ticket is not None
            return [(e.kind, e.actor, e.at, e.inbound_id) for e in ticket.events]


def report(sender: str = REPORTER) -> bytes:
    return (f"From: Dewi Loket <{sender}>\r\nTo: Service Desk <{DESK}>\r\n"
            "Subject: Ipos server down - semua loket tidak bisa input kiriman\r\n"
            f"Message-ID: {make_msgid(domain=DOMAIN)}\r\nDate: Mon, 23 Nov 2026 09:00:00 +0800\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            "Selamat pagi, aplikasi Ipos mati sejak jam 8, semua loket tidak bisa input kiriman.\r\n").encode()


def reply_to(desk_mail: EmailMessage, sender: str, name: str, body: str, *,
             extra_headers: str = "", html: bool = False) -> bytes:
    """What a mail client sends when `sender` answers `desk_mail`: threaded under it, the
    desk's text quoted below the new part."""
    references = f"{desk_mail.get('References', '')} {desk_mail['Message-ID']}".strip()
    quoted = "\r\n".join("> " + line for line in desk_mail.get_body(("plain",)).get_content().splitlines())
    content_type, text = "text/plain", f"{body}\r\n\r\nPada Senin, Service Desk menulis:\r\n{quoted}\r\n"
    if html:
        content_type = "text/html"
        text = "".join(f"<p>{line or '&nbsp;'}</p>" for line in body.split("\n")) + \
            "<div id=\"divRplyFwdMsg\"><b>Dari:</b> Service Desk</div>"
    return (f"From: {name} <{sender}>\r\nTo: Service Desk <{DESK}>\r\n{extra_headers}"
            f"Subject: Re: {desk_mail['Subject']}\r\nMessage-ID: {make_msgid(domain=DOMAIN)}\r\n"
            f"In-Reply-To: {desk_mail['Message-ID']}\r\nReferences: {references}\r\n"
            f"Content-Type: {content_type}; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            f"{text}").encode()


def body(mail: EmailMessage) -> str:
    return mail.get_body(("plain",)).get_content()


def world_settings(dovecot: DovecotServer, smtp: SmtpServer) -> dict[str, dict[str, object]]:
    """The configuration tables of a desk that polls `dovecot` and sends through `smtp`."""
    return {
        "desk": {"secret": "e2e-secret", "address": DESK},
        "source": {"kind": "imap"},
        "source.imap": {"host": "127.0.0.1", "port": dovecot.port, "security": "plain",
                        "username": dovecot.user, "password": dovecot.password},
        "outbound": {"transport": "smtp"},
        "outbound.smtp": {"host": "127.0.0.1", "port": smtp.port, "security": "plain"},
        "auth": {"authserv_id": f"mx.{DOMAIN}"},
    }


def open_with_priority(rt: Runtime, priority: str, assignee: str | None = None) -> int:
    """A ticket logged now, set to `priority` the way an agent's urgency/impact would."""
    policy = rt.settings.policy
    urgency, impact = next(cell for cell, p in policy.matrix.items() if p == priority)
    with rt.sessions.begin() as session:
        report = Report(sender="budi@posbalikpapan.example", sender_name="Budi", subject=f"{priority} trouble",
                        body="Ipos tidak bisa dipakai.", message_id=None, received_at=rt.clock())
        ticket, _ = open_ticket(session, policy, rt.settings.triage, report)
        due = deadlines(policy, priority, ticket.created_at)
        ticket.urgency, ticket.impact, ticket.priority = urgency, impact, priority
        ticket.response_due, ticket.resolution_due = due.response_due, due.resolution_due
        if assignee:
            ticket.assignee_id = session.scalar(select(Person.id).where(Person.address == assignee))
        return ticket.id
