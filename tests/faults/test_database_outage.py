"""Database outage: the database becomes unreachable during a poll. The poll fails cleanly,
mail whose outcome did not commit stays in the inbox, and a later poll processes all of it
exactly once. PostgreSQL is cut for real mid-poll through a TCP proxy; SQLite, a local
file, is made unavailable by another process holding its write lock."""
from __future__ import annotations

import sqlite3
from typing import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from app.config import Settings
from app.poll import PollResult, poll
from app.runtime import Runtime, open_runtime
from app.wiring import make_source
from models import InboundMessage, Ticket
from tests.conftest import Clock, RuntimeFactory
from tests.faults.conftest import imap_tables, numbered_report
from tests.faults.tcp_proxy import TcpProxy
from tests.servers.dovecot import DovecotServer

MESSAGES = 40
EXPECTED_TICKETS = MESSAGES - (MESSAGES - 1) // 7 + 1  # every 7th after the 7th is a follow-up


def poll_once(rt: Runtime, progress: Callable[[PollResult], None] | None = None) -> PollResult:
    source = make_source(rt.settings)
    try:
        return poll(rt, source, progress)
    finally:
        source.close()


def counts(rt: Runtime) -> tuple[int, int]:
    with rt.sessions() as session:
        return (session.scalar(select(func.count()).select_from(Ticket)) or 0,
                session.scalar(select(func.count()).select_from(InboundMessage)) or 0)


def test_postgres_cut_mid_poll_then_back_processes_everything_once(
        dovecot: DovecotServer, runtime_factory: RuntimeFactory, db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("a TCP cut needs a networked database; SQLite has its own test below")
    url = make_url(db_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    for n in range(1, MESSAGES + 1):
        dovecot.append("INBOX", numbered_report(n))
    rt = runtime_factory({**imap_tables(dovecot), "database": {"url": proxied}})
    try:
        def cut_after_ten(result: PollResult) -> None:
            if result.seen == 10:
                proxy.cut()

        with pytest.raises(OperationalError):
            poll_once(rt, cut_after_ten)
        left = len(dovecot.folder_uids("INBOX"))
        proxy.restore()
        committed = counts(rt)[1]
        # committed mail moved, the rest (the transaction the cut rolled back) untouched
        assert 10 <= committed < MESSAGES and left == MESSAGES - committed
        result = poll_once(rt)
        assert result.seen == left and len(dovecot.folder_uids("INBOX")) == 0
        assert counts(rt) == (EXPECTED_TICKETS, MESSAGES)
        assert len(dovecot.folder_uids("Processed")) == MESSAGES
    finally:
        rt.close()
        proxy.close()


def test_sqlite_locked_away_at_poll_time_moves_nothing_and_a_later_poll_takes_all(
        dovecot: DovecotServer, make_settings: Callable[..., Settings], clock: Clock, db_url: str) -> None:
    """Another process (a backup, a stuck writer) holds SQLite's write lock for longer than
    the busy timeout: for the poller the database is unavailable."""
    if not db_url.startswith("sqlite"):
        pytest.skip("the PostgreSQL outage is the TCP cut above")
    for n in range(1, MESSAGES + 1):
        dovecot.append("INBOX", numbered_report(n))
    settings = make_settings({**imap_tables(dovecot), "database": {"url": db_url, "busy_timeout_seconds": 0.5}})
    blocker = sqlite3.connect(make_url(db_url).database, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    rt = open_runtime(settings, clock=clock)
    try:
        with pytest.raises(OperationalError, match="locked"):
            poll_once(rt)
        assert len(dovecot.folder_uids("INBOX")) == MESSAGES
        blocker.execute("ROLLBACK")
        assert poll_once(rt).seen == MESSAGES
        assert counts(rt) == (EXPECTED_TICKETS, MESSAGES)
        assert len(dovecot.folder_uids("Processed")) == MESSAGES
    finally:
        blocker.close()
        rt.close()
