"""One poll: every waiting message through parse -> classify -> workflow -> outbox, one
transaction each, then moved out of the inbox. The unit of work lives here and only here."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import structlog
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from app.runtime import Runtime
from ingest.authentication import AuthenticationSettings, SenderAuthentication, authenticate_sender
from ingest.bounces import read_bounce
from ingest.classify import AUTOMATIC, BOUNCE, PERSONAL, classify
from ingest.mail import InboundMail
from ingest.parse import parse
from ingest.records import dedup_key, describe, duplicate_of, earlier, new_record
from ingest.source import Fetched, MailSource
from models import InboundMessage, MailboxState
from outbound.outbox import enqueue
from workflow.bounces import record_bounce
from workflow.inbound import PersonalMail, handle_personal_mail

log = structlog.get_logger(__name__)

PROCESSED, QUARANTINED = "processed", "quarantined"


@dataclass
class PollResult:
    seen: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str) -> None:
        self.seen += 1
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


def poll(rt: Runtime, source: MailSource, progress: Callable[[PollResult], None] | None = None,
         should_stop: Callable[[], bool] | None = None) -> PollResult:
    """Drain what is waiting now. A database outage stops the poll and leaves the mail in
    place; anything wrong with one message only affects that message. `should_stop` is asked
    before each message (shutdown, a lost mailbox lease): the rest stays for the next poll.
    `progress` is called after each message."""
    result = PollResult()
    note_uidvalidity(rt, source)
    for batch in source.batches(int(rt.settings.source["batch_size"])):
        if _process_batch(rt, source, batch, result, should_stop, progress):
            break
    return result


def _process_batch(rt: Runtime, source: MailSource, batch: list[Fetched], result: PollResult,
                   should_stop: Callable[[], bool] | None,
                   progress: Callable[[PollResult], None] | None) -> bool:
    """Each message its own transaction; then the batch's mail moved, one command per
    folder. Mail whose record committed but whose move did not happen (a crash, a lost
    connection) is found again by the next poll: a no-op replay, then the move. True when
    `should_stop` asked to stop."""
    done: dict[str, list[str]] = {PROCESSED: [], QUARANTINED: []}
    stopped = False
    try:
        for fetched in batch:
            if should_stop is not None and should_stop():
                stopped = True
                break
            outcome, destination = process(rt, fetched)
            done[destination].append(fetched.key)
            result.count(outcome)
            if progress is not None:
                progress(result)
    except BaseException:
        _move_quietly(source, done)  # what committed need not wait for the next poll
        raise
    _move(source, done)
    return stopped


def _move(source: MailSource, done: dict[str, list[str]]) -> None:
    if done[PROCESSED]:
        source.mark_processed(done[PROCESSED])
    if done[QUARANTINED]:
        source.mark_quarantined(done[QUARANTINED])


def _move_quietly(source: MailSource, done: dict[str, list[str]]) -> None:
    try:
        _move(source, done)
    except Exception:  # the original error matters more; the next poll replays and moves
        log.warning("inbound.move_failed", exc_info=True)


def process(rt: Runtime, fetched: Fetched) -> tuple[str, str]:
    """(outcome, where the mail goes). Commits before returning; the caller moves the mail.
    The mail is parsed before the transaction opens, so the transaction stays short."""
    structlog.contextvars.bind_contextvars(message_key=fetched.key)
    mail = None
    try:
        mail = parse_raw(rt, fetched.raw) if fetched.raw is not None else None
        with rt.sessions.begin() as session:
            return _process_in(session, rt, fetched, mail)
    except IntegrityError:
        # a concurrent process recorded the same key or Message-ID first: theirs stands
        log.info("inbound.raced", reason="recorded concurrently")
        return "duplicate", PROCESSED
    except DBAPIError:
        raise  # the database is down: stop, leave the mail where it is
    except Exception as exc:  # a bug or a mail we cannot handle: quarantine, keep going
        log.exception("inbound.error")
        return _quarantine_after_error(rt, fetched, mail, exc)
    finally:
        structlog.contextvars.unbind_contextvars("message_key", "ticket")


def parse_raw(rt: Runtime, raw: bytes) -> InboundMail:
    return parse(raw, int(rt.settings.source["max_attachment_bytes"]))


def _process_in(session: Session, rt: Runtime, fetched: Fetched, mail: InboundMail | None) -> tuple[str, str]:
    same, copy = earlier(session, fetched.key, dedup_key(mail) if mail is not None else None)
    if same is not None:  # crashed after commit, before the move: finish the move only
        log.info("inbound.replay", outcome=same.outcome)
        return "replay", QUARANTINED if same.outcome == "quarantined" else PROCESSED
    now = rt.clock()
    if mail is None:
        limit = rt.settings.source["max_message_bytes"]
        return _finish(session, new_record(fetched.key, None, fetched.size, now), "quarantined",
                       f"message of {fetched.size} bytes is over the limit of {limit}", raw=None)
    record = new_record(fetched.key, mail, fetched.size, now)
    if copy is not None:
        record.dedup_key = None
        return _finish(session, record, "duplicate", f"same message as inbound #{copy.id} "
                       f"({mail.message_id or 'no Message-ID'}), {copy.outcome}")
    return _route(session, rt, mail, record)


def _route(session: Session, rt: Runtime, mail: InboundMail, record: InboundMessage) -> tuple[str, str]:
    verdict = classify(mail, desk_addresses=frozenset({rt.desk.address}))
    record.kind = verdict.kind if verdict.kind != PERSONAL else ""
    if verdict.kind == BOUNCE:
        return _bounce(session, mail, record, verdict.reason)
    if verdict.kind == AUTOMATIC:
        return _finish(session, record, "ignored", f"{verdict.rule}: {verdict.reason}")
    if verdict.kind != PERSONAL:
        return _finish(session, record, "quarantined", f"{verdict.rule}: {verdict.reason}", raw=mail.raw)
    session.add(record)
    session.flush()
    outcome = handle_personal_mail(session, rt.settings.policy, rt.settings.triage, personal_mail(mail, record, rt))
    structlog.contextvars.bind_contextvars(ticket=outcome.ticket.number)
    enqueue(session, rt.desk, rt.renderer, outcome.notifications, record.received_at)
    record.kind = outcome.kind if not record.kind else record.kind
    record.ticket_id = outcome.ticket.id
    return _finish(session, record, outcome.kind, "")


def personal_mail(mail: InboundMail, record: InboundMessage, rt: Runtime | None = None) -> PersonalMail:
    """The facts the rules use, with what our MTA's Authentication-Results prove about the
    sender (only agents' commands look at that)."""
    assert mail.sender is not None
    auth = SenderAuthentication() if rt is None else authenticate_sender(
        mail.raw, mail.sender, AuthenticationSettings.from_config(rt.settings.raw["auth"]))
    return PersonalMail(sender=mail.sender, sender_name=mail.sender_name, subject=mail.subject,
                        text=mail.text, new_text=mail.new_text, message_id=mail.message_id,
                        references=mail.in_reply_to + mail.references,
                        received_at=record.received_at, inbound_id=record.id,
                        authenticated_by=auth.passed, authentication_detail=auth.detail)



def _finish(session: Session, record: InboundMessage, outcome: str, reason: str,
            raw: bytes | None = None) -> tuple[str, str]:
    record.outcome, record.reason = outcome, reason[:2000]
    record.raw = raw if outcome == "quarantined" else None
    session.add(record)
    log.info("inbound.recorded", outcome=outcome, reason=reason or None)
    return outcome, QUARANTINED if outcome == "quarantined" else PROCESSED


def _quarantine_after_error(rt: Runtime, fetched: Fetched, mail: InboundMail | None,
                            exc: Exception) -> tuple[str, str]:
    with rt.sessions.begin() as session:
        record = new_record(fetched.key, mail, fetched.size, rt.clock())
        record.dedup_key = None  # set again by a replay that succeeds
        return _finish(session, record, "quarantined", f"error: {type(exc).__name__}: {exc}",
                       raw=fetched.raw)


def _bounce(session: Session, mail: InboundMail, record: InboundMessage, why: str) -> tuple[str, str]:
    """A bounce is never answered; when it is about mail the desk sent, the recipient is
    marked as bouncing and the ticket's history says so."""
    session.add(record)
    session.flush()
    result = record_bounce(session, read_bounce(mail.raw), reporter=mail.sender or "mailer-daemon",
                           at=record.received_at, inbound_id=record.id)
    record.ticket_id = result.ticket_id
    outcome = "bounce" if result.marked else "ignored"
    return _finish(session, record, outcome, f"delivery-report: {why}; {result.reason}")


def note_uidvalidity(rt: Runtime, source: MailSource) -> None:
    """Record the mailbox's UIDVALIDITY; a change means the server renumbered the folder
    (a restore, a migration). Nothing else needs doing: the new keys are new, and the
    Message-ID + body key makes the mail already handled a duplicate, not a second ticket."""
    validity = getattr(source, "uidvalidity", None)
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
    try:
        with rt.sessions.begin() as session:
            return _replay_in(session, rt, record_id)
    except IntegrityError:
        log.info("inbound.raced", reason="replayed concurrently")
        return Replayed(record_id, "skipped", "handled concurrently by another process")
    except (DBAPIError, LookupError):
        raise
    except Exception as exc:  # still failing: keep it quarantined, with the new reason
        log.exception("inbound.replay_error")
        with rt.sessions.begin() as session:
            record = session.get(InboundMessage, record_id)
            if record is not None:
                record.reason = f"error: {type(exc).__name__}: {exc}"[:2000]
        return Replayed(record_id, "quarantined", f"error: {type(exc).__name__}: {exc}")
    finally:
        structlog.contextvars.unbind_contextvars("inbound_id", "ticket")


def _replay_in(session: Session, rt: Runtime, record_id: int) -> Replayed:
    record = session.scalar(select(InboundMessage).where(InboundMessage.id == record_id)
                            .with_for_update())
    if record is None:
        raise LookupError(f"no inbound message #{record_id}")
    if record.outcome != "quarantined":
        return Replayed(record_id, "skipped", f"not quarantined (outcome {record.outcome})")
    if record.raw is None:
        return Replayed(record_id, "skipped", "the message was not stored (over the size limit "
                        "when it came): move it from the Quarantine folder back to the inbox")
    mail = parse_raw(rt, record.raw)
    copy = duplicate_of(session, dedup_key(mail), other_than=record.id)  # before the record changes
    describe(record, mail)
    if copy is not None:
        record.dedup_key = None
        outcome, _ = _finish(session, record, "duplicate", f"same message as inbound #{copy.id}")
    else:
        outcome, _ = _route(session, rt, mail, record)
    log.info("inbound.replayed", outcome=outcome)
    return Replayed(record_id, outcome, record.reason)
