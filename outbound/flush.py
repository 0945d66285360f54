"""Send what the outbox holds: claim a batch, send it over one transport connection, record.

Claiming sets `sending` with a lease (next_attempt_at = now + lease) and commits before any
mail leaves, so several senders never take the same row (FOR UPDATE SKIP LOCKED on
PostgreSQL; SQLite serialises writers). A sender that dies mid-batch leaves rows whose lease
runs out and which are then sent again with the same Message-ID."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Protocol

import structlog
from sqlalchemy import or_, and_, select
from sqlalchemy.orm import Session, sessionmaker

from models import OutboxMessage

log = structlog.get_logger(__name__)
LEASE = timedelta(minutes=5)


class PermanentFailure(Exception):
    """The server refused the mail for good (5xx): retrying cannot help."""


class Transport(Protocol):
    name: str

    def open(self) -> None: ...
    def close(self) -> None: ...
    def send(self, row_id: int, kind: str, recipient: str, raw: bytes) -> None: ...


@dataclass
class FlushResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def backoff(attempts: int, base: float = 30.0, cap: float = 3600.0) -> timedelta:
    """Exponential backoff with full jitter: spreads retries after an outage."""
    return timedelta(seconds=random.uniform(base / 2, min(cap, base * 2 ** max(attempts - 1, 0))))


def claim(session: Session, now: datetime, limit: int) -> list[int]:
    due = and_(OutboxMessage.next_attempt_at <= now,
               or_(OutboxMessage.state == "queued", OutboxMessage.state == "sending"))
    query = select(OutboxMessage).where(due).order_by(OutboxMessage.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list(session.scalars(query))
    for row in rows:
        row.state = "sending"
        row.next_attempt_at = now + LEASE
    return [row.id for row in rows]


def flush(
    sessions: sessionmaker[Session],
    transport: Transport,
    *,
    clock: Callable[[], datetime],
    max_attempts: int,
    batch_size: int = 100,
    progress: Callable[[FlushResult], None] | None = None,
) -> FlushResult:
    result = FlushResult()
    transport.open()
    try:
        while True:
            with sessions.begin() as session:
                ids = claim(session, clock(), batch_size)
            if not ids:
                return result
            for row_id in ids:
                _send_one(sessions, transport, row_id, clock, max_attempts, result)
            if progress:
                progress(result)
    finally:
        transport.close()


def _send_one(
    sessions: sessionmaker[Session], transport: Transport, row_id: int,
    clock: Callable[[], datetime], max_attempts: int, result: FlushResult,
) -> None:
    with sessions() as session:
        row = session.get(OutboxMessage, row_id)
        assert row is not None
        recipient, kind, raw = row.recipient, row.kind, row.raw
    error: Exception | None = None
    try:
        transport.send(row_id, kind, recipient, raw)
    except Exception as exc:  # every transport failure is recorded on the row, never raised
        error = exc
    with sessions.begin() as session:
        row = session.get(OutboxMessage, row_id)
        assert row is not None
        _record(row, error, clock(), max_attempts, result)


def _record(row: OutboxMessage, error: Exception | None, now: datetime, max_attempts: int,
            result: FlushResult) -> None:
    row.attempts += 1
    if error is None:
        row.state, row.sent_at, row.last_error = "sent", now, ""
        result.sent += 1
        log.info("outbox.sent", outbox_id=row.id, kind=row.kind, message_id=row.message_id)
        return
    row.last_error = f"{type(error).__name__}: {error}"[:2000]
    if isinstance(error, PermanentFailure) or row.attempts >= max_attempts:
        row.state = "failed"
        result.failed += 1
        log.warning("outbox.failed", outbox_id=row.id, kind=row.kind, error=row.last_error)
    else:
        row.state, row.next_attempt_at = "queued", now + backoff(row.attempts)
        result.retried += 1
        log.info("outbox.retry", outbox_id=row.id, attempts=row.attempts, error=row.last_error)
