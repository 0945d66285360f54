"""The poller's hold on a mailbox, so two `incidentdesk run` processes on one database never
poll the same mailbox at once.

A lease is the (lease_owner, lease_until) pair of the mailbox's row in mailbox_state, taken
with one conditional UPDATE: it succeeds only when nobody holds the lease, we hold it already,
or the holder's time ran out. On PostgreSQL the row lock serialises two takers and the second
re-reads the row after the first commits, so exactly one wins; SQLite serialises writers.
The same code on both databases, and no connection has to stay open between polls (an
advisory lock would need one). The holder renews while it polls (`keep`) and releases when
done; a holder that crashed is replaced `ttl` after its last renewal."""
from __future__ import annotations

import os
import secrets
import socket
from datetime import datetime, timedelta
from typing import Callable

import structlog
from sqlalchemy import or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from models import MailboxState

log = structlog.get_logger(__name__)


def owner_id() -> str:
    """Who holds a lease: host, process and a random part (a restarted process with a reused
    pid is still someone else)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Lease:
    def __init__(self, sessions: sessionmaker[Session], name: str, owner: str, ttl: timedelta,
                 clock: Callable[[], datetime]) -> None:
        self.sessions, self.name, self.owner, self.ttl, self.clock = sessions, name, owner, ttl, clock
        self.renewed_at: datetime | None = None

    def acquire(self) -> bool:
        """Take or renew the lease; False when another live holder has it."""
        now = self.clock()
        with self.sessions.begin() as session:
            ensure_row(session, self.name)
            taken = session.execute(
                update(MailboxState)
                .where(MailboxState.name == self.name,
                       or_(MailboxState.lease_owner.is_(None), MailboxState.lease_owner == self.owner,
                           MailboxState.lease_until.is_(None), MailboxState.lease_until <= now))
                .values(lease_owner=self.owner, lease_until=now + self.ttl)
                .execution_options(synchronize_session=False))
            held = taken.rowcount == 1  # type: ignore[attr-defined]
        self.renewed_at = now if held else None
        return held

    def keep(self) -> bool:
        """Renew when a third of the lease has passed; False when the lease was lost (the
        caller stops polling)."""
        if self.renewed_at is None:
            return False
        if self.clock() - self.renewed_at < self.ttl / 3:
            return True
        if self.acquire():
            return True
        log.warning("lease.lost", lease=self.name, owner=self.owner)
        return False

    def release(self) -> None:
        if self.renewed_at is None:
            return
        with self.sessions.begin() as session:
            session.execute(
                update(MailboxState)
                .where(MailboxState.name == self.name, MailboxState.lease_owner == self.owner)
                .values(lease_owner=None, lease_until=None)
                .execution_options(synchronize_session=False))
        self.renewed_at = None


def ensure_row(session: Session, name: str) -> None:
    """The mailbox's mailbox_state row, made once however many processes ask (the lease
    and the poller's heartbeat, app/health.py, share it)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(insert(MailboxState).values(name=name).on_conflict_do_nothing(index_elements=["name"]))
