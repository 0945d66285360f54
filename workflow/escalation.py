"""Escalation: the levels, and the one code path for an agent's `Escalate:` command and the SLA timer.

Functional escalation moves the ticket up to a support level and tells that level's people;
hierarchical escalation involves the head of SOLTEK (and the head of office at the priorities
the policy names) without changing the level. Either way the paper's escalation form is
recorded (an Escalation row: ticket, handling status, level, handler, description), the
ticket's history gets an `escalated` event, and the notifications are returned for the caller
to queue in the same transaction."""
from __future__ import annotations

from datetime import datetime

import structlog
from sqlalchemy.orm import Session

from models import Escalation, EscalationKind, Person, Ticket
from workflow.history import record
from workflow.notifications import Notification
from workflow.people import agents_at_level, people_with_role
from workflow.policy import Policy
from workflow.status import Refused

FUNCTIONAL, HIERARCHICAL = EscalationKind.FUNCTIONAL, EscalationKind.HIERARCHICAL

log = structlog.get_logger(__name__)


def escalate(
    session: Session,
    policy: Policy,
    ticket: Ticket,
    kind: str,
    level: int,
    requested_by: str,
    description: str,
    now: datetime,
    *,
    handler: Person | None = None,
) -> list[Notification]:
    """Record the escalation and say whom to tell. `handler` names one person (an agent's
    `Escalate: 2 budi`); without it the whole level, or the heads, are told. Callers check a
    functional target with workflow.escalation.check_functional first: a target that is not
    above the current level raises ValueError here."""
    if kind == FUNCTIONAL:
        refused = check_functional(policy, ticket.escalation_level, level)
        if refused is not None:
            raise ValueError(refused.reason_en)
        people = [handler] if handler else agents_at_level(session, level)
        ticket.escalation_level = level
    elif kind == HIERARCHICAL:
        people = [handler] if handler else _heads(session, policy, ticket.priority)
    else:
        raise ValueError(f"escalation kind {kind!r}: use {FUNCTIONAL} or {HIERARCHICAL}")
    names = ", ".join(p.name or p.address for p in people)
    session.add(Escalation(
        ticket_id=ticket.id, at=now, kind=kind, level=level, status=ticket.status,
        handler_name=names, handler_address=people[0].address if len(people) == 1 else None,
        description=description, requested_by=requested_by))
    record(session, ticket, "escalated", actor=requested_by, at=now, note=description,
           data={"kind": kind, "level": level, "to": [p.address for p in people]})
    if not people:
        log.warning("escalation.nobody_to_tell", ticket=ticket.number, kind=kind, level=level)
    facts = {"kind": kind, "level": level, "handler_name": names, "description": description,
             "requested_by": requested_by}
    return [Notification(kind="escalation", recipient=p.address, ticket_id=ticket.id, facts=facts,
                         language=p.language) for p in people]


def _heads(session: Session, policy: Policy, priority: str) -> list[Person]:
    return [person for role in hierarchical_roles(policy, priority)
            for person in people_with_role(session, role)]


def check_functional(policy: Policy, current_level: int, target_level: int) -> Refused | None:
    """Functional escalation only moves up, to a configured level."""
    levels = policy.escalation_levels
    if target_level not in levels:
        return Refused(
            f"level {target_level} does not exist; levels are {', '.join(map(str, levels))}",
            f"tingkat {target_level} tidak ada; tingkat yang ada {', '.join(map(str, levels))}",
        )
    if target_level <= current_level:
        return Refused(
            f"the ticket is already at level {current_level}; escalation only goes up",
            f"tiket sudah di tingkat {current_level}; eskalasi hanya ke tingkat lebih tinggi",
        )
    return None


def next_level(policy: Policy, current_level: int) -> int | None:
    """The next functional level above `current_level`, or None at the top."""
    higher = [lvl for lvl in policy.escalation_levels if lvl > current_level]
    return min(higher) if higher else None


def hierarchical_roles(policy: Policy, priority: str) -> tuple[str, ...]:
    """Who hierarchical escalation involves: the head of SOLTEK, and the head of office too
    at the priorities the policy names (P1 by default)."""
    if priority in policy.head_of_office_priorities:
        return ("head_of_soltek", "head_of_office")
    return ("head_of_soltek",)
