"""Queue notifications: render, compose, insert into the outbox in the caller's transaction.

Nothing is sent here. The row commits with the ticket change that caused it, or not at all.
Loop protection lives here too: the desk never mails itself, its aliases or machine
addresses (outbound.never_mail), whatever the rules asked for."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from fnmatch import fnmatchcase
from typing import Iterable

import structlog
from sqlalchemy.orm import Session

from models import OutboxMessage, Person, Ticket
from outbound.compose import compose, new_message_id
from outbound.context import build_context
from outbound.render import Rendered, Renderer
from outbound.settings import DeskInfo
from workflow.notifications import Notification
from workflow.people import find_person, normalise_address

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
    for note in notifications:
        recipient = normalise_address(note.recipient)
        reason = not_mailable(desk, recipient)
        if reason or (note.kind, recipient, note.ticket_id) in seen:
            log.info("outbox.skipped", kind=note.kind, ticket_id=note.ticket_id,
                     reason=reason or "same mail twice in one change")
            continue
        seen.add((note.kind, recipient, note.ticket_id))
        queued.append(_queue_one(session, desk, renderer, note, recipient, now))
    session.flush()
    return queued


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
    message_id = new_message_id(desk, note.kind, recipient)
    row = OutboxMessage(created_at=now, ticket_id=note.ticket_id, kind=note.kind,
                        recipient=recipient, language=lang, subject="", message_id=message_id,
                        raw=b"", state="queued", attempts=0, next_attempt_at=now, last_error="")
    number = ticket.number if ticket else None
    try:
        rendered = _tagged(renderer.render(note.kind, lang, build_context(desk, ticket, lang, note.facts)),
                           number)
        row.subject = rendered.subject[:500]
        row.raw = compose(desk, rendered, recipient=recipient, recipient_name=_name(person),
                          message_id=message_id, thread=_thread(ticket, note),
                          auto_reply=note.auto_reply, now=now, language=lang)
        log.info("outbox.queued", kind=note.kind, ticket=number, message_id=message_id)
    except Exception as exc:  # a template bug must not lose the ticket change: record it
        row.state, row.last_error = "failed", f"not rendered: {type(exc).__name__}: {exc}"[:2000]
        log.exception("outbox.render_failed", kind=note.kind, ticket=number, message_id=message_id)
    session.add(row)
    return row


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
