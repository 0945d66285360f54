"""The poller's mailbox lease: one holder at a time, renewed while polling, taken over only
after it runs out."""
from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select

from app.lease import Lease, owner_id
from app.runtime import Runtime
from models import MailboxState
from tests.conftest import Clock

TTL = timedelta(minutes=2)


def lease(rt: Runtime, owner: str, name: str = "maildir:/srv/desk") -> Lease:
    return Lease(rt.sessions, name, owner, TTL, rt.clock)


def test_second_poller_is_refused_while_the_first_holds_the_mailbox(runtime: Runtime) -> None:
    first, second = lease(runtime, "a"), lease(runtime, "b")
    assert first.acquire() is True
    assert second.acquire() is False
    assert first.acquire() is True  # the holder may renew
    first.release()
    assert second.acquire() is True
    with runtime.sessions() as session:
        row = session.get(MailboxState, "maildir:/srv/desk")
        assert row is not None and row.lease_owner == "b"


def test_other_mailboxes_are_not_held(runtime: Runtime) -> None:
    assert lease(runtime, "a", "imap:one").acquire() and lease(runtime, "b", "imap:two").acquire()


def test_lease_of_a_crashed_poller_is_taken_over_when_it_runs_out(runtime: Runtime, clock: Clock) -> None:
    crashed, next_one = lease(runtime, "crashed"), lease(runtime, "next")
    assert crashed.acquire()
    clock.advance(seconds=TTL.total_seconds() - 1)
    assert next_one.acquire() is False
    clock.advance(seconds=1)
    assert next_one.acquire() is True
    assert crashed.keep() is False  # it came back: it has lost the mailbox and must stop


def test_keep_renews_only_after_a_third_of_the_lease(runtime: Runtime, clock: Clock) -> None:
    holder, other = lease(runtime, "holder"), lease(runtime, "other")
    assert holder.acquire()
    clock.advance(seconds=30)
    assert holder.keep() and holder.renewed_at == clock.now - timedelta(seconds=30)
    clock.advance(seconds=20)
    assert holder.keep() and holder.renewed_at == clock.now
    clock.advance(seconds=TTL.total_seconds() - 1)
    assert other.acquire() is False  # renewed 50 s in, so not yet over


def test_release_by_someone_else_does_not_free_the_lease(runtime: Runtime) -> None:
    holder, other = lease(runtime, "holder"), lease(runtime, "other")
    assert holder.acquire() and not other.acquire()
    other.release()
    assert lease(runtime, "third").acquire() is False


def test_many_pollers_racing_for_a_free_mailbox_leave_one_holder(runtime: Runtime) -> None:
    start, won = threading.Barrier(6), []
    contenders = [lease(runtime, owner_id()) for _ in range(6)]

    def race(candidate: Lease) -> None:
        start.wait()
        if candidate.acquire():
            won.append(candidate.owner)

    threads = [threading.Thread(target=race, args=(c,)) for c in contenders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1
    with runtime.sessions() as session:
        assert session.scalar(select(MailboxState.lease_owner)) == won[0]
