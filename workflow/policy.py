"""The desk's rules as data: priority matrix, SLA targets, numbering, reopen window,
escalation levels. Built by app/ from configuration; the rules never hold these values."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Mapping


@dataclass(frozen=True)
class SlaTarget:
    priority: str
    name: str
    response: timedelta
    resolution: timedelta


@dataclass(frozen=True)
class Policy:
    levels: tuple[str, ...]                     # urgency / impact levels, most severe first
    matrix: Mapping[tuple[str, str], str]       # (urgency, impact) -> priority
    sla: Mapping[str, SlaTarget]                # priority -> targets
    ticket_prefix: str = "INC-"
    ticket_digits: int = 6
    reopen_window: timedelta = timedelta(days=7)
    escalation_levels: tuple[int, ...] = (1, 2, 3)
    head_of_office_priorities: frozenset[str] = field(default_factory=frozenset)

    @property
    def priorities(self) -> tuple[str, ...]:
        """Priorities in the order of the SLA table (most urgent first)."""
        return tuple(self.sla)
