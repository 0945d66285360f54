"""The outbox as the rest of the desk sees it: loop protection, the acknowledgement limit,
languages, threading through the real poller, failures that never lose a ticket change, and
the `outbox` command."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy
from pathlib import Path
from typing import Callable

import pytest
from sqlalchemy import select

from app.cli import main
from app.config import Settings
from app.poll import poll
from app.runtime import Runtime, open_runtime, sync_reference_data
from app.wiring import make_source
from ingest.maildir_source import deliver
from models import Ticket, TicketEvent
from models.db import upgrade
from outbound.outbox import enqueue
from tests.conftest import Clock
from tests.integration.outbound_support import DESK, open_reports, outbox, send, states
from tests.servers.smtp import SmtpServer
from workflow.notifications import Notification


def ticket_events(rt: Runtime, number: str) -> list[TicketEvent]:
    with rt.sessions() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == number))
        assert ticket is not None
        return list(ticket.events)


def queue(rt: Runtime, *notes: Notification) -> int:
    with rt.sessions.begin() as session:
        return len(enqueue(session, rt.desk, rt.renderer, notes, rt.clock()))


# ------------------------------------------------------------------ loop protection

def test_the_desk_never_mails_itself_its_aliases_machines_or_broken_addresses(runtime: Runtime) -> None:
    open_reports(runtime, 1)
    ticket_id = outbox(runtime)[0].ticket_id
    notes = [Notification("followup", address, ticket_id, {"author": "x", "text": "y"}) for address in
             (DESK.upper(), "MAILER-DAEMON@mail.example", "noreply@bank.example", "no-reply@x.example",
              "not an address", "a@b\r\nBcc: c@d", "agus@posbalikpapan.example")]
    assert queue(runtime, *notes) == 1
    assert [r.recipient for r in outbox(runtime)][-1] == "agus@posbalikpapan.example"


def test_aliases_of_the_desk_can_be_added_to_never_mail(make_settings: Callable[..., Settings], clock: Clock) -> None:
    rt = _runtime(make_settings({"outbound": {"never_mail": ["helpdesk@posbalikpapan.example", "*@lists.example"]}}), clock)
    try:
        open_reports(rt, 1, sender="helpdesk@posbalikpapan.example")
        open_reports(rt, 1, start=1, sender="ops@lists.example")
        open_reports(rt, 1, start=2, sender="noreply@bank.example")     # the default list is replaced
        assert [r.recipient for r in outbox(rt) if r.kind == "ack"] == ["noreply@bank.example"]
    finally:
        rt.close()


def test_the_same_mail_twice_in_one_change_is_queued_once(runtime: Runtime) -> None:
    open_reports(runtime, 1)
    ticket_id = outbox(runtime)[0].ticket_id
    note = Notification("escalation", "agus@posbalikpapan.example", ticket_id, {"kind": "functional", "level": 2})
    assert queue(runtime, note, note) == 1


def test_acknowledgements_are_limited_per_sender_per_hour_and_the_history_says_so(
        runtime: Runtime, clock: Clock) -> None:
    sender = "budi@mail.example"
    for i in range(7):
        open_reports(runtime, 1, start=i, sender=sender)
        clock.advance(minutes=5)
    acks = [r for r in outbox(runtime) if r.kind == "ack"]
    assert len(acks) == 5
    with runtime.sessions() as session:
        assert session.scalar(select(Ticket).where(Ticket.number == "INC-000007")) is not None
    for number in ("INC-000006", "INC-000007"):
        suppressed = [e for e in ticket_events(runtime, number) if e.kind == "ack_suppressed"]
        assert len(suppressed) == 1 and "acks_per_sender_per_hour = 5" in suppressed[0].note
    assert not [e for e in ticket_events(runtime, "INC-000005") if e.kind == "ack_suppressed"]
    clock.advance(minutes=30)                      # the first ack is now more than an hour old
    open_reports(runtime, 1, start=7, sender=sender)
    assert len([r for r in outbox(runtime) if r.kind == "ack"]) == 6


def test_an_auto_replying_reporter_gets_no_mail_back(runtime: Runtime, smtp_server: SmtpServer) -> None:
    maildir = runtime.settings.path(runtime.settings.source["maildir"])
    deliver(maildir, _mail("<laporan.1@mail.example>", "Ipos mati di loket 3", "Server Ipos mati."), "r1")
    poll(runtime, make_source(runtime.settings))
    sent = send(runtime, smtp_server).sent
    assert sent >= 1                                   # the ack (and the desk's notices)
    ack = next(m.parsed() for m in smtp_server.messages if m.rcpt_tos == ("dewi@mail.example",))
    assert ack["In-Reply-To"] == "<laporan.1@mail.example>" and ack["Auto-Submitted"] == "auto-replied"
    out_of_office = _mail("<ooo.1@mail.example>", f"Automatic reply: {ack['Subject']}",
                          "Saya sedang cuti sampai 1 Desember.",
                          extra=f"Auto-Submitted: auto-replied\r\nIn-Reply-To: {ack['Message-ID']}\r\n")
    deliver(maildir, out_of_office, "r2")
    result = poll(runtime, make_source(runtime.settings))
    assert result.outcomes == {"ignored": 1}
    assert send(runtime, smtp_server).sent == 0
    assert len(outbox(runtime)) == len(smtp_server.messages) == sent


def test_acknowledgements_thread_under_the_report_and_speak_the_reporters_language(
        make_settings: Callable[..., Settings], clock: Clock, smtp_server: SmtpServer) -> None:
    rt = _runtime(make_settings(arrays={"reporters": [
        {"address": "kabid@posbalikpapan.example", "name": "Sri Wahyuni", "role": "head_of_department",
         "language": "en"}]}), clock)
    try:
        maildir = rt.settings.path(rt.settings.source["maildir"])
        deliver(maildir, _mail("<a.1@mail.example>", "Ipos mati", "Server mati.", sender="Dewi <dewi@mail.example>"), "a")
        deliver(maildir, _mail("<b.1@mail.example>", "Website lambat", "Lambat sekali.",
                               sender="Sri Wahyuni <kabid@posbalikpapan.example>"), "b")
        poll(rt, make_source(rt.settings))
        assert send(rt, smtp_server).sent == len(outbox(rt))
    finally:
        rt.close()
    by_to = {m.rcpt_tos[0]: m.parsed() for m in smtp_server.messages}
    indonesian, english = by_to["dewi@mail.example"], by_to["kabid@posbalikpapan.example"]
    assert indonesian["Subject"].startswith("[INC-000001] Laporan diterima")
    assert english["Subject"].startswith("[INC-000002] Report received")
    assert english["References"] == "<b.1@mail.example>" and english["In-Reply-To"] == "<b.1@mail.example>"
    assert english["To"].addresses[0].display_name == "Sri Wahyuni"
    assert english["Reply-To"].addresses[0].addr_spec == DESK
    assert "WITA" in english.get_body(("plain",)).get_content()


# ------------------------------------------------------------------ failures

def test_a_template_error_fails_only_that_mail_and_keeps_the_ticket_change(runtime: Runtime) -> None:
    with runtime.sessions.begin() as session:
        from tests.integration.outbound_support import report
        from workflow.intake import open_ticket
        ticket, notes = open_ticket(session, runtime.settings.policy, runtime.settings.triage, report(runtime, 1))
        notes.append(Notification("no_such_kind", "agus@posbalikpapan.example", ticket.id))
        enqueue(session, runtime.desk, runtime.renderer, notes, runtime.clock())
    rows = {r.kind: r for r in outbox(runtime)}
    assert rows["ack"].state == "queued" and rows["no_such_kind"].state == "failed"
    assert rows["no_such_kind"].last_error.startswith("not rendered: TemplateNotFound")
    with runtime.sessions() as session:
        assert session.scalar(select(Ticket.number)) == "INC-000001"


# ------------------------------------------------------------------ the command

def test_outbox_command_lists_rows_and_retries_failed_mail(
        runtime: Runtime, smtp_server: SmtpServer, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = str(tmp_path / "incidentdesk.toml")
    total = len(open_reports(runtime, 3))
    smtp_server.reject_recipient("pelapor2@mail.example", 550, "5.1.1 user unknown")
    send(runtime, smtp_server)
    capsys.readouterr()

    assert main(["--config", config, "outbox", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rows] == list(range(total, 0, -1))           # newest first
    failed = next(r for r in rows if r["state"] == "failed")
    assert failed["state"] == "failed" and failed["ticket"] == "INC-000003"
    assert failed["recipient"] == "pelapor2@mail.example" and "5.1.1 user unknown" in failed["last_error"]
    assert failed["attempts"] == 1 and failed["created_at"].endswith("+08:00")
    assert set(failed) == {"id", "created_at", "kind", "ticket", "recipient", "language", "subject",
                           "message_id", "state", "attempts", "next_attempt_at", "sent_at", "last_error"}

    assert main(["--config", config, "outbox", "--state", "failed"]) == 0
    table = capsys.readouterr().out
    assert "pelapor2@mail.example" in table and "pelapor1@mail.example" not in table
    assert "next attempt" in table and "last error" in table

    assert main(["--config", config, "outbox", "retry", "1"]) == 2          # sent, not failed
    assert main(["--config", config, "outbox", "retry", "999"]) == 1
    assert main(["--config", config, "outbox", "retry"]) == 2
    assert main(["--config", config, "outbox", "retry", "--failed"]) == 0
    assert "1 mail(s) queued again" in capsys.readouterr().out
    smtp_server.clear_faults()
    runtime.clock.now = datetime.now(timezone.utc) + timedelta(minutes=1)   # type: ignore[attr-defined]
    assert send(runtime, smtp_server).sent == 1          # the command ran on the real clock
    assert states(runtime) == {"sent": total}


def test_send_command_uses_smtp_when_configured(
        make_settings: Callable[..., Settings], clock: Clock, smtp_server: SmtpServer, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    settings = make_settings({"outbound": {"transport": "smtp"}, "outbound.smtp": {
        "host": "127.0.0.1", "port": smtp_server.port, "security": "plain"}})
    rt = _runtime(settings, clock)
    try:
        total = len(open_reports(rt, 2))
    finally:
        rt.close()
    assert main(["--config", str(tmp_path / "incidentdesk.toml"), "send"]) == 0
    assert f"sent {total}, retrying 0, failed 0" in capsys.readouterr().out
    assert len(smtp_server.messages) == total


# ------------------------------------------------------------------ helpers

def _runtime(settings: Settings, clock: Clock) -> Runtime:
    rt = open_runtime(settings, clock=clock)
    upgrade(rt.engine)
    sync_reference_data(rt)
    return rt


def _mail(message_id: str, subject: str, body: str, *, sender: str = "Dewi Lestari <dewi@mail.example>",
          extra: str = "") -> bytes:
    return (f"From: {sender}\r\nTo: {DESK}\r\nSubject: {subject}\r\nMessage-ID: {message_id}\r\n"
            f"Date: Mon, 23 Nov 2026 09:00:00 +0800\r\n{extra}"
            f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n").encode("utf-8")
