"""Mail loop: an auto-responder that answers every mail from the desk, the well-behaved way
(Auto-Submitted) and the badly behaved ways (no automatic headers at all, same thread or a
new subject each time). The exchange must stop on its own within a bounded number of mails."""
from __future__ import annotations

from email.utils import make_msgid

import pytest

from app.poll import poll
from app.runtime import Runtime
from app.wiring import make_source
from ingest.maildir_source import deliver
from outbound.flush import flush
from tests.conftest import Clock
from tests.integration.outbound_support import smtp_transport
from tests.servers.smtp import ReceivedMessage, SmtpServer

RESPONDER = "autoresponder@partner.example"
DESK = "servicedesk@posbalikpapan.example"
ROUNDS = 30


def answer(mail: ReceivedMessage, style: str, n: int) -> bytes:
    parsed = mail.parsed()
    subject = str(parsed["Subject"])
    headers = {
        "auto-submitted": f"Subject: Automatic reply: {subject}\r\nAuto-Submitted: auto-replied\r\n"
                          f"In-Reply-To: {parsed['Message-ID']}\r\n",
        "same-thread": f"Subject: RE: {subject}\r\nIn-Reply-To: {parsed['Message-ID']}\r\n",
        "new-subject": f"Subject: Out of office ({n}): I am away until Monday\r\n",
    }[style]
    return (f"From: Partner Bot <{RESPONDER}>\r\nTo: {DESK}\r\n{headers}"
            f"Message-ID: {make_msgid(domain='partner.example')}\r\n"
            f"Date: Mon, 23 Nov 2026 09:00:00 +0800\r\n\r\n"
            f"I am out of the office. Your mail about the server down will be read later.\r\n").encode()


@pytest.mark.parametrize("style", ["auto-submitted", "same-thread", "new-subject"])
def test_auto_responder_exchange_stops_by_itself(runtime: Runtime, clock: Clock,
                                                 smtp_server: SmtpServer, style: str) -> None:
    maildir = runtime.settings.source.maildir
    deliver(maildir, answer_first(), "first")
    answered = 0
    quiet_round = None
    for round_no in range(ROUNDS):
        poll(runtime, make_source(runtime.settings))
        flush(runtime.sessions, smtp_transport(smtp_server), clock=clock, max_attempts=3)
        to_bot = [m for m in smtp_server.messages if RESPONDER in m.rcpt_tos]
        new = to_bot[answered:]
        if not new:
            quiet_round = round_no
            break
        for mail in new:
            answered += 1
            deliver(maildir, answer(mail, style, answered), f"bot.{answered}")
        clock.advance(minutes=1)
    assert quiet_round is not None, f"still mailing the responder after {ROUNDS} rounds"
    limit = runtime.settings.outbound.acks_per_sender_per_hour
    # only the first report is acknowledged, except when every answer looks like a new
    # report: then the per-sender acknowledgement limit is what ends the exchange
    assert answered == (limit if style == "new-subject" else 1), f"{answered} mails to an auto-responder"


def answer_first() -> bytes:
    return (f"From: Partner Bot <{RESPONDER}>\r\nTo: {DESK}\r\nSubject: Server down di gudang\r\n"
            f"Message-ID: <first@partner.example>\r\nDate: Mon, 23 Nov 2026 08:00:00 +0800\r\n\r\n"
            f"Server gudang mati.\r\n").encode()
