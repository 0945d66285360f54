"""Priority = urgency x impact (ITIL). Typed by nobody: always derived from the matrix."""
from __future__ import annotations

from typing import Iterable, Mapping

from workflow.policy import Policy


class UnknownLevel(ValueError):
    """An urgency or impact outside the configured levels."""


def derive_priority(policy: Policy, urgency: str, impact: str) -> str:
    try:
        return policy.matrix[(urgency, impact)]
    except KeyError:
        raise UnknownLevel(
            f"no priority for urgency {urgency!r} x impact {impact!r}; "
            f"levels are {', '.join(policy.levels)}"
        ) from None


def matrix_problems(
    levels: Iterable[str], matrix: Mapping[tuple[str, str], str], priorities: Iterable[str]
) -> list[str]:
    """Why a matrix cannot be used: a missing cell, an unknown priority, or a cell that
    ranks a more severe pair below a less severe one (urgency or impact raised must never
    lower the priority)."""
    levels = list(levels)
    ranks = {p: i for i, p in enumerate(priorities)}
    problems: list[str] = []
    for u in levels:
        for i in levels:
            cell = matrix.get((u, i))
            if cell is None:
                problems.append(f"priority matrix has no cell for urgency {u!r} x impact {i!r}")
            elif cell not in ranks:
                problems.append(f"priority matrix cell {u!r} x {i!r} is {cell!r}, not an SLA priority")
    extra = {k for k in matrix if k[0] not in levels or k[1] not in levels}
    problems += [f"priority matrix names unknown level in {k!r}" for k in sorted(extra)]
    if problems:
        return problems
    return _monotonic_problems(levels, matrix, ranks)


def _monotonic_problems(
    levels: list[str], matrix: Mapping[tuple[str, str], str], ranks: Mapping[str, int]
) -> list[str]:
    problems = []
    for a in range(len(levels) - 1):
        for b in range(len(levels)):
            for higher, lower in (((a, b), (a + 1, b)), ((b, a), (b, a + 1))):
                hi = matrix[(levels[higher[0]], levels[higher[1]])]
                lo = matrix[(levels[lower[0]], levels[lower[1]])]
                if ranks[hi] > ranks[lo]:
                    problems.append(
                        f"priority matrix is not ordered: {levels[higher[0]]}/{levels[higher[1]]} "
                        f"gives {hi} but the less severe {levels[lower[0]]}/{levels[lower[1]]} "
                        f"gives {lo}"
                    )
    return problems
