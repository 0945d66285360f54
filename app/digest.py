"""The daily management digest: read the day's figures, then record that the day's digest was
made and queue one mail per recipient in one transaction.

Once per covered day: the `digest_runs` row (unique day) is inserted with the mails, so a
second call for the same day, a restart, or a second `run` process on the same PostgreSQL
database finds it (or waits on its unique key and then fails to insert) and queues nothing."""
from __future__ import annotations

from datetime import date, timedelta

import structlog
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.runtime import Runtime
from models import DigestRun
from outbound.digest_view import digest_facts
from outbound.outbox import enqueue
from workflow.digest import build_digest, digest_recipients
from workflow.notifications import Notification

log = structlog.get_logger(__name__)


def default_day(rt: Runtime) -> date:
    """Yesterday in the desk's time zone: what the morning digest covers."""
    return (rt.clock().astimezone(rt.desk.timezone) - timedelta(days=1)).date()


def send_digest(rt: Runtime, day: date) -> int:
    """Queue the digest covering `day` (a local date, normally yesterday) to every management
    recipient; returns how many mails were queued: 0 when that day's digest was already made,
    or when nobody is configured to receive it (then nothing is recorded, so adding
    recipients later still sends it).

    The figures are read first, in a read-only transaction; the write transaction that
    records the day and queues the mails is short, so on SQLite the poller is not held up
    while a month of tickets is read."""
    now = rt.clock()
    with rt.readers() as session:
        if _already_sent(session, day):
            return 0
        recipients = digest_recipients(session, list(rt.settings.digest.recipients))
        if not recipients:
            log.warning("digest.no_recipients", day=day.isoformat())
            return 0
        data = build_digest(session, day, rt.desk.timezone, rt.settings.policy,
                            rt.settings.problems, rt.settings.digest.oldest_open, now)
    facts = digest_facts(data, rt.desk)
    notes = [Notification(kind="digest", recipient=r, ticket_id=None, facts=facts) for r in recipients]
    try:
        with rt.sessions.begin() as session:
            if _already_sent(session, day):
                return 0
            session.add(DigestRun(day=day, created_at=now, recipients=len(recipients)))
            session.flush()  # the unique day: a concurrent digest of the same day stops here
            queued = enqueue(session, rt.desk, rt.renderer, notes, now)
    except IntegrityError:
        log.info("digest.already_sent", day=day.isoformat(), concurrent=True)
        return 0
    log.info("digest.queued", day=day.isoformat(), mails=len(queued))
    return len(queued)


def _already_sent(session: Session, day: date) -> bool:
    if session.scalar(select(DigestRun.id).where(DigestRun.day == day)) is None:
        return False
    log.info("digest.already_sent", day=day.isoformat())
    return True
