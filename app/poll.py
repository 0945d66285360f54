"""One poll: every waiting message through parse -> classify -> workflow -> outbox, one
transaction each, then moved out of the inbox. The unit of work lives here and only here."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import structlog
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from app.runtime import Runtime
from ingest.classify import AUTOMATIC, PERSONAL, classify
from ingest.mail import InboundMail
from ingest.parse import parse
from ingest.records import duplicate_of, new_record, seen
from ingest.source import Fetched, MailSource
from models import InboundMessage
from outbound.outbox import enqueue
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


def poll(rt: Runtime, source: MailSource, progress: Callable[[PollResult], None] | None = None) -> PollResult:
    """Drain what is waiting now. A database outage stops the poll and leaves the mail in
    place; anything wrong with one message only affects that message."""
    result = PollResult()
    for batch in source.batches(int(rt.settings.source["batch_size"])):
        for fetched in batch:
            outcome, destination = process(rt, fetched)
            _move(source, fetched.key, destination)
            result.count(outcome)
        if progress:
            progress(result)
    return result


def _move(source: MailSource, key: str, destination: str) -> None:
    if destination == QUARANTINED:
        source.mark_quarantined(key)
    else:
        source.mark_processed(key)


def process(rt: Runtime, fetched: Fetched) -> tuple[str, str]:
    """(outcome, where the mail goes). Commits before returning; the caller moves the mail."""
    structlog.contextvars.bind_contextvars(message_key=fetched.key)
    try:
        with rt.sessions.begin() as session:
            return _process_in(session, rt, fetched)
    except IntegrityError:
        # a concurrent process recorded the same key or Message-ID first: theirs stands
        log.info("inbound.raced", reason="recorded concurrently")
        return "duplicate", PROCESSED
    except DBAPIError:
        raise  # the database is down: stop, leave the mail where it is
    except Exception as exc:  # a bug or a mail we cannot handle: quarantine, keep going
        log.exception("inbound.error")
        return _quarantine_after_error(rt, fetched, exc)
    finally:
        structlog.contextvars.unbind_contextvars("message_key", "ticket")


def _process_in(session: Session, rt: Runtime, fetched: Fetched) -> tuple[str, str]:
    earlier = seen(session, fetched.key)
    if earlier is not None:  # crashed after commit, before the move: finish the move only
        log.info("inbound.replay", outcome=earlier.outcome)
        return "replay", QUARANTINED if earlier.outcome == "quarantined" else PROCESSED
    now = rt.clock()
    if fetched.raw is None:
        limit = rt.settings.source["max_message_bytes"]
        return _finish(session, new_record(fetched.key, None, fetched.size, now), "quarantined",
                       f"message of {fetched.size} bytes is over the limit of {limit}", raw=None)
    mail = parse(fetched.raw)
    record = new_record(fetched.key, mail, fetched.size, now)
    if duplicate_of(session, record.dedup_key) is not None:
        record.dedup_key = None
        return _finish(session, record, "duplicate", f"same Message-ID and body as an earlier message {mail.message_id}")
    return _route(session, rt, mail, record)


def _route(session: Session, rt: Runtime, mail: InboundMail, record: InboundMessage) -> tuple[str, str]:
    verdict = classify(mail, desk_addresses=frozenset({rt.desk.address}))
    record.kind = verdict.kind if verdict.kind != PERSONAL else ""
    if verdict.kind == AUTOMATIC:
        return _finish(session, record, "ignored", f"{verdict.rule}: {verdict.reason}")
    if verdict.kind != PERSONAL:
        return _finish(session, record, "quarantined", f"{verdict.rule}: {verdict.reason}", raw=mail.raw)
    session.add(record)
    session.flush()
    outcome = handle_personal_mail(session, rt.settings.policy, rt.settings.triage, personal_mail(mail, record))
    structlog.contextvars.bind_contextvars(ticket=outcome.ticket.number)
    enqueue(session, rt.desk, rt.renderer, outcome.notifications, record.received_at)
    record.kind = outcome.kind if not record.kind else record.kind
    record.ticket_id = outcome.ticket.id
    return _finish(session, record, outcome.kind, "")


def personal_mail(mail: InboundMail, record: InboundMessage) -> PersonalMail:
    assert mail.sender is not None
    return PersonalMail(sender=mail.sender, sender_name=mail.sender_name, subject=mail.subject,
                        text=mail.text, new_text=mail.new_text, message_id=mail.message_id,
                        references=mail.in_reply_to + mail.references,
                        received_at=record.received_at, inbound_id=record.id)


def _finish(session: Session, record: InboundMessage, outcome: str, reason: str,
            raw: bytes | None = None) -> tuple[str, str]:
    record.outcome, record.reason = outcome, reason[:2000]
    if outcome == "quarantined":
        record.raw = raw
    session.add(record)
    log.info("inbound.recorded", outcome=outcome, reason=reason or None)
    return outcome, QUARANTINED if outcome == "quarantined" else PROCESSED


def _quarantine_after_error(rt: Runtime, fetched: Fetched, exc: Exception) -> tuple[str, str]:
    with rt.sessions.begin() as session:
        mail = parse(fetched.raw) if fetched.raw is not None else None
        record = new_record(fetched.key, mail, fetched.size, rt.clock())
        record.dedup_key = None
        return _finish(session, record, "quarantined", f"error: {type(exc).__name__}: {exc}",
                       raw=fetched.raw)
