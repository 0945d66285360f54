"""Two sweeps at once (as two `run` processes would) record and mail each breach once."""
from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from app.runtime import Runtime
from app.sla_job import SweepResult, sweep
from models import OutboxMessage, SlaMark, Ticket, TicketEvent
from tests.conftest import Clock, RuntimeFactory
from tests.integration.support import open_with_priority
from workflow.sla_sweep import record_mark


def test_two_concurrent_sweeps_record_each_breach_once(runtime_factory: RuntimeFactory,
                                                       clock: Clock) -> None:
    rt = runtime_factory()
    ids = [open_with_priority(rt, "P1") for _ in range(24)]
    clock.advance(hours=2)
    start, results, errors = threading.Barrier(2), [], []

    def one_sweep() -> None:
        try:
            start.wait()
            results.append(sweep(rt, batch=3))
        except Exception as exc:  # pragma: no cover - shown by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=one_sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(r.tickets for r in results) == len(ids)
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).select_from(SlaMark)) == 4 * len(ids)
        breaches = Counter(session.scalars(select(TicketEvent.ticket_id).where(TicketEvent.kind == "sla_breach")))
        mails = Counter(session.execute(select(OutboxMessage.ticket_id, OutboxMessage.kind)
                                        .where(OutboxMessage.kind != "ack")).all())
        assert set(breaches.values()) == {2}
        # per ticket: response and resolution breach to the desk, level 2, head of SOLTEK and office
        assert {kind: n for (_, kind), n in mails.items()} == {"sla_breach": 2, "escalation": 3}
        assert all(t.sla_next_check_at is None for t in session.scalars(select(Ticket)))
    again = sweep(rt)
    assert again == SweepResult()


def wait_until_blocked(rt: Runtime, thread: threading.Thread) -> None:
    """PostgreSQL shows a session waiting on a lock: wait for that, not for a duration.
    SQLite's busy wait shows nowhere; there the thread gets a moment to finish if it could
    (a slow machine only makes the check weaker, never wrong)."""
    if rt.engine.dialect.name != "postgresql":
        thread.join(timeout=0.5)
        return
    deadline = time.monotonic() + 60
    while thread.is_alive() and time.monotonic() < deadline:
        with rt.engine.connect() as connection:
            waiting = connection.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'").scalar()
        if waiting:
            return
        time.sleep(0.01)  # waiting on the other session's state, not on a duration


def test_same_mark_inserted_by_two_sessions_at_once_is_recorded_once(
        runtime_factory: RuntimeFactory, clock: Clock) -> None:
    rt = runtime_factory()
    tid = open_with_priority(rt, "P1")
    due = clock.now + timedelta(minutes=10)
    outcome: dict[str, Any] = {}
    first = rt.sessions()
    first.begin()
    assert record_mark(first, tid, "response_breach", due, clock.now) is True

    def second() -> None:
        with rt.sessions.begin() as session:
            outcome["second"] = record_mark(session, tid, "response_breach", due, clock.now)

    thread = threading.Thread(target=second)
    thread.start()
    wait_until_blocked(rt, thread)
    assert thread.is_alive(), "the second insert should wait for the first transaction"
    first.commit()
    first.close()
    thread.join()
    assert outcome == {"second": False}
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).select_from(SlaMark)) == 1
