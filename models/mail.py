"""Mail in and out: the inbound record that makes processing exactly-once, and the outbox."""
from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import IDENTIFIER, Base, BigId, intpk, str20, utc
from models.states import InboundOutcome, OutboxState, by_value


class InboundMessage(Base):
    """One message seen in a mailbox. `source_key` (mailbox, UIDVALIDITY, UID) and
    `dedup_key` (Message-ID + body hash) are unique: a replay after a crash, or a second
    delivery of the same mail, finds its record and does nothing."""

    __tablename__ = "inbound_messages"

    id: Mapped[intpk]
    source_key: Mapped[str] = mapped_column(String(600), info=IDENTIFIER, unique=True)
    dedup_key: Mapped[str | None] = mapped_column(String(64), info=IDENTIFIER, unique=True)
    message_id: Mapped[str | None] = mapped_column(String(998), info=IDENTIFIER, index=True)
    body_hash: Mapped[str] = mapped_column(String(64), info=IDENTIFIER)
    sender: Mapped[str | None] = mapped_column(String(320), info=IDENTIFIER)
    subject: Mapped[str] = mapped_column(String(500), default="")
    received_at: Mapped[utc]
    # ticket | event | ignored | bounce | quarantined | duplicate (workflow may add kinds)
    outcome: Mapped[InboundOutcome] = mapped_column(by_value(InboundOutcome), index=True)
    kind: Mapped[str20] = mapped_column(default="")
    reason: Mapped[str] = mapped_column(Text(), default="")
    # where handling failed, for quarantined mail: parse | classify | rules | render | store
    stage: Mapped[str | None] = mapped_column(String(20))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    size: Mapped[int] = mapped_column(BigId, default=0)
    # kept only for quarantined mail, so `quarantine replay` can run it again
    raw: Mapped[bytes | None] = mapped_column(LargeBinary())
    # metadata only, never the content: [{name, type, size, sha256, over_limit?}]; a name is
    # for display and never becomes a path
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON(), default=list)


class InboundFailure(Base):
    """A message whose handling failed without an outcome (the database was busy or went
    away mid-message, the quarantine itself could not be written). Counted so that no
    mail is tried forever: at `source.max_attempts` it is quarantined without another try.
    The row goes when the message gets its outcome."""

    __tablename__ = "inbound_failures"

    source_key: Mapped[str] = mapped_column(String(600), primary_key=True, info=IDENTIFIER)
    attempts: Mapped[int] = mapped_column(default=0)
    stage: Mapped[str20] = mapped_column(default="")
    error: Mapped[str] = mapped_column(Text(), default="")
    failed_at: Mapped[utc]


class OutboxMessage(Base):
    """A rendered mail waiting to be sent. Inserted in the transaction of the change that
    caused it; the Message-ID is fixed at insert so retries never look like new mail. A mail
    whose template failed is stored `failed` with empty `raw` and its `notification`, and is
    rendered again by `outbox retry`."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_channel_state_next_attempt_at", "channel", "state", "next_attempt_at"),)

    id: Mapped[intpk]
    created_at: Mapped[utc]
    # mail (raw is the RFC 5322 message, recipient an address) | sms (raw is the UTF-8 text,
    # recipient an E.164 number, message_id a key that makes each (ticket, kind, recipient)
    # one SMS); each channel has its own sender, which claims only its own rows
    channel: Mapped[str20] = mapped_column(default="mail", server_default="mail")
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(320), info=IDENTIFIER, index=True)
    language: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(500))
    message_id: Mapped[str] = mapped_column(String(998), info=IDENTIFIER, unique=True)
    raw: Mapped[bytes] = mapped_column(LargeBinary())
    state: Mapped[OutboxState] = mapped_column(by_value(OutboxState), default=OutboxState.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[utc]
    last_error: Mapped[str] = mapped_column(Text(), default="")
    sent_at: Mapped[utc | None]
    # kept only while the mail is not rendered (its template was missing or broken), so that
    # `outbox retry` can render it again: the notification as plain JSON
    # {facts, auto_reply, thread}; kind, recipient, ticket and language are the row's own
    notification: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))


class MailboxState(Base):
    """Per mailbox: the UIDVALIDITY last seen (a change is detected and logged; the dedup
    key keeps the renumbered mail from becoming new tickets) and the poller's lease, so two
    `incidentdesk run` processes never poll one mailbox at once."""

    __tablename__ = "mailbox_state"

    name: Mapped[str] = mapped_column(String(600), info=IDENTIFIER, primary_key=True)
    uidvalidity: Mapped[int | None] = mapped_column(BigId)
    lease_owner: Mapped[str | None] = mapped_column(String(200), info=IDENTIFIER)
    lease_until: Mapped[utc | None]
    # the end of the last poll that drained the mailbox without a server failing: /healthz
    # and /metrics tell from it that mail is still being read
    last_poll_at: Mapped[utc | None]
