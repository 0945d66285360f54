"""The ticket state machine: New -> In Progress -> Closed, and reopen within a window.

New -> Closed is one request but two moves: a problem fixed on the first call passes through
In Progress in the same unit of work, so both moves are recorded and the response clock stops
at that moment, as if the agent had sent two mails."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from models.states import Status as Status  # defined with the model that stores it; the rules are here


LABELS = {
    "en": {Status.NEW: "New", Status.IN_PROGRESS: "In Progress", Status.CLOSED: "Closed"},
    "id": {Status.NEW: "Baru", Status.IN_PROGRESS: "Dalam Proses", Status.CLOSED: "Ditutup"},
}

ALLOWED = {
    (Status.NEW, Status.IN_PROGRESS),
    (Status.IN_PROGRESS, Status.CLOSED),
    (Status.CLOSED, Status.IN_PROGRESS),  # reopen, only inside the window
}
# a move asked for directly that takes these steps
THROUGH = {(Status.NEW, Status.CLOSED): (Status.IN_PROGRESS, Status.CLOSED)}


def steps(current: Status, target: Status) -> tuple[Status, ...]:
    """The statuses a ticket passes on its way from `current` to `target`, `target` last."""
    return THROUGH.get((current, target), (target,))


@dataclass(frozen=True)
class Refused:
    """A transition the rules do not allow, with the reason told back to the agent."""

    reason_en: str
    reason_id: str


def check_transition(
    current: Status,
    target: Status,
    *,
    closed_at: datetime | None = None,
    now: datetime | None = None,
    reopen_window: timedelta = timedelta(days=7),
) -> Refused | None:
    """None when `current -> target` is allowed, else why not."""
    if current == target:
        return Refused(
            f"the ticket is already {LABELS['en'][current]}",
            f"tiket sudah berstatus {LABELS['id'][current]}",
        )
    if (current, target) in THROUGH:
        return None
    if (current, target) not in ALLOWED:
        return _not_allowed(current, target)
    if current == Status.CLOSED:
        return _reopen_refusal(closed_at, now, reopen_window)
    return None


def _not_allowed(current: Status, target: Status) -> Refused:
    return Refused(
        f"a ticket cannot go from {LABELS['en'][current]} to {LABELS['en'][target]}",
        f"tiket tidak dapat diubah dari {LABELS['id'][current]} ke {LABELS['id'][target]}",
    )


def _reopen_refusal(
    closed_at: datetime | None, now: datetime | None, window: timedelta
) -> Refused | None:
    if closed_at is None or now is None:
        return Refused("the closing time is unknown", "waktu penutupan tidak diketahui")
    if now - closed_at > window:
        days = window.days
        return Refused(
            f"the ticket was closed more than {days} days ago; a new ticket is opened instead",
            f"tiket ditutup lebih dari {days} hari yang lalu; tiket baru akan dibuat",
        )
    return None


def within_reopen_window(closed_at: datetime | None, now: datetime, window: timedelta) -> bool:
    return closed_at is not None and now - closed_at <= window
