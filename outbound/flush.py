"""Send what the outbox holds: claim a batch, send it over one transport connection, record.

States: queued -> sending -> sent | failed (and back to queued, later, after a temporary
failure). Claiming sets `sending` with a lease (next_attempt_at = now + LEASE) and commits
before any mail leaves, so several senders never take the same row (FOR UPDATE SKIP LOCKED
on PostgreSQL; SQLite serialises writers). The lease doubles as the claim's token: a sender
records an outcome only while the row still carries its lease, so one that stalled past its
lease cannot overwrite what the sender that took over recorded. A sender stops starting new
mail halfway through its lease, and a sender that dies leaves rows whose lease runs out; they
are sent again with the same Message-ID.

Outcomes are written in one transaction per batch, together with the claim of the next
batch, or sooner when RECORD_EVERY has passed: a database commit per mail would cost more
than the mail (bench/outbound.py), and the time bound keeps what a crash could resend to a
couple of seconds' worth of mail.

Each channel has its own sender: a flush claims only the rows of its `channel` ("mail", or
"sms" with the SMS gateway as its transport), so a gateway that is down never holds up mail,
nor an SMTP outage the SMS."""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Protocol, Sequence, cast

import structlog
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session, sessionmaker

from models import OutboxMessage

log = structlog.get_logger(__name__)

LEASE = timedelta(minutes=5)
RETRY_BASE = timedelta(minutes=1)      # first retry after 30-60 s, doubling ...
RETRY_CAP = timedelta(hours=1)         # ... up to 30-60 min between tries
RECORD_EVERY = 2.0                     # seconds
OUTBOX = cast(Table, OutboxMessage.__table__)  # typed FromClause; a one-table model's is a Table


class PermanentFailure(Exception):
    """The server refused the mail for good (5xx): retrying cannot help; the row fails now."""


class TemporaryFailure(Exception):
    """The server said not now (4xx), or the connection dropped mid-mail: retry later."""


class Unavailable(Exception):
    """The server cannot be reached or refuses our session (connect, TLS, AUTH): this batch
    is retried later and the flush stops, instead of timing out once per mail."""


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


@dataclass(frozen=True)
class Claimed:
    """A row taken for sending; `lease` is the claim's token (its next_attempt_at)."""

    id: int
    kind: str
    recipient: str
    message_id: str
    raw: bytes
    attempts: int
    lease: datetime


def backoff(attempts: int) -> timedelta:
    """Exponential backoff with jitter (half to all of the step), so retries after an
    outage spread out instead of arriving together."""
    step = min(RETRY_CAP, RETRY_BASE * 2 ** max(attempts - 1, 0))
    return step * random.uniform(0.5, 1.0)


def claim(sessions: sessionmaker[Session], now: datetime, limit: int, channel: str = "mail") -> list[Claimed]:
    """Take up to `limit` due rows of `channel` (queued, or sending with an expired lease),
    oldest first."""
    with sessions.begin() as session:
        return _claim(session, now, limit, channel)


def _claim(session: Session, now: datetime, limit: int, channel: str = "mail") -> list[Claimed]:
    """One statement: UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED) RETURNING.
    (SQLite has no row locks; BEGIN IMMEDIATE in models/db.py serialises the claims.)"""
    lease = now + LEASE
    due = (select(OUTBOX.c.id)
           .where(OUTBOX.c.channel == channel, OUTBOX.c.state.in_(("queued", "sending")),
                  OUTBOX.c.next_attempt_at <= now)
           .order_by(OUTBOX.c.id).limit(limit).with_for_update(skip_locked=True))
    rows = session.execute(
        update(OUTBOX).where(OUTBOX.c.id.in_(due.scalar_subquery()))
        .values(state="sending", next_attempt_at=lease)
        .returning(OUTBOX.c.id, OUTBOX.c.kind, OUTBOX.c.recipient, OUTBOX.c.message_id,
                   OUTBOX.c.raw, OUTBOX.c.attempts)).all()
    return sorted((Claimed(r.id, r.kind, r.recipient, r.message_id, r.raw, r.attempts, lease) for r in rows),
                  key=lambda claimed: claimed.id)


def flush(
    sessions: sessionmaker[Session],
    transport: Transport,
    *,
    clock: Callable[[], datetime],
    max_attempts: int,
    batch_size: int = 100,
    progress: Callable[[FlushResult], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    channel: str = "mail",
) -> FlushResult:
    """Send every due row once, batch by batch, over one transport session. Returns early
    when the transport is unavailable or `should_stop()` says so (checked between mails;
    rows not started go back to the queue). `progress` is called after each batch is
    recorded; an exception it (or anything) raises stops the flush with what was sent
    recorded and what was not started given back."""
    stop = should_stop or (lambda: False)
    run = _Flush(sessions, transport, clock, max_attempts, stop, channel)
    transport.open()
    try:
        run.settle(claim_next=0 if stop() else batch_size)
        while run.batch:
            carry_on = run.send_batch() and not stop()
            run.settle(claim_next=batch_size if carry_on else 0)
            if progress:
                progress(run.result)
    except BaseException:
        run.settle(claim_next=0)
        raise
    finally:
        transport.close()
    return run.result


class _Flush:
    """One flush: the batch in hand, how far it got, and what is not recorded yet."""

    def __init__(self, sessions: sessionmaker[Session], transport: Transport,
                 clock: Callable[[], datetime], max_attempts: int, stop: Callable[[], bool],
                 channel: str = "mail") -> None:
        self.sessions, self.transport, self.clock, self.channel = sessions, transport, clock, channel
        self.max_attempts, self.stop = max_attempts, stop
        self.result = FlushResult()
        self.batch: list[Claimed] = []
        self.position = 0                                     # rows of the batch handled
        self.done: list[tuple[Claimed, Exception | None]] = []  # handled, not recorded yet

    def settle(self, claim_next: int) -> None:
        """One transaction: record the outcomes, give back the rows never started, and
        claim the next batch (one commit per batch, not two)."""
        now = self.clock()
        with self.sessions.begin() as session:
            _write(session, self.done, now, self.max_attempts, self.result)
            _release(session, self.batch[self.position:], now)
            self.batch = _claim(session, now, claim_next, self.channel) if claim_next > 0 else []
        self.done, self.position = [], 0

    def record(self) -> None:
        with self.sessions.begin() as session:
            _write(session, self.done, self.clock(), self.max_attempts, self.result)
        self.done = []

    def send_batch(self) -> bool:
        """Send the claimed batch; False when the flush should end (unavailable, stopping)."""
        started = last_write = time.monotonic()
        while self.position < len(self.batch):
            if self.stop() or time.monotonic() - started > LEASE.total_seconds() / 2:
                return not self.stop()
            row = self.batch[self.position]
            error: Exception | None = None
            try:
                self.transport.send(row.id, row.kind, row.recipient, row.raw)
            except Unavailable as exc:
                log.warning("outbox.unavailable", transport=self.transport.name, error=str(exc),
                            waiting=len(self.batch) - self.position)
                self.done += [(rest, exc) for rest in self.batch[self.position:]]
                self.position = len(self.batch)
                return False
            except Exception as exc:  # every other failure is recorded on its row, never raised
                error = exc
            self.done.append((row, error))
            self.position += 1
            if time.monotonic() - last_write >= RECORD_EVERY:
                self.record()
                last_write = time.monotonic()
        return True


_RECORD = (update(OUTBOX)
           .where(OUTBOX.c.id == bindparam("row_id"), OUTBOX.c.state == "sending",
                  OUTBOX.c.next_attempt_at == bindparam("lease"))
           .values(state=bindparam("new_state"), attempts=bindparam("new_attempts"),
                   next_attempt_at=bindparam("new_next"), last_error=bindparam("new_error")))


def _write(session: Session, done: Sequence[tuple[Claimed, Exception | None]], now: datetime,
           max_attempts: int, result: FlushResult) -> None:
    """Record outcomes, only on rows that still carry our lease: the sent ones in one
    statement per claim, the others (rare) one by one."""
    if not done:
        return
    sent: dict[datetime, list[Claimed]] = {}
    for row, error in done:
        if error is None:
            sent.setdefault(row.lease, []).append(row)
    changed = sum(_record_sent(session, lease, rows, now, result) for lease, rows in sent.items())
    others = [_outcome(row, error, now, max_attempts, result) for row, error in done if error is not None]
    if others:
        changed += session.connection().execute(_RECORD, others).rowcount
    if 0 <= changed < len(done):
        log.warning("outbox.lease_lost", recorded=changed, expected=len(done))


def _record_sent(session: Session, lease: datetime, rows: Sequence[Claimed], now: datetime,
                 result: FlushResult) -> int:
    for row in rows:
        log.info("outbox.sent", outbox_id=row.id, kind=row.kind, message_id=row.message_id)
    result.sent += len(rows)
    return int(session.connection().execute(
        update(OUTBOX).where(OUTBOX.c.id.in_(bindparam("ids", [r.id for r in rows], expanding=True,
                                                      literal_execute=True)),
                             OUTBOX.c.state == "sending",
                             OUTBOX.c.next_attempt_at == lease)
        .values(state="sent", attempts=OUTBOX.c.attempts + 1, sent_at=now, last_error="")).rowcount)


def _outcome(row: Claimed, error: Exception, now: datetime, max_attempts: int,
             result: FlushResult) -> dict[str, Any]:
    """The new values of a row whose mail did not go: retried later, or failed for good."""
    attempts = row.attempts + 1
    text = f"{type(error).__name__}: {error}"[:2000]
    values = {"row_id": row.id, "lease": row.lease, "new_attempts": attempts, "new_error": text}
    if isinstance(error, PermanentFailure) or attempts >= max_attempts:
        result.failed += 1
        log.warning("outbox.failed", outbox_id=row.id, kind=row.kind, attempts=attempts,
                    message_id=row.message_id, error=text)
        return values | {"new_state": "failed", "new_next": row.lease}
    result.retried += 1
    log.info("outbox.retry", outbox_id=row.id, kind=row.kind, attempts=attempts,
             message_id=row.message_id, error=text)
    return values | {"new_state": "queued", "new_next": now + backoff(attempts)}


def _release(session: Session, rows: Sequence[Claimed], now: datetime) -> None:
    """Give rows not started back to the queue, due at once, no attempt counted."""
    if rows:
        session.connection().execute(
            update(OUTBOX).where(OUTBOX.c.id == bindparam("row_id"), OUTBOX.c.state == "sending",
                                 OUTBOX.c.next_attempt_at == bindparam("lease"))
            .values(state="queued", next_attempt_at=bindparam("new_next")),
            [{"row_id": r.id, "lease": r.lease, "new_next": now} for r in rows])
