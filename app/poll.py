"""One poll: every waiting message through parse -> classify -> workflow -> outbox, a
fetched batch to a transaction (a savepoint each), then moved out of the inbox. The unit of work lives here and only here.
What a failure means (stop the poll, or quarantine this message) is app/poll_errors.py."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Callable

import structlog
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from app import health, work
from app.poll_errors import Failure, Progress, Stage, describe_error, failure_of
from app.runtime import Runtime
from ingest.authentication import SenderAuthentication, authenticate_sender
from ingest.bounces import read_bounce
from ingest.classify import AUTOMATIC, BOUNCE, PERSONAL, classify
from ingest.mail import InboundMail
from ingest.parse import parse
from ingest.records import dedup_key, describe, duplicate_of, earlier, new_record
from ingest.source import Fetched, MailSource
from models import InboundFailure, InboundMessage, InboundOutcome, MailboxState
from models.db import DatabaseUnavailable
from workflow.bounces import record_bounce
from workflow.inbound import PersonalMail, handle_personal_mail

log = structlog.get_logger(__name__)


class Destination(StrEnum):
    """Where a message goes once its outcome is committed."""

    PROCESSED = "processed"
    QUARANTINED = "quarantined"
    STAYS = "stays"          # no outcome could be recorded: tried again by the next poll


@dataclass(frozen=True)
class Handled:
    outcome: str
    destination: Destination


@dataclass
class PollResult:
    seen: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str) -> None:
        self.seen += 1
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


def poll(rt: Runtime, source: MailSource, progress: Callable[[PollResult], None] | None = None,
         should_stop: Callable[[], bool] | None = None) -> PollResult:
    """Drain what is waiting now. Only an unavailable server stops the poll (the mail stays
    in place); anything wrong with one message only affects that message. `should_stop` is
    asked before each message (shutdown, a lost mailbox lease): the rest stays for the next
    poll. `progress` is called for each message once its outcome has committed."""
    result = PollResult()
    note_uidvalidity(rt, source)
    for batch in source.batches(rt.settings.source.batch_size):
        if _process_batch(rt, source, batch, result, should_stop, progress):
            break
    health.note_good_poll(rt, source.name)  # /healthz: the mailbox was read to the end
    return result


def _process_batch(rt: Runtime, source: MailSource, batch: list[Fetched], result: PollResult,
                   should_stop: Callable[[], bool] | None,
                   progress: Callable[[PollResult], None] | None) -> bool:
    """The batch's messages share one transaction, each in a savepoint of its own; True
    when `should_stop` asked to stop."""
    tries = failed_tries(rt, [fetched.key for fetched in batch])
    work = BatchWork(rt, source, result, progress)
    try:
        for fetched in batch:
            if should_stop is not None and should_stop():
                work.commit()
                return True
            work.handle(fetched, tries.get(fetched.key, 0))
            if work.due():
                work.commit()
        work.commit()
    finally:
        work.close()
    return False


class BatchWork:
    """One durable commit for many messages, with the guarantees of one per message.

    Each message runs in a savepoint: a message that fails rolls back only itself and is
    quarantined in a savepoint of its own. The transaction commits when the batch is done,
    or once it has been open `COMMIT_WITHIN` seconds, so no handled mail waits longer than
    that; only then is the mail moved. A crash before the commit leaves every message of
    the transaction unrecorded and in the inbox: the next poll handles them again. A crash
    after the commit and before the move makes the next poll a no-op move (the record's
    source key says the message was handled). An outage rolls back what is not committed
    and moves none of it."""

    COMMIT_WITHIN = 0.2

    def __init__(self, rt: Runtime, source: MailSource, result: PollResult,
                 progress: Callable[[PollResult], None] | None) -> None:
        self.rt, self.source, self.result, self.progress = rt, source, result, progress
        self.session: Session | None = None
        self.opened_at = 0.0
        self.handled: list[tuple[str, Handled]] = []

    def due(self) -> bool:
        return self.session is not None and time.monotonic() - self.opened_at >= self.COMMIT_WITHIN

    def handle(self, fetched: Fetched, tried: int) -> None:
        structlog.contextvars.bind_contextvars(message_key=fetched.key)
        try:
            self.handled.append((fetched.key, self._handle(fetched, tried)))
        finally:
            structlog.contextvars.unbind_contextvars("message_key", "ticket")

    def commit(self) -> None:
        """Commit what is handled, then move it and count it."""
        if self.session is not None:
            try:
                self.session.commit()
            except Exception as exc:
                self._abandon()
                if failure_of(exc, self.rt.engine) is not Failure.MESSAGE:
                    _raise_unavailable(exc)
                raise
            self.session.close()
            self.session = None
        handled, self.handled = self.handled, []
        _move(self.source, handled)
        for _, done in handled:
            self.result.count(done.outcome)
            if self.progress is not None:
                self.progress(self.result)

    def close(self) -> None:
        """Whatever was not committed is rolled back and stays in the inbox."""
        self._abandon()

    def _abandon(self) -> None:
        if self.session is not None:
            try:
                self.session.close()  # rolls back; a dead connection is dropped by the pool
            except Exception:
                log.warning("inbound.rollback_failed")
            self.session = None
        self.handled = []

    def _open(self) -> Session:
        if self.session is None:
            self.session = self.rt.sessions()
            self.session.begin()
            self.opened_at = time.monotonic()
        return self.session

    def _handle(self, fetched: Fetched, tried: int) -> Handled:
        at = Progress()
        mail: InboundMail | None = None
        try:
            if tried >= self.rt.settings.source.max_attempts:
                session = self._open()
                with session.begin_nested():
                    return _set_aside(session, self.rt, fetched, tried)
            mail = parse_raw(self.rt, fetched.raw) if fetched.raw is not None else None
            session = self._open()
            at.stage = Stage.STORE  # from here the database: the savepoint, the lookups, the record
            with session.begin_nested():
                handled = _process_in(session, self.rt, fetched, mail, at)
                if tried:
                    session.execute(delete(InboundFailure).where(InboundFailure.source_key == fetched.key))
                at.stage = Stage.STORE  # the savepoint's release, as the block ends
            return handled
        except Exception as exc:
            return self._after_failure(fetched, mail, at.stage, exc)

    def _after_failure(self, fetched: Fetched, mail: InboundMail | None, stage: Stage,
                       exc: Exception) -> Handled:
        rt = self.rt
        failure = failure_of(exc, rt.engine)
        if failure is Failure.OUTAGE:
            log.error("inbound.database_unavailable", stage=stage, error=describe_error(exc))
            self._abandon()
            _raise_unavailable(exc)
        if isinstance(exc, IntegrityError) and _recorded_meanwhile(rt, fetched, mail):
            log.info("inbound.raced", reason="recorded concurrently")  # theirs stands
            return Handled(InboundOutcome.DUPLICATE, Destination.PROCESSED)
        if failure is Failure.BUSY:
            log.warning("inbound.database_busy", stage=stage, error=describe_error(exc))
            self._count_failure(fetched, stage, exc)
            self.commit()  # what the batch handled before this message stands
            raise exc
        log.error("inbound.failed", stage=stage, error=describe_error(exc), exc_info=exc)
        try:
            session = self._open()
            with session.begin_nested():
                return _quarantine_after_error(session, rt, fetched, mail, stage, exc)
        except Exception as again:  # even the quarantine could not be written
            if failure_of(again, rt.engine) is Failure.OUTAGE:
                self._abandon()
                _raise_unavailable(again)
            log.error("inbound.quarantine_failed", stage=stage, error=describe_error(again))
            self._count_failure(fetched, stage, exc)
            return Handled("failed", Destination.STAYS)

    def _count_failure(self, fetched: Fetched, stage: Stage, exc: Exception) -> None:
        """One more failed try without an outcome, committed with the batch; best effort
        (the database may be the reason the try failed)."""
        try:
            session = self._open()
            with session.begin_nested():
                row = session.get(InboundFailure, fetched.key) or InboundFailure(
                    source_key=fetched.key, attempts=0, failed_at=self.rt.clock())
                row.attempts += 1
                row.stage, row.error, row.failed_at = stage, describe_error(exc), self.rt.clock()
                session.add(row)
        except Exception:
            log.warning("inbound.failure_not_counted", stage=stage)


def _move(source: MailSource, handled: list[tuple[str, Handled]]) -> None:
    """Committed mail out of the inbox, one command per folder. If the move does not
    happen (a crash, a lost connection), the next poll finds the mail again: a no-op
    replay, then the move."""
    for destination, mark in ((Destination.PROCESSED, source.mark_processed),
                              (Destination.QUARANTINED, source.mark_quarantined)):
        keys = [key for key, done in handled if done.destination is destination]
        if keys:
            mark(keys)


def failed_tries(rt: Runtime, keys: list[str]) -> dict[str, int]:
    """How often each of these messages has failed without an outcome (one query a batch;
    nearly always no row)."""
    with rt.readers() as session:
        rows = session.execute(select(InboundFailure.source_key, InboundFailure.attempts)
                               .where(InboundFailure.source_key.in_(keys)))
        return {key: attempts for key, attempts in rows}


def _raise_unavailable(exc: Exception) -> None:
    if isinstance(exc, OperationalError):
        raise exc
    raise DatabaseUnavailable(describe_error(exc)) from exc


def _recorded_meanwhile(rt: Runtime, fetched: Fetched, mail: InboundMail | None) -> bool:
    """After a unique-key violation: did another process record this message first?"""
    with rt.readers() as session:
        same, copy = earlier(session, fetched.key, dedup_key(mail) if mail is not None else None)
    return same is not None or copy is not None


def _set_aside(session: Session, rt: Runtime, fetched: Fetched, tried: int) -> Handled:
    """A message that failed `tried` times is quarantined without another try."""
    last = session.get(InboundFailure, fetched.key)
    stage = Stage(last.stage) if last is not None and last.stage in set(Stage) else Stage.STORE
    error = last.error if last is not None else "unknown"
    record = new_record(fetched.key, None, fetched.size, rt.clock())
    record.stage = stage
    if last is not None:
        session.delete(last)
    return _finish(session, record, InboundOutcome.QUARANTINED,
                   f"{stage}: failed {tried} times without an outcome; last: {error}", raw=fetched.raw)


def parse_raw(rt: Runtime, raw: bytes) -> InboundMail:
    return parse(raw, rt.settings.source.max_attachment_bytes)


def _process_in(session: Session, rt: Runtime, fetched: Fetched, mail: InboundMail | None,
                at: Progress) -> Handled:
    same, copy = earlier(session, fetched.key, dedup_key(mail) if mail is not None else None)
    if same is not None:  # crashed after commit, before the move: finish the move only
        log.info("inbound.replay", outcome=same.outcome)
        return Handled("replay", Destination.QUARANTINED if same.outcome == InboundOutcome.QUARANTINED
                       else Destination.PROCESSED)
    now = rt.clock()
    if mail is None:
        limit = rt.settings.source.max_message_bytes
        return _finish(session, new_record(fetched.key, None, fetched.size, now), InboundOutcome.QUARANTINED,
                       f"message of {fetched.size} bytes is over the limit of {limit}", raw=None)
    record = new_record(fetched.key, mail, fetched.size, now)
    if copy is not None:
        record.dedup_key = None
        return _finish(session, record, InboundOutcome.DUPLICATE, f"same message as inbound #{copy.id} "
                       f"({mail.message_id or 'no Message-ID'}), {copy.outcome}")
    return _route(session, rt, mail, record, at)


def _route(session: Session, rt: Runtime, mail: InboundMail, record: InboundMessage,
           at: Progress | None = None) -> Handled:
    at = at or Progress()
    at.stage = Stage.CLASSIFY
    verdict = classify(mail, desk_addresses=frozenset({rt.desk.address}),
                       monitoring_senders=rt.settings.source.monitoring_senders)
    record.kind = verdict.kind if verdict.kind != PERSONAL else ""
    at.stage = Stage.RULES
    if verdict.kind == BOUNCE:
        return _bounce(session, mail, record, verdict.reason)
    if verdict.kind == AUTOMATIC:
        return _finish(session, record, InboundOutcome.IGNORED, f"{verdict.rule}: {verdict.reason}")
    if verdict.kind != PERSONAL:
        return _finish(session, record, InboundOutcome.QUARANTINED, f"{verdict.rule}: {verdict.reason}",
                       raw=mail.raw, stage=Stage.CLASSIFY)
    at.stage = Stage.STORE
    session.add(record)
    session.flush()
    at.stage = Stage.RULES
    told = personal_mail(mail, record, rt, acknowledge=verdict.rule != "monitoring")
    policy, triage = rt.settings.policy, rt.settings.triage
    outcome = work.in_transaction(session, rt, lambda s: handle_personal_mail(s, policy, triage, told),
                                  record.received_at, progress=at)
    structlog.contextvars.bind_contextvars(ticket=outcome.ticket.number)
    at.stage = Stage.STORE
    record.kind = outcome.kind if not record.kind else record.kind
    record.ticket_id = outcome.ticket.id
    return _finish(session, record, InboundOutcome(outcome.kind), "")


def personal_mail(mail: InboundMail, record: InboundMessage, rt: Runtime | None = None,
                  acknowledge: bool = True) -> PersonalMail:
    """The facts the rules use, with what our MTA's Authentication-Results prove about the
    sender (only agents' commands look at that). A salvaged sender (not one exact From:
    address) may report, never act as an agent; monitoring alerts are not acknowledged."""
    assert mail.sender is not None
    auth = SenderAuthentication() if rt is None else authenticate_sender(
        mail.raw, mail.sender, rt.settings.auth)
    return PersonalMail(sender=mail.sender, sender_name=mail.sender_name, subject=mail.subject,
                        text=mail.text, new_text=mail.new_text, message_id=mail.message_id,
                        references=mail.in_reply_to + mail.references,
                        received_at=record.received_at, inbound_id=record.id,
                        authenticated_by=auth.passed, authentication_detail=auth.detail,
                        sender_salvaged=mail.sender_salvaged, acknowledge=acknowledge)


def _finish(session: Session, record: InboundMessage, outcome: InboundOutcome, reason: str,
            raw: bytes | None = None, stage: Stage | None = None) -> Handled:
    record.outcome, record.reason = outcome, reason[:2000]
    record.raw = raw if outcome == InboundOutcome.QUARANTINED else None
    if stage is not None:
        record.stage = stage
    session.add(record)
    log.info("inbound.recorded", outcome=outcome, reason=reason or None)
    return Handled(outcome, Destination.QUARANTINED if outcome == InboundOutcome.QUARANTINED else Destination.PROCESSED)


def _quarantine_after_error(session: Session, rt: Runtime, fetched: Fetched, mail: InboundMail | None,
                            stage: Stage, exc: Exception) -> Handled:
    """The message's own savepoint is gone; its quarantine gets a new one. What the
    record keeps of the mail is described again only if that is not what failed."""
    record = new_record(fetched.key, None, fetched.size, rt.clock())
    if mail is not None and stage is not Stage.PARSE:
        try:
            describe(record, mail)
        except Exception:
            log.warning("inbound.undescribable")
    record.dedup_key = None  # set again by a replay that succeeds
    session.execute(delete(InboundFailure).where(InboundFailure.source_key == fetched.key))
    return _finish(session, record, InboundOutcome.QUARANTINED, f"{stage}: {describe_error(exc)}",
                   raw=fetched.raw, stage=stage)


def _bounce(session: Session, mail: InboundMail, record: InboundMessage, why: str) -> Handled:
    """A bounce is never answered; when it is about mail the desk sent, the recipient is
    marked as bouncing and the ticket's history says so."""
    session.add(record)
    session.flush()
    result = record_bounce(session, read_bounce(mail.raw), reporter=mail.sender or "mailer-daemon",
                           at=record.received_at, inbound_id=record.id)
    record.ticket_id = result.ticket_id
    outcome = InboundOutcome.BOUNCE if result.marked else InboundOutcome.IGNORED
    return _finish(session, record, outcome, f"delivery-report: {why}; {result.reason}")


def note_uidvalidity(rt: Runtime, source: MailSource) -> None:
    """Record the mailbox's UIDVALIDITY; a change means the server renumbered the folder
    (a restore, a migration). Nothing else needs doing: the new keys are new, and the
    Message-ID + body key makes the mail already handled a duplicate, not a second ticket."""
    validity = source.uidvalidity
    if validity is None:
        return
    with rt.sessions.begin() as session:
        state = session.get(MailboxState, source.name)
        if state is None:
            session.add(MailboxState(name=source.name, uidvalidity=validity))
        elif state.uidvalidity != validity:
            if state.uidvalidity is not None:
                log.warning("imap.uidvalidity_changed", mailbox=source.name, old=state.uidvalidity,
                            new=validity)
            state.uidvalidity = validity


@dataclass(frozen=True)
class Replayed:
    record_id: int
    outcome: str          # the new outcome, or "skipped"
    reason: str


def replay(rt: Runtime, record_id: int) -> Replayed:
    """Run a quarantined message through the path again (after a fix or a config change).
    Exactly once, like the first time: the record is locked and must still be quarantined,
    it is updated in place (never a second record), and the raw copy goes once it is handled.
    The mailbox is not touched: the copy in the Quarantine folder stays as the evidence."""
    structlog.contextvars.bind_contextvars(inbound_id=record_id)
    at = Progress()
    try:
        with rt.sessions.begin() as session:
            return _replay_in(session, rt, record_id, at)
    except LookupError:
        raise
    except Exception as exc:
        return _replay_failed(rt, record_id, at.stage, exc)
    finally:
        structlog.contextvars.unbind_contextvars("inbound_id", "ticket")


def _replay_failed(rt: Runtime, record_id: int, stage: Stage, exc: Exception) -> Replayed:
    """As for a first try: an outage stops the replay; a race means another process
    replayed it; anything else keeps it quarantined, with the new stage and reason."""
    failure = failure_of(exc, rt.engine)
    if failure is Failure.OUTAGE or failure is Failure.BUSY:
        _raise_unavailable(exc)
    if isinstance(exc, IntegrityError):
        log.info("inbound.raced", reason="replayed concurrently")
        return Replayed(record_id, "skipped", "handled concurrently by another process")
    reason = f"{stage}: {describe_error(exc)}"
    log.error("inbound.replay_failed", stage=stage, error=describe_error(exc), exc_info=exc)
    with rt.sessions.begin() as session:
        record = session.get(InboundMessage, record_id)
        if record is not None:
            record.reason, record.stage = reason, stage
    return Replayed(record_id, InboundOutcome.QUARANTINED, reason)


def _replay_in(session: Session, rt: Runtime, record_id: int, at: Progress) -> Replayed:
    at.stage = Stage.STORE
    record = session.scalar(select(InboundMessage).where(InboundMessage.id == record_id)
                            .with_for_update())
    if record is None:
        raise LookupError(f"no inbound message #{record_id}")
    if record.outcome != InboundOutcome.QUARANTINED:
        return Replayed(record_id, "skipped", f"not quarantined (outcome {record.outcome})")
    if record.raw is None:
        return Replayed(record_id, "skipped", "the message was not stored (over the size limit "
                        "when it came): move it from the Quarantine folder back to the inbox")
    at.stage = Stage.PARSE
    mail = parse_raw(rt, record.raw)
    at.stage = Stage.STORE
    copy = duplicate_of(session, dedup_key(mail), other_than=record.id)  # before the record changes
    describe(record, mail)
    record.stage = None
    if copy is not None:
        record.dedup_key = None
        outcome = _finish(session, record, InboundOutcome.DUPLICATE, f"same message as inbound #{copy.id}").outcome
    else:
        outcome = _route(session, rt, mail, record, at).outcome
    log.info("inbound.replayed", outcome=outcome)
    return Replayed(record_id, outcome, record.reason)
