"""Escalation levels: functional (to a higher support level) and hierarchical."""
from __future__ import annotations

from workflow.policy import Policy
from workflow.status import Refused

FUNCTIONAL = "functional"
HIERARCHICAL = "hierarchical"


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
