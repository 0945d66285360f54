"""SMS notices through a real Kannel (bearerbox + smsbox) to Kannel's fake SMSC: a report
from a reporter with a phone number becomes one SMS at the operator side, in the reporter's
language; through a gateway outage it is retried and still arrives once; a number the
gateway refuses fails for good; agents get SMS for urgent tickets only; no log line holds a
phone number."""
from __future__ import annotations

import re
from typing import Any, Callable

import pytest
import structlog
from sqlalchemy import select

from app.runtime import Runtime
from app.sms import flush_sms
from models import OutboxMessage, Person
from outbound.outbox import enqueue, rerender
from tests.conftest import AGENTS, Clock, RuntimeFactory
from tests.servers.kannel import KannelServer
from workflow.intake import Report, open_ticket
from workflow.notifications import Notification

PHONE_DEWI, PHONE_BUDI, PHONE_RINA = "+6281234567890", "+6281311112222", "+6281155550001"
REPORTERS = [{"address": "dewi@posbalikpapan.example", "name": "Dewi Lestari", "role": "employee",
              "language": "id"},
             {"address": "budi@posbalikpapan.example", "name": "Budi Santoso", "role": "employee",
              "language": "en", "phone": "0813-1111-2222"}]
AGENTS_WITH_PHONE = [dict(AGENTS[0], phone="+62 811-5555-0001"), *AGENTS[1:]]
URGENT = ("Ipos mati di semua loket", "Server Ipos mati, semua loket tidak bisa transaksi.")


@pytest.fixture
def sms_runtime(runtime_factory: RuntimeFactory, kannel_factory: Callable[..., KannelServer],
                monkeypatch: pytest.MonkeyPatch) -> Callable[..., tuple[Runtime, KannelServer]]:
    def build(**kannel_args: Any) -> tuple[Runtime, KannelServer]:
        kannel = kannel_factory(**kannel_args)
        monkeypatch.setenv("INCIDENTDESK_SMS_PASSWORD", kannel.password)
        rt = runtime_factory(
            {"sms": {"transport": "kannel", "max_attempts": 3},
             "sms.kannel": {"sendsms_url": kannel.sendsms_url, "username": kannel.username,
                            "sender": "SOLTEK", "timeout_seconds": 5}},
            {"agents": AGENTS_WITH_PHONE, "reporters": REPORTERS})
        return rt, kannel

    return build


def report(rt: Runtime, sender: str, subject: str, body: str, n: int = 1) -> tuple[str, list[OutboxMessage]]:
    """A new report through the rules and the outbox, as the poller does it."""
    with rt.sessions.begin() as session:
        ticket, notes = open_ticket(session, rt.settings.policy, rt.settings.triage, Report(
            sender=sender, sender_name="", subject=subject, body=body,
            message_id=f"<r{n}.{sender}>", received_at=rt.clock()))
        rows = enqueue(session, rt.desk, rt.renderer, notes, rt.clock())
        return ticket.number, rows


def sms_rows(rt: Runtime) -> list[OutboxMessage]:
    with rt.sessions() as session:
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "sms")
                                    .order_by(OutboxMessage.id)))


def test_a_signed_report_becomes_one_indonesian_sms_at_the_operator(sms_runtime) -> None:
    rt, kannel = sms_runtime()
    number, rows = report(rt, "dewi@posbalikpapan.example", "Printer loket 2 lambat",
                          "Printernya lambat sekali.\n\nSalam,\nDewi\nHP: 0812-3456-7890\n")
    assert [(r.channel, r.kind) for r in rows] == [("mail", "ack"), ("mail", "new_ticket"), ("sms", "sms_ack")]
    result = flush_sms(rt)
    assert (result.sent, result.retried, result.failed) == (1, 0, 0)
    [sms] = kannel.wait_for(1)
    assert (sms.sender, sms.receiver, sms.coding) == ("SOLTEK", PHONE_DEWI, "text")
    assert sms.text.startswith(f"Tiket {number} dicatat: Printer loket 2 lambat. Prioritas P4")
    assert "ditanggapi paling lambat" in sms.text and len(sms.text) <= 160
    assert [r.state for r in sms_rows(rt)] == ["sent"]
    with rt.sessions() as session:   # the mail is the mail sender's: still queued
        assert session.scalar(select(OutboxMessage.state).where(OutboxMessage.kind == "ack",
                                                                OutboxMessage.channel == "mail")) == "queued"
        assert session.scalar(select(Person.phone).where(Person.address == "dewi@posbalikpapan.example")) == PHONE_DEWI


def test_a_directory_phone_gets_the_english_sms_once_through_a_gateway_outage(sms_runtime, clock: Clock) -> None:
    rt, kannel = sms_runtime()
    kannel.stop_smsbox()
    number, _ = report(rt, "budi@posbalikpapan.example", "Printer slow", "The printer is slow.")
    down = flush_sms(rt)
    assert (down.sent, down.retried) == (0, 1)
    [row] = sms_rows(rt)
    assert (row.state, row.attempts) == ("queued", 1) and "cannot be reached" in row.last_error
    assert flush_sms(rt).sent == 0             # not due again before its backoff
    kannel.start_smsbox()
    clock.advance(hours=2)
    assert flush_sms(rt).sent == 1
    assert flush_sms(rt).sent == 0
    # a second report, sent after: once it is at the operator, a repeat of the first would be too
    report(rt, "dewi@posbalikpapan.example", "Printer mati", "Mati.\nTelepon: 081234567890", n=2)
    assert flush_sms(rt).sent == 1
    got = kannel.wait_for(2)
    assert [s.receiver for s in got] == [PHONE_BUDI, PHONE_DEWI]
    assert got[0].text.startswith(f"Ticket {number} logged: Printer slow. Priority P4, response by ")


def test_a_number_the_gateway_refuses_fails_for_good_and_the_others_still_go(sms_runtime) -> None:
    rt, kannel = sms_runtime(refuse_regex="^\\+62813")
    report(rt, "budi@posbalikpapan.example", "Printer slow", "The printer is slow.")
    report(rt, "dewi@posbalikpapan.example", "Printer mati", "Mati.\nWA: +62 812 3456 7890", n=2)
    with structlog.testing.capture_logs() as logs:
        result = flush_sms(rt)
    assert (result.sent, result.failed) == (1, 1)
    refused, sent = sms_rows(rt)
    assert (refused.state, refused.attempts, sent.state) == ("failed", 1, "sent")
    assert "denied" in refused.last_error and "HTTP 400" in refused.last_error
    assert [s.receiver for s in kannel.wait_for(1)] == [PHONE_DEWI]
    assert not re.search(r"81311112222|81234567890", repr(logs) + refused.last_error)


def test_agents_get_sms_for_urgent_tickets_and_each_notice_is_sent_once(sms_runtime) -> None:
    rt, kannel = sms_runtime()
    urgent, rows = report(rt, "dewi@posbalikpapan.example", *URGENT)
    assert [r.kind for r in rows if r.channel == "sms"] == ["sms_new_ticket"]   # Dewi has no phone yet
    _, calm = report(rt, "budi@posbalikpapan.example", "Printer slow", "The printer is slow.", n=2)
    assert [r.kind for r in calm if r.channel == "sms"] == ["sms_ack"]          # P4: no SMS to agents
    with rt.sessions.begin() as session:   # the same notice again (a replay): no second SMS
        ticket_id = rows[0].ticket_id
        again = enqueue(session, rt.desk, rt.renderer, [
            Notification("new_ticket", "rina@posbalikpapan.example", ticket_id),
            Notification("closure", "dewi@posbalikpapan.example", ticket_id, {"resolution": "Server di-restart"}),
            Notification("closure", "rina@posbalikpapan.example", ticket_id, {"resolution": "x"})], rt.clock())
        assert [r.channel for r in again] == ["mail", "mail", "mail"]   # Dewi has no phone: no SMS
    assert flush_sms(rt).sent == 2
    got = kannel.wait_for(2)
    assert sorted(s.receiver for s in got) == sorted([PHONE_RINA, PHONE_BUDI])
    to_rina = next(s for s in got if s.receiver == PHONE_RINA)
    assert to_rina.text.startswith(f"Tiket baru {urgent} P1: Ipos mati di semua loket. Pelapor: Dewi Lestari.")


def test_closure_goes_to_the_reporter_and_a_broken_template_is_rendered_again(sms_runtime, tmp_path) -> None:
    rt, kannel = sms_runtime()
    _, rows = report(rt, "budi@posbalikpapan.example", "Printer slow", "The printer is slow.")
    ticket_id = rows[0].ticket_id
    broken = type(rt.renderer)(tmp_path / "no-templates")
    with rt.sessions.begin() as session:
        [mail, sms] = enqueue(session, rt.desk, broken, [
            Notification("closure", "budi@posbalikpapan.example", ticket_id, {"resolution": "Toner replaced"})],
            rt.clock())
        assert (sms.channel, sms.kind, sms.state, sms.raw) == ("sms", "sms_closure", "failed", b"")
        assert sms.notification == {"facts": {"resolution": "Toner replaced"}, "auto_reply": False, "thread": []}
        assert rerender(session, rt.desk, rt.renderer, sms, rt.clock())
    assert flush_sms(rt).sent == 2
    closure = [s for s in kannel.wait_for(2) if "closed" in s.text]
    assert len(closure) == 1 and "Resolution: Toner replaced. Rate us" in closure[0].text
