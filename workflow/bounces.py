"""A delivery status notification for mail the desk sent: the recipient is marked as
bouncing and the ticket's history says the mail never arrived, so no one waits for an
answer to it. Only bounces that name a Message-ID the desk really sent count: backscatter
from spam that forged the desk's address changes nothing."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import OutboxMessage, Ticket
from workflow.history import record
from workflow.people import find_person


@dataclass(frozen=True)
class Bounce:
    """What a bounce says, as read by ingest/bounces.py."""

    permanent: tuple[str, ...]        # recipients that failed for good (lowercased)
    temporary: tuple[str, ...]        # recipients whose delivery is only delayed
    original_ids: tuple[str, ...]     # Message-IDs of the returned original mail
    status: str = ""                  # first DSN Status, e.g. 5.1.1
    diagnostic: str = ""              # first Diagnostic-Code, one line


@dataclass(frozen=True)
class BounceOutcome:
    marked: tuple[str, ...]           # addresses now marked as bouncing
    ticket_id: int | None
    reason: str


def record_bounce(session: Session, bounce: Bounce, *, reporter: str, at: datetime,
                  inbound_id: int | None) -> BounceOutcome:
    sent = _original(session, bounce.original_ids)
    if sent is None:
        return BounceOutcome((), None, "bounce of mail this desk did not send (no known original Message-ID)")
    if not bounce.permanent:
        what = "delayed" if bounce.temporary else "reported without a failed recipient"
        return BounceOutcome((), sent.ticket_id, f"delivery of {sent.message_id} to {sent.recipient} {what}")
    marked = _mark(session, [sent.recipient, *bounce.permanent], at)
    ticket = session.get(Ticket, sent.ticket_id) if sent.ticket_id else None
    detail = " ".join(part for part in (bounce.status, bounce.diagnostic) if part)
    note = f"the {sent.kind} mail to {sent.recipient} could not be delivered" + (f": {detail}" if detail else "")
    if ticket is not None:
        record(session, ticket, "bounce", actor=reporter, at=at, inbound_id=inbound_id, note=note,
               data={"recipient": sent.recipient, "kind": sent.kind, "outbox_id": sent.id,
                     "message_id": sent.message_id, "status": bounce.status,
                     "failed": list(bounce.permanent)})
    return BounceOutcome(tuple(marked), sent.ticket_id, note)


def _original(session: Session, message_ids: Sequence[str]) -> OutboxMessage | None:
    ids = [m for m in message_ids if m][:20]
    if not ids:
        return None
    return session.scalar(select(OutboxMessage).where(OutboxMessage.message_id.in_(ids))
                          .order_by(OutboxMessage.id.desc()).limit(1))


def _mark(session: Session, addresses: Sequence[str], at: datetime) -> list[str]:
    """Mark the people the desk knows; an address it never stored is not created here."""
    marked = []
    for address in dict.fromkeys(a.strip().lower() for a in addresses if a):
        person = find_person(session, address)
        if person is None:
            continue
        if person.bouncing_since is None:
            person.bouncing_since = at
        marked.append(person.address)
    return marked
