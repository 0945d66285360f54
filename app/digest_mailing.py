"""The daily management digest: read the day's figures, then record that the day's digest was
made and queue one mail per recipient in one transaction.

Once per covered day: the `digest_runs` row (unique day) is inserted with the mails, so a
second call for the same day, a restart, or a second `run` process on the same PostgreSQL
database finds it (or waits on its unique key and then fails to insert) and queues nothing.
Only a past day is sent (workflow/digest.refused_day); `preview_digest` renders any day,
today's too, without recording or queuing anything."""
from __future__ import annotations

from datetime import date, timedelta

import structlog
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import work
from app.runtime import Runtime
from models import DigestRun
from outbound.context import build_context
from outbound.digest_facts import digest_facts
from outbound.render import Rendered
from workflow.digest_figures import build_digest, digest_recipients, refused_day
from workflow.notifications import Notification

log = structlog.get_logger(__name__)


def default_day(rt: Runtime) -> date:
    """Yesterday in the desk's time zone: what the morning digest covers."""
    return (rt.clock().astimezone(rt.desk.timezone) - timedelta(days=1)).date()


class DigestRefused(ValueError):
    """The digest of a day that is not over yet: nothing was recorded or queued."""


def today(rt: Runtime) -> date:
    return rt.clock().astimezone(rt.desk.timezone).date()


def preview_digest(rt: Runtime, day: date, lang: str | None = None) -> Rendered:
    """The digest of `day` as a manager would receive it (in `lang`, else the desk's language),
    for any day, today's too; nothing is recorded, so the real digest still goes out."""
    with rt.readers() as session:
        data = build_digest(session, day, rt.desk.timezone, rt.settings.policy,
                            rt.settings.problems, rt.settings.digest.oldest_open, rt.clock())
    lang = rt.renderer.language(lang, rt.desk.language)
    return rt.renderer.render("digest", lang, build_context(rt.desk, None, lang, digest_facts(data, rt.desk)))


def send_digest(rt: Runtime, day: date) -> int:
    """Queue the digest covering `day` (a local date, normally yesterday) to every management
    recipient; returns how many mails were queued: 0 when that day's digest was already made,
    or when nobody is configured to receive it (then nothing is recorded, so adding
    recipients later still sends it).

    The figures are read first, in a read-only transaction; the write transaction that
    records the day and queues the mails is short, so on SQLite the poller is not held up
    while a month of tickets is read.

    Raises DigestRefused for today or a later day: it is not over, and recording it as sent
    would keep its real digest from ever going out."""
    now = rt.clock()
    if (why := refused_day(day, today(rt))) is not None:
        raise DigestRefused(why)
    with rt.readers() as session:
        if _already_sent(session, day):
            return 0
        recipients = digest_recipients(session, list(rt.settings.digest.roles),
                                       list(rt.settings.digest.recipients))
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
            queued = work.queue_mail(rt, session, notes, now)
    except IntegrityError:
        log.info("digest.already_sent", day=day.isoformat(), concurrent=True)
        return 0
    log.info("digest.queued", day=day.isoformat(), mails=queued)
    return queued


def _already_sent(session: Session, day: date) -> bool:
    if session.scalar(select(DigestRun.id).where(DigestRun.day == day)) is None:
        return False
    log.info("digest.already_sent", day=day.isoformat())
    return True
