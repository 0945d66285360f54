"""Shared by the outbound tests: queue real notifications, build an SMTP transport for a
test server, read the outbox back."""
from __future__ import annotations

from sqlalchemy import select

from app.runtime import Runtime
from models import OutboxMessage
from outbound.flush import FlushResult, flush
from outbound.outbox import enqueue
from outbound.smtp_transport import SmtpSettings, SmtpTransport
from tests.servers.smtp import SmtpServer
from workflow.intake import Report, open_ticket

DESK = "servicedesk@posbalikpapan.example"


def report(rt: Runtime, i: int, *, sender: str | None = None, subject: str | None = None) -> Report:
    return Report(sender=sender or f"pelapor{i}@mail.example", sender_name=f"Pelapor {i}",
                  subject=subject or f"Ipos mati di loket {i}", body="Server Ipos mati sejak pagi.",
                  message_id=f"<report.{i}@mail.example>", received_at=rt.clock())


def open_reports(rt: Runtime, count: int, *, start: int = 0, sender: str | None = None) -> list[OutboxMessage]:
    """`count` new tickets with what they queue (one transaction: fast on SQLite)."""
    rows: list[OutboxMessage] = []
    with rt.sessions.begin() as session:
        for i in range(start, start + count):
            _, notes = open_ticket(session, rt.settings.policy, rt.settings.triage, report(rt, i, sender=sender))
            rows += enqueue(session, rt.desk, rt.renderer, notes, rt.clock())
    return rows


def smtp_transport(server: SmtpServer, **settings: object) -> SmtpTransport:
    values: dict[str, object] = {"host": server.host, "port": server.port, "security": "plain", "timeout": 5.0}
    values.update(settings)
    return SmtpTransport(SmtpSettings(**values), sender=DESK)  # type: ignore[arg-type]


def send(rt: Runtime, server: SmtpServer, *, max_attempts: int = 5, batch_size: int = 100,
         **settings: object) -> FlushResult:
    return flush(rt.sessions, smtp_transport(server, **settings), clock=rt.clock,
                 max_attempts=max_attempts, batch_size=batch_size)


def outbox(rt: Runtime) -> list[OutboxMessage]:
    with rt.sessions() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def states(rt: Runtime) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in outbox(rt):
        counts[row.state] = counts.get(row.state, 0) + 1
    return counts
