"""SMTP outage: the server goes down in the middle of `send` and comes back later. Every
queued mail arrives exactly once, counted by Message-ID at the server."""
from __future__ import annotations

from app.runtime import Runtime
from outbound.flush import FlushResult, flush
from tests.conftest import Clock
from tests.integration.outbound_support import open_reports, outbox, smtp_transport
from tests.servers.smtp import SmtpServer


def test_server_down_mid_send_then_back_delivers_every_mail_exactly_once(
        runtime: Runtime, clock: Clock, smtp_server: SmtpServer) -> None:
    queued = open_reports(runtime, 40)  # 40 tickets: acknowledgements and desk notices
    ids = {row.message_id for row in queued}

    def outage_after_first_batch(result: FlushResult) -> None:
        if result.sent >= 10 and smtp_server.running:
            smtp_server.stop()

    first = flush(runtime.sessions, smtp_transport(smtp_server), clock=clock, max_attempts=12,
                  batch_size=10, progress=outage_after_first_batch)
    assert first.sent == 10
    assert len(smtp_server.messages) == 10
    flush(runtime.sessions, smtp_transport(smtp_server), clock=clock, max_attempts=12)  # still down
    smtp_server.start()
    for _ in range(12):  # the backoff decides when each row is due again
        clock.advance(hours=1)
        flush(runtime.sessions, smtp_transport(smtp_server), clock=clock, max_attempts=12)
        if {row.state for row in outbox(runtime)} == {"sent"}:
            break
    assert {row.state for row in outbox(runtime)} == {"sent"}
    received = smtp_server.messages_by_message_id()
    assert set(received) == ids
    assert set(received.values()) == {1}
