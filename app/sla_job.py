"""One SLA sweep: the due tickets, a batch per transaction. For each ticket the rules decide
(workflow/sla_sweep.py), the marks, events, escalations and outbox rows it causes are written,
and the batch commits together. A ticket whose sweep fails is rolled back to its savepoint,
logged and looked at again a little later; the others go on."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

import structlog
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app import work
from app.runtime import Runtime
from models import Ticket
from workflow.sla_sweep import SlaRules, due_tickets, postpone, recorded_marks, sweep_ticket

log = structlog.get_logger(__name__)

BATCH = 100
RETRY_FAILED = timedelta(minutes=5)


@dataclass
class SweepResult:
    tickets: int = 0          # tickets looked at
    mails: int = 0            # notifications queued
    failed: int = 0           # tickets whose sweep failed (retried later)


def sweep(rt: Runtime, should_stop: Callable[[], bool] | None = None, batch: int = BATCH) -> SweepResult:
    """Everything due at the moment the sweep starts. `should_stop` is asked between batches;
    a batch in hand is finished and committed."""
    now, rules, result = rt.clock(), rt.settings.sla_rules, SweepResult()
    while not (should_stop and should_stop()):
        with rt.sessions.begin() as session:
            tickets = due_tickets(session, now, batch)
            if not tickets:
                break
            known = recorded_marks(session, [t.id for t in tickets])
            for ticket in tickets:
                _one(session, rt, rules, ticket, now, known, result)
    if result.tickets:
        log.info("sla.swept", tickets=result.tickets, mails=result.mails, failed=result.failed)
    return result


def _one(session: Session, rt: Runtime, rules: SlaRules, ticket: Ticket, now: datetime,
         known: set[tuple[int, str, datetime]], result: SweepResult) -> None:
    structlog.contextvars.bind_contextvars(ticket=ticket.number)
    try:
        with session.begin_nested():
            notes = sweep_ticket(session, rt.settings.policy, rules, ticket, now,
                                 actor=rt.desk.address, known=known)
            for note in notes:  # one by one: each is its own news (enqueue drops repeats per call)
                work.queue_mail(rt, session, [note], now)
        result.tickets += 1
        result.mails += len(notes)
    except OperationalError:
        raise  # the database is gone: the batch cannot commit anyway
    except Exception:
        log.exception("sla.ticket_failed")
        postpone(ticket, now, RETRY_FAILED)
        result.failed += 1
    finally:
        structlog.contextvars.unbind_contextvars("ticket")
