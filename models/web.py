"""What the web console stores to know an agent: a password hash, one-time login links,
sessions, and failed logins (for the wait after repeated failures). Secrets are never
stored as given: passwords as argon2 hashes, link tokens and session ids as SHA-256 digests,
so a copy of the database lets nobody log in."""
from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import IDENTIFIER, Base, intpk, utc


class AgentPassword(Base):
    """One per agent (the primary row of the directory entry): set by `incidentdesk passwd`."""

    __tablename__ = "agent_passwords"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    set_at: Mapped[utc]


class LoginToken(Base):
    """A one-time login link mailed to the agent: valid until `expires_at`, once."""

    __tablename__ = "login_tokens"

    id: Mapped[intpk]
    token_hash: Mapped[str] = mapped_column(String(64), info=IDENTIFIER, unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    created_at: Mapped[utc]
    expires_at: Mapped[utc]
    used_at: Mapped[utc | None]


class WebSession(Base):
    """A logged-in browser. The cookie holds a random id; the row, its digest. Ends at
    logout, or when unused for the idle timeout."""

    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), info=IDENTIFIER, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    created_at: Mapped[utc]
    last_seen_at: Mapped[utc]


class LoginFailure(Base):
    """A refused login for an address (known or not): five within the window and further
    tries wait."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_address_at", "address", "at"),)

    id: Mapped[intpk]
    address: Mapped[str] = mapped_column(String(320), info=IDENTIFIER)
    at: Mapped[utc]
    remote: Mapped[str] = mapped_column(String(64), default="")
