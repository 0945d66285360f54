"""The SLA sweep: which warnings and breaches a ticket has reached, recorded once each, who is
told, what is escalated, and when the ticket next needs a look.

The rule, per clock (response, resolution; see workflow/sla_clocks.py):
- the warning moment is when `warning_share` of the time from logging to the deadline is
  used (counted on the priority's calendar); the breach moment is the deadline;
- a moment reached while the clock still runs is recorded (an SlaMark, unique per ticket, kind
  and deadline) and mailed: sla_warning / sla_breach to the ticket's handlers (the assignee,
  else the level-1 service desk; workflow/recipients.py); a breach also escalates as the
  policy says. When the sweep finds a warning and a breach at once (it was not
  running), only the breach is mailed;
- a moment reached before the clock stopped but first seen after it stopped (the sweep was not
  running, or the ticket is looked at once more after a change) is recorded, not mailed: the
  record stays complete, nobody gets stale news;
- a moment after the clock stopped never happened.
`sla_next_check_at` is then the earliest moment still ahead on a running clock, or NULL: the
sweep reads only tickets with `sla_next_check_at <= now`, so it costs what is due, not what is
stored. Whoever changes a deadline (a priority change) sets it to now to have it recomputed.

Recording is idempotent across sweeps, restarts and processes: due tickets are taken with
FOR UPDATE SKIP LOCKED on PostgreSQL, and the mark is inserted with ON CONFLICT DO NOTHING;
only the process whose insert took effect writes the event and the mails."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Sequence

import structlog
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, lazyload

from models import SlaMark, Ticket
from workflow.business_hours import Calendar
from workflow.escalation import escalate
from workflow.escalation import FUNCTIONAL, HIERARCHICAL, next_level
from workflow.history import record
from workflow.notifications import Notification
from workflow.policy import Policy
from workflow.recipients import handlers
from workflow.sla_clocks import RESOLUTION, RESPONSE, SlaClock, calendar_for, clocks, used_share, warning_at

log = structlog.get_logger(__name__)

WARNING, BREACH = "warning", "breach"
NO_ESCALATION = "none"
BREACH_ACTIONS = (FUNCTIONAL, HIERARCHICAL, NO_ESCALATION)


@dataclass(frozen=True)
class SlaRules:
    """What the sweep does, from [sla_policy]."""

    warning_share: float = 0.75                 # 0 turns warnings off
    on_response_breach: str = FUNCTIONAL        # functional | hierarchical | none
    on_resolution_breach: str = HIERARCHICAL


@dataclass(frozen=True)
class Mark:
    """A warning or breach moment a clock has reached."""

    clock: str          # response | resolution
    stage: str          # warning | breach
    due_at: datetime    # the clock's deadline (part of the record's unique key)
    reached_at: datetime
    notify: bool        # mail (and escalate): the clock still runs and nothing supersedes it

    @property
    def kind(self) -> str:
        return f"{self.clock}_{self.stage}"


@dataclass(frozen=True)
class Decision:
    marks: tuple[Mark, ...]
    next_check_at: datetime | None


def decide(ticket_clocks: Sequence[SlaClock], rules: SlaRules, calendar: Calendar,
           now: datetime) -> Decision:
    """Pure: the marks reached by `now` and the next moment worth a look (module docstring)."""
    marks: list[Mark] = []
    ahead: list[datetime] = []
    for clock in ticket_clocks:
        moments = [(BREACH, clock.due_at)]
        if rules.warning_share > 0:
            moments.insert(0, (WARNING, warning_at(clock, rules.warning_share, calendar)))
        reached = [(stage, at) for stage, at in moments
                   if (clock.stopped_at is None or at < clock.stopped_at) and at <= now]
        ahead += [at for _, at in moments if at > now and clock.stopped_at is None]
        running = clock.stopped_at is None
        marks += [Mark(clock.name, stage, clock.due_at, at,
                       notify=running and (stage, at) == reached[-1])
                  for stage, at in reached]
    return Decision(tuple(marks), min(ahead, default=None))


def due_tickets(session: Session, now: datetime, limit: int) -> list[Ticket]:
    """The tickets whose next SLA check has come, oldest first, locked for this sweep; rows
    another sweep holds are skipped (PostgreSQL), not waited for."""
    query = (select(Ticket).where(Ticket.sla_next_check_at <= now)
             .order_by(Ticket.sla_next_check_at, Ticket.id).limit(limit)
             .options(lazyload("*")))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Ticket)
    return list(session.scalars(query))


def recorded_marks(session: Session, ticket_ids: Iterable[int]) -> set[tuple[int, str, datetime]]:
    ids = list(ticket_ids)
    if not ids:
        return set()
    rows = session.execute(select(SlaMark.ticket_id, SlaMark.kind, SlaMark.due_at)
                           .where(SlaMark.ticket_id.in_(ids)))
    return {(row.ticket_id, row.kind, row.due_at) for row in rows}


def record_mark(session: Session, ticket_id: int, kind: str, due_at: datetime, now: datetime) -> bool:
    """Insert the mark unless it exists; True when this call recorded it. A concurrent insert
    of the same mark leaves the other's standing and returns False."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (insert(SlaMark).values(ticket_id=ticket_id, kind=kind, due_at=due_at, at=now)
                 .on_conflict_do_nothing(index_elements=["ticket_id", "kind", "due_at"])
                 .returning(SlaMark.id))
    return session.execute(statement).scalar() is not None


def sweep_ticket(session: Session, policy: Policy, rules: SlaRules, ticket: Ticket, now: datetime,
                 *, actor: str, known: set[tuple[int, str, datetime]] | None = None) -> list[Notification]:
    """Apply the decision to one (locked) ticket: record new marks, say whom to tell,
    escalate on breach, set the next check. `known` are marks already read in bulk."""
    calendar = calendar_for(policy, ticket.priority)
    ticket_clocks = clocks(ticket.created_at, ticket.response_due, ticket.resolution_due,
                           ticket.responded_at, ticket.closed_at)
    decision = decide(ticket_clocks, rules, calendar, now)
    notes: list[Notification] = []
    for mark in decision.marks:
        if (ticket.id, mark.kind, mark.due_at) in (known or ()):
            continue
        if not record_mark(session, ticket.id, mark.kind, mark.due_at, now):
            continue
        clock = next(c for c in ticket_clocks if c.name == mark.clock)
        percent = round(100 * used_share(clock, calendar, now))
        notes += _on_new_mark(session, policy, rules, ticket, mark, percent, now, actor)
    ticket.sla_next_check_at = decision.next_check_at
    return notes


def _on_new_mark(session: Session, policy: Policy, rules: SlaRules, ticket: Ticket, mark: Mark,
                 percent: int, now: datetime, actor: str) -> list[Notification]:
    people = handlers(session, ticket) if mark.notify else []
    facts = {"clock": mark.clock, "due_at": mark.due_at, "used_percent": percent}
    record(session, ticket, f"sla_{mark.stage}", actor=actor, at=now,
           note=f"{mark.clock} {mark.stage}: {percent}% of the time to {mark.due_at.isoformat()} used",
           data={"clock": mark.clock, "due_at": mark.due_at.isoformat(), "used_percent": percent,
                 "reached_at": mark.reached_at.isoformat(), "notified": [p.address for p in people]})
    log.info("sla.marked", ticket=ticket.number, kind=mark.kind, notified=len(people))
    notes = [Notification(kind=f"sla_{mark.stage}", recipient=p.address, ticket_id=ticket.id,
                          facts=facts, language=p.language) for p in people]
    if mark.notify and mark.stage == BREACH:
        notes += _escalate_on_breach(session, policy, rules, ticket, mark, now, actor)
    return notes


DESCRIPTIONS = {
    RESPONSE: "SLA response target missed / target waktu respons SLA terlewati",
    RESOLUTION: "SLA resolution target missed / target waktu penyelesaian SLA terlewati",
}


def _escalate_on_breach(session: Session, policy: Policy, rules: SlaRules, ticket: Ticket,
                        mark: Mark, now: datetime, actor: str) -> list[Notification]:
    action = rules.on_response_breach if mark.clock == RESPONSE else rules.on_resolution_breach
    if action == FUNCTIONAL:
        level = next_level(policy, ticket.escalation_level)
        if level is None:
            log.info("sla.escalation_at_top", ticket=ticket.number, level=ticket.escalation_level)
            return []
    elif action == HIERARCHICAL:
        level = ticket.escalation_level
    else:
        return []
    return escalate(session, policy, ticket, action, level, actor, DESCRIPTIONS[mark.clock], now)


def postpone(ticket: Ticket, now: datetime, delay: timedelta) -> None:
    """A ticket whose sweep failed is looked at again after `delay`, not in a tight loop."""
    ticket.sla_next_check_at = now + delay


__all__ = ["BREACH", "BREACH_ACTIONS", "Decision", "Mark", "NO_ESCALATION", "RESOLUTION",
           "RESPONSE", "SlaRules", "WARNING", "decide", "due_tickets", "postpone",
           "record_mark", "recorded_marks", "sweep_ticket"]
