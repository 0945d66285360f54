"""The outbox as the rest of the desk sees it: loop protection, the acknowledgement limit,
languages, threading through the real poller, failures that never lose a ticket change, and
the `outbox` command."""
from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import main
from app.poll import poll
from app.runtime import Runtime
from app.wiring import make_source
from ingest.maildir_source import deliver
from models import OutboxMessage, Ticket, TicketEvent
from outbound.outbox import enqueue, rerender
from outbound.render import DEFAULT_TEMPLATES, Renderer
from tests.conftest import Clock, RuntimeFactory
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


def test_aliases_of_the_desk_can_be_added_to_never_mail(runtime_factory: RuntimeFactory) -> None:
    rt = runtime_factory({"outbound": {"never_mail": ["helpdesk@posbalikpapan.example", "*@lists.example"]}})
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
    maildir = runtime.settings.source.maildir
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
        runtime_factory: RuntimeFactory, smtp_server: SmtpServer) -> None:
    rt = runtime_factory(arrays={"reporters": [
        {"address": "kabid@posbalikpapan.example", "name": "Sri Wahyuni", "role": "head_of_department",
         "language": "en"}]})
    try:
        maildir = rt.settings.source.maildir
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


def _templates_without(tmp_path: Path, *names: str) -> Path:
    """A copy of the shipped templates with `names` (e.g. "id/ack.txt") missing: the desk's
    templates as a bad upgrade would leave them."""
    folder = tmp_path / "templates"
    shutil.copytree(DEFAULT_TEMPLATES, folder, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    for name in names:
        (folder / name).unlink()
    return folder


def test_a_mail_whose_template_was_missing_is_rendered_by_retry_and_sent_once(
        runtime: Runtime, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = str(tmp_path / "incidentdesk.toml")
    runtime.renderer = Renderer(_templates_without(tmp_path, "id/ack.txt", "en/ack.txt"))
    open_reports(runtime, 1)
    ack = next(r for r in outbox(runtime) if r.kind == "ack")
    assert ack.state == "failed" and ack.raw == b"" and ack.notification is not None
    assert ack.last_error.startswith("not rendered: TemplateNotFound") and "ack.txt" in ack.last_error
    assert main(["--config", config, "send"]) == 0                   # the agents' mail goes; the ack waits
    assert "failed 0" in capsys.readouterr().out
    assert states(runtime) == {"sent": len(outbox(runtime)) - 1, "failed": 1}

    # the templates are mended (the command renders with the shipped set): retry renders it
    assert main(["--config", config, "outbox", "retry", "--failed"]) == 0
    assert "1 mail(s) queued again (1 rendered again)" in capsys.readouterr().out
    again = next(r for r in outbox(runtime) if r.id == ack.id)
    assert again.state == "queued" and again.attempts == 0 and again.last_error == ""
    assert again.notification is None and again.message_id == ack.message_id
    assert main(["--config", config, "send"]) == 0
    assert "sent 1, retrying 0, failed 0" in capsys.readouterr().out

    files = sorted((tmp_path / "outbox").glob("*-ack.eml"))
    assert [f.name for f in files] == [f"{ack.id:08d}-ack.eml"]
    mail = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert mail["Message-ID"] == ack.message_id and "[INC-000001]" in str(mail["Subject"])
    assert mail["To"].addresses[0].addr_spec == ack.recipient

    # exactly once: nothing left to retry, nothing sent twice
    assert main(["--config", config, "outbox", "retry", "--failed"]) == 0
    assert "0 mail(s) queued again" in capsys.readouterr().out
    assert main(["--config", config, "send"]) == 0
    assert "sent 0," in capsys.readouterr().out
    sent = next(r for r in outbox(runtime) if r.id == ack.id)
    assert sent.state == "sent" and sent.attempts == 1


def test_a_mail_rendered_again_reads_as_if_it_had_never_failed(runtime: Runtime, tmp_path: Path) -> None:
    """The facts survive the round trip through the row's JSON: datetimes, lists, threads."""
    open_reports(runtime, 1)
    ticket_id = outbox(runtime)[0].ticket_id
    due = datetime(2026, 11, 23, 2, 30, tzinfo=timezone.utc)
    notes = [Notification("sla_warning", "agus@posbalikpapan.example", ticket_id,
                          {"clock": "response", "due_at": due, "used_percent": 80}),
             Notification("status_report", "pelapor0@mail.example", ticket_id, auto_reply=True,
                          facts={"events": [{"at": due, "kind": "created", "note": "tiket dibuat"}]},
                          thread=("<asks.status@mail.example>",))]
    good = runtime.renderer
    missing = [f"{lang}/{kind}.txt" for lang in ("id", "en") for kind in ("sla_warning", "status_report")]
    with runtime.sessions.begin() as session:
        failed = enqueue(session, runtime.desk, Renderer(_templates_without(tmp_path, *missing)), notes,
                         runtime.clock())
    assert [r.state for r in failed] == ["failed", "failed"]
    with runtime.sessions.begin() as session:
        rows = [session.get(OutboxMessage, r.id) for r in failed]
        assert rows[0] is not None and rows[0].notification == {
            "facts": {"clock": "response", "due_at": due.isoformat(), "used_percent": 80},
            "auto_reply": False, "thread": []}
        assert [rerender(session, runtime.desk, good, row, runtime.clock()) for row in rows if row] == [True, True]
    with runtime.sessions.begin() as session:
        fresh = enqueue(session, runtime.desk, good, notes, runtime.clock())
    by_id = {r.id: r for r in outbox(runtime)}
    for first, direct in zip(failed, fresh):
        again, never_failed = (message_from_bytes(by_id[r.id].raw, policy=policy.default) for r in (first, direct))
        for header in ("Subject", "In-Reply-To", "References", "Auto-Submitted", "Content-Language"):
            assert again[header] == never_failed[header], header
        for part in ("plain", "html"):
            assert again.get_body((part,)).get_content() == never_failed.get_body((part,)).get_content()
    warning = message_from_bytes(by_id[failed[0].id].raw, policy=policy.default)
    assert "23-11-2026 10:30 WITA" in warning.get_body(("plain",)).get_content()


def test_a_failed_mail_keeps_facts_any_database_stores(runtime: Runtime, tmp_path: Path) -> None:
    """Text PostgreSQL's json refuses as it came (NUL, an undecodable byte kept as a lone
    surrogate) is kept writable: the ticket change commits, and the retry renders it."""
    open_reports(runtime, 1)
    ticket_id = outbox(runtime)[0].ticket_id
    note = Notification("followup", "rina@posbalikpapan.example", ticket_id,
                        {"author": "Dewi\x00", "text": "tidak bisa \udcff login", "tries": {3}})
    broken = Renderer(_templates_without(tmp_path, "id/followup.txt", "en/followup.txt"))
    with runtime.sessions.begin() as session:
        [row] = enqueue(session, runtime.desk, broken, [note], runtime.clock())
    with runtime.sessions.begin() as session:
        kept = session.get(OutboxMessage, row.id)
        assert kept is not None and kept.state == "failed"
        assert kept.notification == {"facts": {"author": "Dewi\ufffd", "text": "tidak bisa \ufffd login",
                                               "tries": [3]}, "auto_reply": False, "thread": []}
        assert rerender(session, runtime.desk, runtime.renderer, kept, runtime.clock())
    assert outbox(runtime)[-1].state == "queued"


def test_a_mail_that_still_cannot_be_rendered_stays_failed_with_the_reason(
        runtime: Runtime, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = str(tmp_path / "incidentdesk.toml")
    open_reports(runtime, 1)
    ticket_id = outbox(runtime)[0].ticket_id
    queue(runtime, Notification("no_such_kind", "agus@posbalikpapan.example", ticket_id, {"n": 1}))
    broken = outbox(runtime)[-1]
    capsys.readouterr()
    assert main(["--config", config, "outbox", "retry", str(broken.id)]) == 1
    out = capsys.readouterr().out
    assert "0 mail(s) queued again" in out and f"mail {broken.id} still cannot be rendered" in out
    assert "TemplateNotFound" in out
    assert main(["--config", config, "outbox", "retry", "--failed"]) == 1
    row = outbox(runtime)[-1]
    assert row.state == "failed" and row.raw == b"" and row.notification == {
        "facts": {"n": 1}, "auto_reply": False, "thread": []}
    assert row.last_error.startswith("not rendered: TemplateNotFound")


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
    assert set(failed) == {"id", "created_at", "channel", "kind", "ticket", "recipient", "language", "subject",
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
        runtime_factory: RuntimeFactory, smtp_server: SmtpServer, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    rt = runtime_factory({"outbound": {"transport": "smtp"}, "outbound.smtp": {
        "host": "127.0.0.1", "port": smtp_server.port, "security": "plain"}})
    try:
        total = len(open_reports(rt, 2))
    finally:
        rt.close()
    assert main(["--config", str(tmp_path / "incidentdesk.toml"), "send"]) == 0
    assert f"sent {total}, retrying 0, failed 0" in capsys.readouterr().out
    assert len(smtp_server.messages) == total


# ------------------------------------------------------------------ helpers

def _mail(message_id: str, subject: str, body: str, *, sender: str = "Dewi Lestari <dewi@mail.example>",
          extra: str = "") -> bytes:
    return (f"From: {sender}\r\nTo: {DESK}\r\nSubject: {subject}\r\nMessage-ID: {message_id}\r\n"
            f"Date: Mon, 23 Nov 2026 09:00:00 +0800\r\n{extra}"
            f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n").encode("utf-8")
