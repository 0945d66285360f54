"""An agent logs a phone report by mail, end to end through Dovecot and aiosmtpd: a new mail
whose first line is `Pelapor:`, verified by our MTA (DKIM), becomes the caller's ticket and
the caller is acknowledged; the same mail unverified is an ordinary report by its sender."""
from __future__ import annotations

from email.utils import make_msgid

from sqlalchemy import select

from models import Ticket, TicketEvent
from tests.integration.support import DESK, DOMAIN, RINA, World, body

CALLER = f"yanti.loket@{DOMAIN}"


def logging_mail(verified: bool) -> bytes:
    proof = f"Authentication-Results: mx.{DOMAIN}; dkim=pass header.d={DOMAIN} header.s=mail\r\n" if verified else ""
    return (f"{proof}From: Rina <{RINA}>\r\nTo: {DESK}\r\nSubject: Printer loket 3 tidak mencetak\r\n"
            f"Message-ID: {make_msgid(domain=DOMAIN)}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            f"Pelapor: Yanti Loket <{CALLER}>\r\nTelepon: 0812 3456 7890\r\nUrgensi: tinggi\r\n\r\n"
            "Bu Yanti menelepon: printer resi di loket 3 tidak mencetak sejak pagi.\r\n").encode()


def test_a_verified_pelapor_mail_logs_the_callers_ticket_and_acknowledges_them(world: World) -> None:
    world.deliver(logging_mail(verified=True))
    ticket = world.ticket()
    with world.rt.sessions() as session:
        found = session.get(Ticket, ticket.id)
        assert found is not None and found.reporter.address == CALLER
        assert found.reporter.phone == "+6281234567890" and found.urgency == "high"
        assert found.description == "Bu Yanti menelepon: printer resi di loket 3 tidak mencetak sejak pagi."
        created = session.scalar(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                                           TicketEvent.kind == "created"))
        assert created is not None and created.actor == RINA
        assert created.data["logged_by"] == RINA and created.data["channel"] == "mail"
    ack = world.last(CALLER, "ack")
    assert ticket.number in ack["Subject"]
    assert f"Tiket {ticket.number} dicatat untuk Yanti Loket" in body(world.last(RINA, "confirmation"))
    assert not world.received(RINA, "ack")


def test_the_same_mail_unverified_is_an_ordinary_report_by_its_sender(world: World) -> None:
    world.deliver(logging_mail(verified=False))
    ticket = world.ticket()
    with world.rt.sessions() as session:
        found = session.get(Ticket, ticket.id)
        assert found is not None and found.reporter.address == RINA
    assert not world.received(CALLER, "ack")
    assert "Laporan tidak dicatat untuk pelapor yang Anda sebut" in body(world.last(RINA, "rejected_command"))
