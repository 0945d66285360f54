"""The inbound record: one row per message seen, committed with the change it caused."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from ingest.mail import InboundMail
from models import InboundMessage


def dedup_key(mail: InboundMail) -> str | None:
    """Message-ID + body hash: the same mail delivered twice (to two folders, resent by a
    server after a timeout, or renumbered by a UIDVALIDITY change) is one report. Mail
    without a Message-ID is known by From, Date, Subject and body instead."""
    if mail.message_id:
        basis = f"{mail.message_id}\n{mail.body_hash}"
    elif mail.sender or mail.date or mail.subject:
        basis = f"no-message-id\n{mail.sender or ''}\n{mail.date}\n{mail.subject}\n{mail.body_hash}"
    else:
        return None  # nothing that tells two such mails apart but the body
    return hashlib.sha256(basis.encode("utf-8", "surrogateescape")).hexdigest()


@dataclass(frozen=True)
class Earlier:
    id: int
    outcome: str


# built once: every polled message asks
_EARLIER = select(InboundMessage.id, InboundMessage.source_key, InboundMessage.outcome)
_BY_SOURCE_KEY = _EARLIER.where(InboundMessage.source_key == bindparam("source_key"))
_BY_SOURCE_OR_DEDUP_KEY = _EARLIER.where(or_(InboundMessage.source_key == bindparam("source_key"),
                                             InboundMessage.dedup_key == bindparam("dedup_key")))


def earlier(session: Session, source_key: str, key: str | None) -> tuple[Earlier | None, Earlier | None]:
    """(the record of this very message, the record of an earlier copy of it), in one query
    of three columns: the first means a replay after a crash, the second a second delivery."""
    same = copy = None
    query, values = (_BY_SOURCE_KEY, {"source_key": source_key}) if key is None else (
        _BY_SOURCE_OR_DEDUP_KEY, {"source_key": source_key, "dedup_key": key})
    for row in session.execute(query, values):
        if row.source_key == source_key:
            same = Earlier(row.id, row.outcome)
        else:
            copy = Earlier(row.id, row.outcome)
    return same, copy


def duplicate_of(session: Session, key: str | None, *, other_than: int | None = None) -> InboundMessage | None:
    if key is None:
        return None
    query = select(InboundMessage).where(InboundMessage.dedup_key == key)
    if other_than is not None:
        query = query.where(InboundMessage.id != other_than)
    return session.scalar(query)


def new_record(source_key: str, mail: InboundMail | None, size: int, now: datetime) -> InboundMessage:
    record = InboundMessage(source_key=source_key, received_at=now, outcome="pending", size=size,
                            body_hash="", subject="", attachments=[])
    if mail is not None:
        describe(record, mail)
    return record


def describe(record: InboundMessage, mail: InboundMail) -> None:
    """Copy what the record keeps of a parsed mail (also when a replay parses it again)."""
    record.dedup_key = dedup_key(mail)
    record.message_id = mail.message_id
    record.body_hash = mail.body_hash
    record.sender = mail.sender
    record.subject = mail.subject
    record.attachments = attachment_list(mail)


def attachment_list(mail: InboundMail) -> list[dict[str, Any]]:
    return [{"name": a.name, "type": a.content_type, "size": a.size, "sha256": a.sha256,
             **({"over_limit": True} if a.over_limit else {})} for a in mail.attachments]
