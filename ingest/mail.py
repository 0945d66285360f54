"""The parsed form of one inbound message: everything later stages need, nothing they don't."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping


@dataclass(frozen=True)
class Attachment:
    """An attachment as data. `name` is for display only and never becomes a path."""

    name: str
    content_type: str
    size: int
    sha256: str                      # "" when over the attachment size limit (not decoded)
    over_limit: bool = False


@dataclass(frozen=True)
class InboundMail:
    message_id: str | None
    sender: str | None               # lowercased address from From: (or salvaged), None when unusable
    sender_name: str
    recipients: tuple[str, ...]
    subject: str
    text: str                        # the whole text body (HTML-only mail converted)
    new_text: str                    # the part the sender wrote: quoted history and signature cut
    html: str                        # the raw HTML body, when any (for command lines in HTML replies)
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    headers: Mapping[str, str]       # lowercased names of the headers classification reads
    attachments: tuple[Attachment, ...]
    body_hash: str                   # sha256 of the raw body bytes after the header block (CRLF = LF)
    size: int
    defects: tuple[str, ...] = field(default_factory=tuple)
    raw: bytes = b""                 # kept for DSN parsing and quarantine; not logged
    date: str = ""                   # the Date: header as written (dedup of mail without Message-ID)
    # True when the sender was not one exact, valid, single From: address but was salvaged
    # (ingest/sender.py): such a sender may report, never act as an agent
    sender_salvaged: bool = False
