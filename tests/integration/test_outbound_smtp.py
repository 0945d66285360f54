"""The outbox through a real SMTP server (aiosmtpd on loopback): every mail arrives exactly
once, a refusal fails the mail with the server's words, a hiccup is retried."""
from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Callable

import pytest
import structlog
from aiosmtpd.controller import Controller

from app.config import ConfigError, Settings
from app.runtime import Runtime
from app.wiring import make_transport
from outbound.flush import LEASE, claim, flush
from outbound.smtp_transport import SmtpConfigError, SmtpSettings, SmtpTransport
from tests.conftest import Clock, RuntimeFactory
from tests.integration.outbound_support import DESK, open_reports, outbox, send, smtp_transport, states
from tests.servers.smtp import SmtpServer, _Handler, _server_tls_context


def message_ids(rt: Runtime) -> set[str]:
    return {row.message_id for row in outbox(rt)}


def test_queued_mail_arrives_once_each_over_one_connection(runtime: Runtime, smtp_server: SmtpServer) -> None:
    total = len(open_reports(runtime, 12))          # acknowledgements and new-ticket notices
    with structlog.testing.capture_logs() as logs:
        result = send(runtime, smtp_server, batch_size=5)
    assert (result.sent, result.retried, result.failed) == (total, 0, 0)
    assert smtp_server.messages_by_message_id() == {mid: 1 for mid in message_ids(runtime)}
    assert [e["event"] for e in logs].count("smtp.connected") == 1
    assert states(runtime) == {"sent": total}
    first = smtp_server.messages[0]
    assert first.mail_from == DESK and first.rcpt_tos == ("pelapor0@mail.example",)
    assert first.parsed()["Subject"].startswith("[INC-000001]")
    assert send(runtime, smtp_server).sent == 0            # nothing twice


def test_smtp_down_for_the_first_attempts_then_up_delivers_everything_exactly_once(
        runtime: Runtime, smtp_server: SmtpServer, clock: Clock) -> None:
    total = len(open_reports(runtime, 8))
    smtp_server.stop()
    for _ in range(2):
        result = send(runtime, smtp_server)
        assert (result.sent, result.retried) == (0, total)
        assert send(runtime, smtp_server).retried == 0       # not due again before the backoff
        clock.advance(hours=1)
    rows = outbox(runtime)
    assert {r.state for r in rows} == {"queued"} and {r.attempts for r in rows} == {2}
    assert all("Connection refused" in r.last_error or "refused" in r.last_error.lower() for r in rows)
    smtp_server.start()
    result = send(runtime, smtp_server)
    assert (result.sent, result.retried) == (total, 0)
    assert smtp_server.messages_by_message_id() == {mid: 1 for mid in message_ids(runtime)}
    assert {r.attempts for r in outbox(runtime)} == {3}


def test_a_permanent_refusal_fails_the_row_at_once_with_the_servers_text(
        runtime: Runtime, smtp_server: SmtpServer) -> None:
    total = len(open_reports(runtime, 3))
    smtp_server.reject_recipient("pelapor1@mail.example", 550, "5.1.1 <pelapor1@mail.example>: mailbox unknown")
    result = send(runtime, smtp_server)
    assert (result.sent, result.failed) == (total - 1, 1)
    failed = [r for r in outbox(runtime) if r.state == "failed"]
    assert len(failed) == 1 and failed[0].attempts == 1 and failed[0].recipient == "pelapor1@mail.example"
    assert "550" in failed[0].last_error and "mailbox unknown" in failed[0].last_error
    assert len(smtp_server.messages) == total - 1    # the connection went on after RSET


def test_a_refused_message_body_fails_too(runtime: Runtime, smtp_server: SmtpServer) -> None:
    open_reports(runtime, 1)
    smtp_server.fail_next(1, 554, "5.7.1 message content rejected", stage="DATA")
    assert send(runtime, smtp_server).failed == 1
    first = outbox(runtime)[0]
    assert first.state == "failed" and "554 5.7.1 message content rejected" in first.last_error


def test_a_temporary_refusal_is_retried_later_with_the_same_message_id(
        runtime: Runtime, smtp_server: SmtpServer, clock: Clock) -> None:
    total = len(open_reports(runtime, 2))
    smtp_server.fail_next(1, 451, "4.3.0 greylisted, try again later")
    result = send(runtime, smtp_server)
    assert (result.sent, result.retried) == (total - 1, 1)
    waiting = [r for r in outbox(runtime) if r.state == "queued"]
    assert len(waiting) == 1 and waiting[0].attempts == 1
    assert "451 4.3.0 greylisted" in waiting[0].last_error
    assert timedelta(seconds=30) <= waiting[0].next_attempt_at - clock() <= timedelta(seconds=60)
    assert send(runtime, smtp_server).sent == 0
    clock.advance(minutes=1)
    assert send(runtime, smtp_server).sent == 1
    assert smtp_server.messages_by_message_id() == {mid: 1 for mid in message_ids(runtime)}


def test_a_mail_that_keeps_failing_ends_failed_after_max_attempts(
        runtime: Runtime, smtp_server: SmtpServer, clock: Clock) -> None:
    open_reports(runtime, 1)
    smtp_server.fail_next(100, 452, "4.2.2 mailbox full", stage="RCPT")
    for attempt in range(1, 4):
        send(runtime, smtp_server, max_attempts=3)
        clock.advance(hours=2)
    for row in outbox(runtime):
        assert (row.state, row.attempts) == ("failed", 3)
        assert "452 4.2.2 mailbox full" in row.last_error
    assert smtp_server.messages == []


def test_a_dropped_connection_is_reopened_once_and_nothing_is_lost_or_doubled(
        runtime: Runtime, smtp_server: SmtpServer) -> None:
    total = len(open_reports(runtime, 6))
    transport = smtp_transport(smtp_server)

    def restart_server_after_each_batch(_result: object) -> None:
        smtp_server.stop()           # closes the connection the transport holds
        smtp_server.start()

    result = flush(runtime.sessions, transport, clock=runtime.clock, max_attempts=5, batch_size=2,
                   progress=restart_server_after_each_batch)
    assert (result.sent, result.retried, result.failed) == (total, 0, 0)
    assert smtp_server.messages_by_message_id() == {mid: 1 for mid in message_ids(runtime)}


def test_two_senders_racing_never_send_a_row_twice(runtime: Runtime, smtp_server: SmtpServer) -> None:
    total = len(open_reports(runtime, 60))
    start = threading.Barrier(2)
    results = []

    def sender() -> None:
        start.wait()
        results.append(send(runtime, smtp_server, batch_size=7))

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    counts = smtp_server.messages_by_message_id()
    assert counts == {mid: 1 for mid in message_ids(runtime)}
    assert sum(r.sent for r in results) == total and states(runtime) == {"sent": total}


def test_a_sender_that_died_mid_batch_is_taken_over_after_its_lease(
        runtime: Runtime, smtp_server: SmtpServer, clock: Clock) -> None:
    open_reports(runtime, 3)
    dead = claim(runtime.sessions, clock(), 10)       # claimed, then the process died
    assert len(dead) == len(outbox(runtime)) and send(runtime, smtp_server).sent == 0
    clock.advance(seconds=LEASE.total_seconds() + 1)
    assert send(runtime, smtp_server).sent == len(dead)
    assert sorted(m.message_id for m in smtp_server.messages) == sorted(r.message_id for r in dead)


def test_a_flush_asked_to_stop_records_what_it_sent_and_gives_the_rest_back(
        runtime: Runtime, smtp_server: SmtpServer) -> None:
    total = len(open_reports(runtime, 4))

    class Stopping(Exception):
        pass

    def stop_after_first_batch(_result: object) -> None:
        raise Stopping

    with pytest.raises(Stopping):
        flush(runtime.sessions, smtp_transport(smtp_server), clock=runtime.clock, max_attempts=3,
              batch_size=3, progress=stop_after_first_batch)
    assert states(runtime) == {"sent": 3, "queued": total - 3}         # nothing left `sending`
    result = flush(runtime.sessions, smtp_transport(smtp_server), clock=runtime.clock, max_attempts=3,
                   should_stop=lambda: len(smtp_server.messages) >= 4)
    assert result.sent == 1 and states(runtime) == {"sent": 4, "queued": total - 4}
    assert send(runtime, smtp_server).sent == total - 4
    assert smtp_server.messages_by_message_id() == {mid: 1 for mid in message_ids(runtime)}


# ------------------------------------------------------------------ TLS and AUTH

def test_starttls_with_auth_and_a_private_ca(runtime: Runtime, smtp_server_factory: Callable[..., SmtpServer]) -> None:
    server = smtp_server_factory(starttls=True, require_starttls=True, auth=("desk", "rahasia"))
    total = len(open_reports(runtime, 2))
    result = flush(runtime.sessions, SmtpTransport(
        SmtpSettings(host="127.0.0.1", port=server.port, security="starttls", username="desk",
                     password="rahasia", timeout=5), sender=DESK, context=server.client_tls_context()),
        clock=runtime.clock, max_attempts=3)
    assert result.sent == total
    assert all(m.tls and m.auth_user == "desk" for m in server.messages)


def test_smtp_configured_by_file_with_ca_file_and_password_from_the_environment(
        runtime_factory: RuntimeFactory, smtp_server_factory: Callable[..., SmtpServer],
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = smtp_server_factory(starttls=True, require_starttls=True, auth=("desk", "rahasia"))
    ca = tmp_path / "ca.pem"
    ca.write_text(_pem(server))
    monkeypatch.setenv("INCIDENTDESK_SMTP_PASSWORD", "rahasia")
    rt = runtime_factory({"outbound": {"transport": "smtp"}, "outbound.smtp": {
        "host": "127.0.0.1", "port": server.port, "security": "starttls", "username": "desk",
        "ca_file": str(ca), "envelope_from": "bounces@posbalikpapan.example"}})
    total = len(open_reports(rt, 1))
    result = flush(rt.sessions, make_transport(rt.settings), clock=rt.clock, max_attempts=3)
    assert result.sent == total
    assert server.messages[0].mail_from == "bounces@posbalikpapan.example" and server.messages[0].tls


def test_a_wrong_password_or_an_untrusted_certificate_keeps_the_mail_queued(
        runtime: Runtime, smtp_server_factory: Callable[..., SmtpServer]) -> None:
    server = smtp_server_factory(starttls=True, auth=("desk", "rahasia"))
    total = len(open_reports(runtime, 2))
    wrong = SmtpTransport(SmtpSettings(host="127.0.0.1", port=server.port, username="desk",
                                       password="salah", timeout=5),
                          sender=DESK, context=server.client_tls_context())
    assert flush(runtime.sessions, wrong, clock=runtime.clock, max_attempts=3).retried == total
    assert all("authentication failed" in r.last_error for r in outbox(runtime))
    runtime.clock.advance(hours=1)                                    # type: ignore[attr-defined]
    untrusted = SmtpTransport(SmtpSettings(host="127.0.0.1", port=server.port, timeout=5), sender=DESK)
    assert flush(runtime.sessions, untrusted, clock=runtime.clock, max_attempts=3).retried == total
    assert all("certificate not trusted" in r.last_error for r in outbox(runtime))
    assert server.messages == [] and states(runtime) == {"queued": total}


def test_starttls_is_required_when_configured(runtime: Runtime, smtp_server: SmtpServer) -> None:
    total = len(open_reports(runtime, 1))
    assert send(runtime, smtp_server, security="starttls").retried == total
    assert "does not offer STARTTLS" in outbox(runtime)[0].last_error
    assert smtp_server.messages == []


def test_implicit_tls(runtime: Runtime) -> None:
    server = _ImplicitTlsServer().start()
    try:
        total = len(open_reports(runtime, 1))
        transport = SmtpTransport(SmtpSettings(host="127.0.0.1", port=server.port, security="tls", timeout=5),
                                  sender=DESK, context=server.client_tls_context())
        assert flush(runtime.sessions, transport, clock=runtime.clock, max_attempts=3).sent == total
        assert len(server.messages) == total
        open_reports(runtime, 1, start=1)          # the server speaks nothing but TLS:
        plain = SmtpTransport(SmtpSettings(host="127.0.0.1", port=server.port, security="plain", timeout=0.5),
                              sender=DESK)
        assert flush(runtime.sessions, plain, clock=runtime.clock, max_attempts=3).retried == total
    finally:
        server.stop()


def test_null_envelope_sender(runtime: Runtime, smtp_server: SmtpServer) -> None:
    open_reports(runtime, 1)
    transport = SmtpTransport(SmtpSettings(host=smtp_server.host, port=smtp_server.port, security="plain"),
                              sender="<>")
    flush(runtime.sessions, transport, clock=runtime.clock, max_attempts=3)
    assert smtp_server.messages[0].mail_from == "<>"        # MAIL FROM:<>


def test_plain_text_to_a_remote_host_is_refused_at_start(make_settings: Callable[..., Settings]) -> None:
    with pytest.raises(SmtpConfigError, match="refusing plain-text SMTP"):
        SmtpTransport(SmtpSettings(host="192.0.2.10", security="plain"), sender=DESK)
    SmtpTransport(SmtpSettings(host="192.0.2.10", security="plain", allow_plain=True), sender=DESK)
    settings = make_settings({"outbound": {"transport": "smtp"},
                              "outbound.smtp": {"host": "192.0.2.10", "security": "plain"}})
    with pytest.raises(ConfigError, match="allow_plain"):
        make_transport(settings)


def test_smtp_settings_are_checked_with_clear_messages(make_settings: Callable[..., Settings]) -> None:
    with pytest.raises(ConfigError) as caught:
        make_settings({"outbound": {"transport": "smtp", "max_attempts": 0},
                       "outbound.smtp": {"security": "ssl", "envelope_from": "bounces"}})
    problems = "\n".join(caught.value.problems)
    assert "set outbound.smtp.host" in problems and "security 'ssl'" in problems
    assert "outbound.max_attempts" in problems and "envelope_from" in problems


def test_a_flush_with_nothing_to_send_never_connects(runtime: Runtime, smtp_server: SmtpServer) -> None:
    with structlog.testing.capture_logs() as logs:
        assert send(runtime, smtp_server).sent == 0
    assert not [e for e in logs if e["event"] == "smtp.connected"]


# ------------------------------------------------------------------ helpers

def _pem(server: SmtpServer) -> str:
    import ssl
    return "".join(ssl.DER_cert_to_PEM_cert(der) for der in
                   server.client_tls_context().get_ca_certs(binary_form=True))


class _ImplicitTlsServer(SmtpServer):
    """The test server speaking TLS from the first byte (port 465 style)."""

    def _new_controller(self) -> Controller:
        return Controller(_Handler(self), hostname=self.host, port=self.port,
                          server_hostname=self.hostname, ssl_context=_server_tls_context())
