"""SLA timers on a real database: tickets of each priority crossing warning and breach, each
recorded and mailed once however often the sweep runs, and escalation as the policy says."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.runtime import Runtime
import app.sla_job
from app.sla_job import sweep
from models import Escalation, OutboxMessage, SlaMark, Ticket, TicketEvent
from tests.conftest import Clock, RuntimeFactory
from tests.integration.support import open_with_priority

RINA, AGUS, SARI = "rina@posbalikpapan.example", "agus@posbalikpapan.example", "sari@posbalikpapan.example"
BAMBANG, HENDRA = "bambang@posbalikpapan.example", "kepala.kantor@posbalikpapan.example"
PRIORITIES = ["P1", "P2", "P3", "P4", "P5"]


def marks(rt: Runtime, ticket_id: int) -> list[str]:
    with rt.sessions() as session:
        return list(session.scalars(select(SlaMark.kind).where(SlaMark.ticket_id == ticket_id)
                                    .order_by(SlaMark.id)))


def mails(rt: Runtime, ticket_id: int) -> list[tuple[str, str]]:
    with rt.sessions() as session:
        return [(r.kind, r.recipient) for r in session.execute(
            select(OutboxMessage.kind, OutboxMessage.recipient)
            .where(OutboxMessage.ticket_id == ticket_id, OutboxMessage.kind != "ack")
            .order_by(OutboxMessage.id))]


def escalations(rt: Runtime, ticket_id: int) -> list[tuple[str, int, str]]:
    with rt.sessions() as session:
        return [(e.kind, e.level, e.handler_name) for e in session.scalars(
            select(Escalation).where(Escalation.ticket_id == ticket_id).order_by(Escalation.id))]


def events(rt: Runtime, ticket_id: int) -> list[str]:
    with rt.sessions() as session:
        return list(session.scalars(select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket_id)
                                    .order_by(TicketEvent.id)))


def ticket(rt: Runtime, ticket_id: int) -> Ticket:
    with rt.sessions() as session:
        found = session.get(Ticket, ticket_id)
        assert found is not None
        return found


def sweep_until(rt: Runtime, clock: Clock, ticket_id: int, moment: timedelta, times: int = 3) -> None:
    """Move the clock to `moment` after logging and sweep several times, as `run` would."""
    clock.now = ticket(rt, ticket_id).created_at + moment
    for _ in range(times):
        sweep(rt)


@pytest.mark.parametrize("priority", PRIORITIES)
def test_each_priority_is_warned_breached_and_escalated_once(
        runtime_factory: RuntimeFactory, clock: Clock, priority: str) -> None:
    rt = runtime_factory()
    target = rt.settings.policy.sla[priority]
    tid = open_with_priority(rt, priority)
    sweep(rt)
    assert marks(rt, tid) == [] and mails(rt, tid) == []

    sweep_until(rt, clock, tid, target.response * 0.75 - timedelta(seconds=1))
    assert marks(rt, tid) == []
    sweep_until(rt, clock, tid, target.response * 0.75)
    assert marks(rt, tid) == ["response_warning"]
    assert mails(rt, tid) == [("sla_warning", RINA)]

    sweep_until(rt, clock, tid, target.response)
    assert marks(rt, tid) == ["response_warning", "response_breach"]
    assert mails(rt, tid)[1:] == [("sla_breach", RINA), ("escalation", AGUS)]
    assert escalations(rt, tid) == [("functional", 2, "Agus Level Dua")]
    assert ticket(rt, tid).escalation_level == 2

    sweep_until(rt, clock, tid, target.resolution * 0.75)
    sweep_until(rt, clock, tid, target.resolution)
    heads = [("escalation", BAMBANG)] + ([("escalation", HENDRA)] if priority == "P1" else [])
    assert mails(rt, tid)[3:] == [("sla_warning", RINA), ("sla_breach", RINA)] + heads
    assert marks(rt, tid) == ["response_warning", "response_breach", "resolution_warning", "resolution_breach"]
    assert [e[0] for e in escalations(rt, tid)] == ["functional", "hierarchical"]
    assert events(rt, tid).count("sla_breach") == 2 and events(rt, tid).count("sla_warning") == 2

    sweep_until(rt, clock, tid, target.resolution + timedelta(days=3))
    assert len(marks(rt, tid)) == 4 and len(mails(rt, tid)) == 5 + len(heads)
    assert ticket(rt, tid).sla_next_check_at is None
    with rt.sessions() as session:
        rows = list(session.scalars(select(OutboxMessage).where(OutboxMessage.ticket_id == tid)))
    assert {r.state for r in rows} == {"queued"}, [r.last_error for r in rows]
    number = ticket(rt, tid).number
    assert all(f"[{number}]" in r.subject for r in rows)


def test_sweep_reads_only_due_tickets_and_sets_the_next_check(runtime_factory: RuntimeFactory,
                                                              clock: Clock) -> None:
    rt = runtime_factory()
    tid = open_with_priority(rt, "P3")
    logged = ticket(rt, tid).created_at
    assert sweep(rt).tickets == 1
    assert ticket(rt, tid).sla_next_check_at == logged + timedelta(minutes=45)
    clock.advance(minutes=30)
    assert sweep(rt).tickets == 0
    clock.now = logged + timedelta(minutes=45)
    assert sweep(rt).tickets == 1
    assert ticket(rt, tid).sla_next_check_at == logged + timedelta(minutes=60)


def test_warnings_go_to_the_assignee(runtime_factory: RuntimeFactory, clock: Clock) -> None:
    rt = runtime_factory()
    tid = open_with_priority(rt, "P2", assignee=SARI)
    sweep_until(rt, clock, tid, timedelta(minutes=23))
    assert mails(rt, tid) == [("sla_warning", SARI)]


def test_response_in_time_leaves_the_response_clock_silent(runtime_factory: RuntimeFactory,
                                                           clock: Clock) -> None:
    rt = runtime_factory()
    tid = open_with_priority(rt, "P2")
    with rt.sessions.begin() as session:
        t = session.get(Ticket, tid)
        assert t is not None
        t.status, t.responded_at, t.sla_next_check_at = "in_progress", clock.advance(minutes=5), clock.now
    sweep_until(rt, clock, tid, timedelta(minutes=60))
    assert marks(rt, tid) == [] and escalations(rt, tid) == []


def test_closed_ticket_is_never_looked_at_again(runtime_factory: RuntimeFactory, clock: Clock) -> None:
    rt = runtime_factory()
    tid = open_with_priority(rt, "P1")
    with rt.sessions.begin() as session:
        t = session.get(Ticket, tid)
        assert t is not None
        t.responded_at = clock.advance(minutes=2)
        t.status, t.closed_at, t.sla_next_check_at = "closed", clock.advance(minutes=20), clock.now
    sweep_until(rt, clock, tid, timedelta(hours=5))
    assert marks(rt, tid) == [] and ticket(rt, tid).sla_next_check_at is None


def test_breach_seen_only_after_the_close_is_recorded_without_mail(runtime_factory: RuntimeFactory,
                                                                   clock: Clock) -> None:
    rt = runtime_factory()
    tid = open_with_priority(rt, "P1")
    with rt.sessions.begin() as session:  # the sweep was down while this happened
        t = session.get(Ticket, tid)
        assert t is not None
        t.responded_at = clock.advance(minutes=5)
        t.status, t.closed_at, t.sla_next_check_at = "closed", clock.advance(minutes=70), clock.now
    sweep(rt)
    assert marks(rt, tid) == ["resolution_warning", "resolution_breach"]
    assert mails(rt, tid) == [] and escalations(rt, tid) == []


def test_policy_none_records_the_breach_without_escalating(runtime_factory: RuntimeFactory,
                                                           clock: Clock) -> None:
    rt = runtime_factory({"sla_policy": {"on_response_breach": "none", "on_resolution_breach": "none"}})
    tid = open_with_priority(rt, "P1")
    sweep_until(rt, clock, tid, timedelta(hours=2))
    assert mails(rt, tid) == [("sla_breach", RINA), ("sla_breach", RINA)]
    assert escalations(rt, tid) == [] and ticket(rt, tid).escalation_level == 1


def test_functional_escalation_stops_at_the_top_level(runtime_factory: RuntimeFactory,
                                                      clock: Clock) -> None:
    rt = runtime_factory({"sla_policy": {"on_resolution_breach": "functional"}})
    tid = open_with_priority(rt, "P2")
    sweep_until(rt, clock, tid, timedelta(minutes=30))
    sweep_until(rt, clock, tid, timedelta(minutes=180))
    assert escalations(rt, tid) == [("functional", 2, "Agus Level Dua"), ("functional", 3, "Sari Level Tiga")]
    with rt.sessions.begin() as session:  # a new deadline after a priority change, at level 3
        t = session.get(Ticket, tid)
        assert t is not None
        t.resolution_due, t.sla_next_check_at = t.resolution_due + timedelta(hours=1), clock.now
    sweep_until(rt, clock, tid, timedelta(hours=5))
    assert len(escalations(rt, tid)) == 2
    assert marks(rt, tid).count("resolution_breach") == 2  # one per deadline


def test_failing_ticket_is_postponed_and_the_others_are_swept(
        runtime_factory: RuntimeFactory, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    rt = runtime_factory()
    bad, good = open_with_priority(rt, "P1"), open_with_priority(rt, "P1")
    real, bad_number = app.sla_job.sweep_ticket, ticket(rt, bad).number

    def sweep_ticket(session: Any, policy: Any, rules: Any, t: Ticket, *args: Any, **kwargs: Any) -> Any:
        if t.number == bad_number:
            raise RuntimeError("a bug in the rules")
        return real(session, policy, rules, t, *args, **kwargs)

    monkeypatch.setattr(app.sla_job, "sweep_ticket", sweep_ticket)
    clock.advance(minutes=8)
    result = sweep(rt)
    assert (result.tickets, result.failed) == (1, 1)
    assert marks(rt, bad) == [] and marks(rt, good) == ["response_warning"]
    assert ticket(rt, bad).sla_next_check_at == clock.now + timedelta(minutes=5)
