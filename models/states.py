"""The states the desk stores, as enums stored by value (a VARCHAR, no database enum type,
so a new state is a code change, not a schema migration). StrEnum members are their values,
so a row's state compares equal to the plain string and prints as it."""
from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import Enum


class Status(StrEnum):
    """A ticket's place in New -> In Progress -> Closed (workflow/status.py has the rules)."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"


class OutboxState(StrEnum):
    """queued -> sending -> sent | failed (outbound/flush.py)."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class InboundOutcome(StrEnum):
    """What became of an inbound message (app/poll.py)."""

    PENDING = "pending"          # being handled: never committed as such
    TICKET = "ticket"
    EVENT = "event"
    IGNORED = "ignored"
    BOUNCE = "bounce"
    DUPLICATE = "duplicate"
    QUARANTINED = "quarantined"


class EscalationKind(StrEnum):
    """Functional: to a higher support level; hierarchical: to the heads (workflow/escalation.py)."""

    FUNCTIONAL = "functional"
    HIERARCHICAL = "hierarchical"


def by_value(states: type[StrEnum]) -> Any:
    """The column type: the value is stored, checked against the enum on the way in."""
    return Enum(states, native_enum=False, length=20, validate_strings=True,
                values_callable=lambda members: [m.value for m in members])
