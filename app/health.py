"""The poller's heartbeat for operations: when a poll last ended without a server failing.
`/healthz` and `/metrics` (web/ops.py) read it from mailbox_state.last_poll_at; the poller
writes it here (app/poll.py `poll`, once the mailbox is drained)."""
from __future__ import annotations

from sqlalchemy import update

from app.lease import ensure_row
from app.runtime import Runtime
from models import MailboxState


def note_good_poll(rt: Runtime, mailbox: str) -> None:
    """Record that `mailbox` was read to the end just now. Its own short transaction: the
    row is the lease's too (created if missing, never duplicated by a second process)."""
    with rt.sessions.begin() as session:
        ensure_row(session, mailbox)
        session.execute(update(MailboxState).where(MailboxState.name == mailbox)
                        .values(last_poll_at=rt.clock()).execution_options(synchronize_session=False))
