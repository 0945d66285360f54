"""The inbound record: one row per message seen, committed with the change it caused."""
from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.mail import InboundMail
from models import InboundMessage


def dedup_key(mail: InboundMail) -> str | None:
    """Message-ID + body hash: the same mail delivered twice (to two folders, or resent by a
    server after a timeout) is one report. Without a Message-ID there is nothing to trust."""
    if not mail.message_id:
        return None
    return hashlib.sha256(f"{mail.message_id}\n{mail.body_hash}".encode()).hexdigest()


def seen(session: Session, source_key: str) -> InboundMessage | None:
    return session.scalar(select(InboundMessage).where(InboundMessage.source_key == source_key))


def duplicate_of(session: Session, key: str | None) -> InboundMessage | None:
    if key is None:
        return None
    return session.scalar(select(InboundMessage).where(InboundMessage.dedup_key == key))


def new_record(source_key: str, mail: InboundMail | None, size: int, now: datetime) -> InboundMessage:
    return InboundMessage(
        source_key=source_key,
        dedup_key=dedup_key(mail) if mail else None,
        message_id=mail.message_id if mail else None,
        body_hash=mail.body_hash if mail else "",
        sender=mail.sender if mail else None,
        subject=(mail.subject if mail else "")[:500],
        received_at=now, outcome="pending", size=size,
    )
