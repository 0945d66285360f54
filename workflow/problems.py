"""Problem candidates (ITIL problem management, the paper's suggested next step): the same
service and category reported `threshold` or more times within `window` is likely one
underlying cause, worth a problem record rather than more incident tickets.

Rule: for each service + category, sort the reports by logging time; any run of `threshold`
reports whose first and last lie less than `window` apart qualifies. Overlapping qualifying
runs merge into one candidate (its ticket numbers are the union); runs that share no ticket
are separate candidates. Reports without a service or a category are never grouped.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import attrgetter
from typing import Iterable, NamedTuple, Protocol


@dataclass(frozen=True)
class ProblemRules:
    threshold: int          # reports of one service + category ...
    window: timedelta       # ... within this span make a candidate


class Report(Protocol):
    """What the rule reads of a ticket (a Reported, or a report's Incident)."""

    @property
    def number(self) -> str: ...
    @property
    def service(self) -> str | None: ...
    @property
    def category(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...


class Reported(NamedTuple):
    """The little the rule needs of a ticket (a tuple: a month holds thousands)."""

    number: str
    service: str | None
    category: str | None
    created_at: datetime


@dataclass(frozen=True)
class ProblemCandidate:
    service: str
    category: str
    numbers: tuple[str, ...]
    first_at: datetime
    last_at: datetime

    @property
    def count(self) -> int:
        return len(self.numbers)


def find_candidates(reports: Iterable[Report], rules: ProblemRules) -> list[ProblemCandidate]:
    """Candidates, the largest first (ties: the earliest first)."""
    groups: dict[tuple[str, str], list[Report]] = defaultdict(list)
    for report in reports:
        if report.service and report.category:
            groups[(report.service, report.category)].append(report)
    found = []
    for (service, category), items in groups.items():
        items.sort(key=attrgetter("created_at", "number"))
        for first, last in _clusters(items, rules):
            chosen = items[first:last + 1]
            found.append(ProblemCandidate(service, category, tuple(r.number for r in chosen),
                                          chosen[0].created_at, chosen[-1].created_at))
    return sorted(found, key=lambda c: (-c.count, c.first_at, c.service, c.category))


def _clusters(items: list[Report], rules: ProblemRules) -> list[tuple[int, int]]:
    """Index ranges [first, last] covered by qualifying runs, overlapping runs merged.
    A sliding window: for each report j, i is the earliest report less than `window` before it."""
    clusters: list[tuple[int, int]] = []
    i = 0
    for j, item in enumerate(items):
        while item.created_at - items[i].created_at >= rules.window:
            i += 1
        if j - i + 1 < rules.threshold:
            continue
        if clusters and i <= clusters[-1][1]:
            clusters[-1] = (clusters[-1][0], j)
        else:
            clusters.append((i, j))
    return clusters
