"""Queue notifications: render, compose, insert into the outbox in the caller's transaction.

Nothing is sent here. The row commits with the ticket change that caused it, or not at all."""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

import structlog
from sqlalchemy.orm import Session

from models import OutboxMessage, Person, Ticket
from outbound.compose import compose, new_message_id
from outbound.context import desk_view, ticket_view
from outbound.render import Renderer
from outbound.settings import DeskInfo
from workflow.notifications import Notification
from workflow.people import find_person

log = structlog.get_logger(__name__)


def enqueue(
    session: Session,
    desk: DeskInfo,
    renderer: Renderer,
    notifications: Iterable[Notification],
    now: datetime,
) -> list[OutboxMessage]:
    queued = []
    for note in notifications:
        if note.recipient.lower() == desk.address.lower():
            log.info("outbox.skip_own_address", kind=note.kind)
            continue
        queued.append(_queue_one(session, desk, renderer, note, now))
    session.flush()
    return queued


def _queue_one(
    session: Session, desk: DeskInfo, renderer: Renderer, note: Notification, now: datetime
) -> OutboxMessage:
    person = find_person(session, note.recipient)
    lang = note.language or (person.language if person else None) or desk.language
    ticket = session.get(Ticket, note.ticket_id) if note.ticket_id else None
    context = {"desk": desk_view(desk), "facts": dict(note.facts), "lang": lang,
               "ticket": ticket_view(desk, ticket, lang) if ticket else None}
    rendered = renderer.render(note.kind, lang, context)
    message_id = new_message_id(desk, note.kind, note.recipient)
    raw = compose(desk, rendered, recipient=note.recipient, recipient_name=_name(person),
                  message_id=message_id, thread=_thread(ticket, note), auto_reply=note.auto_reply,
                  now=now)
    row = OutboxMessage(created_at=now, ticket_id=note.ticket_id, kind=note.kind,
                        recipient=note.recipient, language=lang, subject=rendered.subject[:500],
                        message_id=message_id, raw=raw, state="queued", attempts=0,
                        next_attempt_at=now)
    session.add(row)
    log.info("outbox.queued", kind=note.kind, ticket=ticket.number if ticket else None,
             message_id=message_id)
    return row


def _name(person: Person | None) -> str:
    return person.name if person else ""


def _thread(ticket: Ticket | None, note: Notification) -> tuple[str, ...]:
    """Every mail about a ticket threads under the reporter's original message."""
    ids = [ticket.origin_message_id] if ticket and ticket.origin_message_id else []
    ids += [m for m in note.thread if m not in ids]
    return tuple(ids)
