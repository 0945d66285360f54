"""Forged agent: mail that claims an agent's From: by every trick a reporter or outsider
has at hand never changes a ticket; the real agent is told, never the forger."""
from __future__ import annotations

from email.utils import make_msgid

import pytest

from app.poll import poll
from app.wiring import make_source

from tests.integration.support import DESK, DOMAIN, REPORTER, RINA, World, report, reply_to

FAKE_TOKEN = "<confirmation.0123456789abcdef0123.0123456789abcdef0123@posbalikpapan.example>"


def bare(number: str, headers: str = "") -> bytes:
    return (f"From: Rina <{RINA}>\r\nTo: {DESK}\r\n{headers}Subject: Re: [{number}] Ipos\r\n"
            f"Message-ID: {make_msgid(domain='attacker.example')}\r\n\r\n"
            "Status: proses\r\nUrgensi: rendah\r\nDampak: rendah\r\n").encode()


FORGERIES = {
    "from-only": lambda w, n: bare(n),
    "sender-and-return-path": lambda w, n: bare(n, f"Sender: {RINA}\r\nReturn-Path: <{RINA}>\r\n"),
    "made-up-token": lambda w, n: bare(n, f"In-Reply-To: {FAKE_TOKEN}\r\nReferences: {FAKE_TOKEN}\r\n"),
    "token-of-the-reporter": lambda w, n: reply_to(w.last(REPORTER, "ack"), RINA, "Rina",
                                                   "Status: proses\nUrgensi: rendah"),
    "foreign-authserv-id": lambda w, n: bare(
        n, f"Authentication-Results: mx.attacker.example; dkim=pass header.d={DOMAIN}; spf=pass "
           f"smtp.mailfrom={DOMAIN}\r\n"),
    "unaligned-dkim-pass": lambda w, n: bare(
        n, f"Authentication-Results: mx.{DOMAIN}; dkim=pass header.d=attacker.example; "
           f"spf=fail smtp.mailfrom={DOMAIN}\r\n"),
    "second-from": lambda w, n: (f"From: Dewi <{REPORTER}>\r\n".encode() + bare(n)),
}


@pytest.mark.parametrize("trick", sorted(FORGERIES))
def test_forged_agent_mail_never_changes_a_ticket(world: World, trick: str) -> None:  # noqa: F811
    world.deliver(report())
    before = world.ticket()
    forged = FORGERIES[trick](world, before.number)
    if trick == "second-from":  # two From: fields: a salvaged sender, who may only comment
        world.dovecot.append("INBOX", forged)
        source = make_source(world.rt.settings)
        try:
            assert poll(world.rt, source).outcomes == {"event": 1}
        finally:
            source.close()
    else:
        world.deliver(forged)
    after = world.ticket()
    changed = [(k, getattr(before, k), getattr(after, k)) for k in
               ("status", "urgency", "impact", "priority", "response_due", "resolution_due",
                "responded_at", "assignee_id", "escalation_level")
               if getattr(before, k) != getattr(after, k)]
    assert changed == []
    assert world.history()[-1][0] in {"comment", "created"}
    assert not world.received(REPORTER, "rejected_command")
    assert not world.received(REPORTER, "confirmation")
