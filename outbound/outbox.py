"""Queue notifications: render, compose, insert into the outbox in the caller's transaction.

Nothing is sent here. The row commits with the ticket change that caused it, or not at all.
Loop protection lives here too: the desk never mails itself, its aliases or machine
addresses (outbound.never_mail), whatever the rules asked for.

A mail whose template is missing or broken is stored `failed` with the reason and the
notification itself (plain JSON), so that once the template is mended `rerender` (the
`outbox retry` command) renders and queues it with its original Message-ID: nothing lost.

SMS rows (channel "sms") are queued here too, from notifications with channel "sms" and
from the SMS that workflow/sms.py says the mail notices call for (when [sms] is on): the
text of `sms_<kind>.txt`, fitted to one message (outbound/sms_text.py), as UTF-8 in `raw`.
Their message_id is a key of (ticket, kind, number), unique like every message_id, so each
is one SMS for good; the number itself is in no key and no log line (personal data)."""
from __future__ import annotations

import hashlib
import hmac
import math
import re
from dataclasses import replace
from datetime import date, datetime
from enum import Enum
from fnmatch import fnmatchcase
from typing import Any, Iterable, Mapping

import structlog
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import OutboxMessage, OutboxState, Person, Ticket
from models.fit import clamp
from outbound.compose import compose, new_message_id
from outbound.context import build_context
from outbound.render import Rendered, Renderer
from outbound.settings import DeskInfo
from outbound.sms_text import one_sms
from workflow.notifications import Notification
from workflow.people import find_person, normalise_address
from workflow.phones import is_e164
from workflow.sms import sms_notifications
from workflow.tokens import reporter_page_path

log = structlog.get_logger(__name__)

# what the desk is willing to put in RCPT TO: a plain ASCII addr-spec
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*")


def enqueue(
    session: Session,
    desk: DeskInfo,
    renderer: Renderer,
    notifications: Iterable[Notification],
    now: datetime,
) -> list[OutboxMessage]:
    """One outbox row per mailable notification (the same mail twice in one change is
    queued once). A template that fails gives a `failed` row with the error, visible in
    `incidentdesk outbox`, and never undoes the ticket change."""
    queued: list[OutboxMessage] = []
    seen: set[tuple[str, str, int | None]] = set()
    notes = list(notifications)
    for note in notes:
        if note.channel == "sms":
            continue
        recipient = normalise_address(note.recipient)
        reason = not_mailable(desk, recipient)
        if reason or (note.kind, recipient, note.ticket_id) in seen:
            log.info("outbox.skipped", kind=note.kind, ticket_id=note.ticket_id,
                     reason=reason or "same mail twice in one change")
            continue
        seen.add((note.kind, recipient, note.ticket_id))
        queued.append(_queue_one(session, desk, renderer, note, recipient, now))
    texts = [n for n in notes if n.channel == "sms"] + sms_notifications(session, desk.sms, notes)
    queued += [row for note in texts if (row := _queue_sms(session, desk, renderer, note, now))]
    session.flush()
    return queued


def _queue_sms(session: Session, desk: DeskInfo, renderer: Renderer, note: Notification,
               now: datetime) -> OutboxMessage | None:
    """One SMS row, unless this (ticket, kind, number) has one already: in this process it
    is looked up; two processes queueing it at once meet on the unique key, and the one that
    loses drops only its SMS (the savepoint), never the ticket change."""
    if not is_e164(note.recipient):
        log.info("outbox.sms_skipped", kind=note.kind, ticket_id=note.ticket_id, reason="not an E.164 number")
        return None
    key = sms_key(desk, note)
    if session.scalar(select(OutboxMessage.id).where(OutboxMessage.message_id == key)) is not None:
        log.info("outbox.sms_skipped", kind=note.kind, ticket_id=note.ticket_id,
                 reason="already queued for this ticket, kind and number")
        return None
    ticket = session.get(Ticket, note.ticket_id) if note.ticket_id else None
    row = OutboxMessage(channel="sms", created_at=now, ticket_id=note.ticket_id, kind=note.kind,
                        recipient=note.recipient, language=renderer.language(note.language, desk.language),
                        subject="", message_id=key, raw=b"", state="queued", attempts=0,
                        next_attempt_at=now, last_error="")
    _render_sms_into(row, desk, renderer, note, ticket)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        log.info("outbox.sms_skipped", kind=note.kind, ticket_id=note.ticket_id,
                 reason="queued by another process at the same moment")
        return None
    return row


def sms_key(desk: DeskInfo, note: Notification) -> str:
    """The SMS row's message_id: (ticket, kind, number), the number as a keyed hash so that
    the key, which is logged, says nothing about whose phone it is."""
    secret = (desk.secret or "incidentdesk").encode()
    digest = hmac.new(secret, note.recipient.encode(), hashlib.sha256).hexdigest()[:24]
    return f"<sms.{note.ticket_id or 0}.{note.kind}.{digest}@{desk.domain}>"


def _render_sms_into(row: OutboxMessage, desk: DeskInfo, renderer: Renderer, note: Notification,
                     ticket: Ticket | None) -> bool:
    """Fill `row` with the SMS text and queue it; a template that fails leaves it `failed`
    with the notification kept, for `outbox retry`, as for mail."""
    lang = renderer.language(row.language)
    try:
        text = one_sms(renderer.render_text(row.kind, lang, build_context(desk, ticket, lang, note.facts)))
    except Exception as exc:  # a template bug must not lose the ticket change: record it
        row.state, row.last_error = OutboxState.FAILED, f"not rendered: {type(exc).__name__}: {exc}"[:2000]
        row.notification = kept_notification(note)
        log.exception("outbox.render_failed", kind=row.kind, ticket_id=row.ticket_id, message_id=row.message_id)
        return False
    row.subject, row.raw = text, text.encode("utf-8")
    row.state, row.last_error, row.notification = OutboxState.QUEUED, "", None
    log.info("outbox.queued", kind=row.kind, ticket_id=row.ticket_id, message_id=row.message_id)
    return True


def reporter_link(desk: DeskInfo, ticket: Ticket | None, recipient: str) -> str:
    """The signed link to the ticket's reporter page (web/public.py), for a mail to the
    ticket's reporter only, and only when [web] base_url says where the console is."""
    if not desk.base_url or not desk.secret or ticket is None or ticket.reporter is None:
        return ""
    if normalise_address(recipient) != ticket.reporter.address:
        return ""
    return desk.base_url + reporter_page_path(desk.secret, ticket.number)


def not_mailable(desk: DeskInfo, address: str) -> str | None:
    """Why the desk must not mail `address` (lowercase), or None when it may."""
    if len(address) > 254 or not _ADDRESS.fullmatch(address):
        return "not a plain mail address"
    if address == desk.address.lower():
        return "the desk's own address"
    for pattern in desk.never_mail:
        if fnmatchcase(address, pattern.strip().lower()):
            return f"matches outbound.never_mail {pattern!r}"
    return None


def _queue_one(
    session: Session, desk: DeskInfo, renderer: Renderer, note: Notification, recipient: str,
    now: datetime,
) -> OutboxMessage:
    person = find_person(session, recipient)
    lang = renderer.language(note.language, person.language if person else None, desk.language)
    ticket = session.get(Ticket, note.ticket_id) if note.ticket_id else None
    row = OutboxMessage(created_at=now, ticket_id=note.ticket_id, kind=note.kind,
                        recipient=recipient, language=lang, subject="",
                        message_id=new_message_id(desk, note.kind, recipient),
                        raw=b"", state="queued", attempts=0, next_attempt_at=now, last_error="")
    _render_into(row, desk, renderer, note, ticket, person, now)
    session.add(row)
    return row


def rerender(session: Session, desk: DeskInfo, renderer: Renderer, row: OutboxMessage,
             now: datetime) -> bool:
    """Render a mail that failed to render, from the notification kept on its row, with
    today's templates and the ticket as it is now. True: the row is queued, due `now`, with
    a fresh count of attempts and its original Message-ID. False: it failed again and
    keeps the new reason (and the notification, for the next retry)."""
    kept = row.notification or {}
    note = Notification(kind=row.kind, recipient=row.recipient, ticket_id=row.ticket_id,
                        facts=dict(kept.get("facts") or {}), language=row.language,
                        auto_reply=bool(kept.get("auto_reply")),
                        thread=tuple(str(m) for m in kept.get("thread") or ()))
    ticket = session.get(Ticket, row.ticket_id) if row.ticket_id else None
    row.attempts, row.next_attempt_at = 0, now
    if row.channel == "sms":
        return _render_sms_into(row, desk, renderer, replace(note, channel="sms"), ticket)
    return _render_into(row, desk, renderer, note, ticket, find_person(session, row.recipient), now)


def _render_into(row: OutboxMessage, desk: DeskInfo, renderer: Renderer, note: Notification,
                 ticket: Ticket | None, person: Person | None, now: datetime) -> bool:
    """Fill `row` with the composed mail and queue it. A template that fails leaves the row
    `failed` with the reason and the notification kept, so a template bug never loses the
    ticket change (the caller's transaction goes on) nor the mail (`outbox retry`)."""
    lang = renderer.language(row.language)
    number = ticket.number if ticket else None
    try:
        context = build_context(desk, ticket, lang, note.facts,
                                reporter_link=reporter_link(desk, ticket, row.recipient))
        rendered = _tagged(renderer.render(note.kind, lang, context), number)
        raw = compose(desk, rendered, recipient=row.recipient, recipient_name=_name(person),
                      message_id=row.message_id, thread=_thread(ticket, note),
                      auto_reply=note.auto_reply, now=now, language=lang)
    except Exception as exc:  # a template bug must not lose the ticket change: record it
        row.state, row.last_error = OutboxState.FAILED, f"not rendered: {type(exc).__name__}: {exc}"[:2000]
        row.notification = kept_notification(note)
        log.exception("outbox.render_failed", kind=note.kind, ticket=number, message_id=row.message_id)
        return False
    row.subject, row.raw = rendered.subject, raw
    row.state, row.last_error, row.notification = OutboxState.QUEUED, "", None
    log.info("outbox.queued", kind=note.kind, ticket=number, message_id=row.message_id)
    return True


def kept_notification(note: Notification) -> dict[str, Any]:
    """What a failed row keeps to be rendered again: the notification's own data (kind,
    recipient, ticket and language are the row's columns) as plain JSON."""
    return {"facts": plain(note.facts), "auto_reply": note.auto_reply, "thread": plain(list(note.thread))}


def plain(value: Any) -> Any:
    """`value` as JSON any database stores: datetimes as ISO text (the templates' `local`
    filter reads both), enums by value, tuples and sets as lists, text made writable (NUL
    and lone surrogates, which PostgreSQL's json refuses, become U+FFFD), NaN and anything
    else as its text. Never raises: a fact that cannot be kept must not undo the change."""
    if isinstance(value, Enum):
        return plain(value.value)
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)   # JSON has no NaN
    if isinstance(value, str):
        return clamp(value, None)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {clamp(str(k), None): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((plain(v) for v in value), key=str)
    return clamp(str(value), None)


def _tagged(rendered: Rendered, number: str | None) -> Rendered:
    """The ticket tag in the subject, whatever the template wrote: replies thread by it."""
    if number is None or f"[{number}]" in rendered.subject:
        return rendered
    return replace(rendered, subject=f"[{number}] {rendered.subject}".strip())


def _name(person: Person | None) -> str:
    return person.name if person else ""


def _thread(ticket: Ticket | None, note: Notification) -> tuple[str, ...]:
    """Every mail about a ticket threads under the reporter's original message."""
    ids = [ticket.origin_message_id] if ticket and ticket.origin_message_id else []
    ids += [m for m in note.thread if m not in ids]
    return tuple(ids)
