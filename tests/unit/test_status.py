"""The state machine: the three allowed moves, New -> Closed through In Progress, and a reason
for every refused one."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from workflow.status import Status, check_transition, steps

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)
WEEK = timedelta(days=7)


def test_new_ticket_can_be_taken_in_progress() -> None:
    assert check_transition(Status.NEW, Status.IN_PROGRESS) is None


def test_ticket_in_progress_can_be_closed() -> None:
    assert check_transition(Status.IN_PROGRESS, Status.CLOSED) is None


def test_closed_ticket_reopens_within_window() -> None:
    assert check_transition(Status.CLOSED, Status.IN_PROGRESS, closed_at=NOW - timedelta(days=6),
                            now=NOW, reopen_window=WEEK) is None


def test_closed_ticket_after_window_is_refused_and_says_new_ticket() -> None:
    refused = check_transition(Status.CLOSED, Status.IN_PROGRESS, closed_at=NOW - timedelta(days=8),
                               now=NOW, reopen_window=WEEK)
    assert refused is not None
    assert "more than 7 days" in refused.reason_en and "tiket baru" in refused.reason_id


@pytest.mark.parametrize(("current", "target", "words"), [
    (Status.NEW, Status.NEW, "already New"),
    (Status.IN_PROGRESS, Status.NEW, "from In Progress to New"),
    (Status.IN_PROGRESS, Status.IN_PROGRESS, "already In Progress"),
    (Status.CLOSED, Status.NEW, "from Closed to New"),
    (Status.CLOSED, Status.CLOSED, "already Closed"),
])
def test_refused_transition_says_why(current: Status, target: Status, words: str) -> None:
    refused = check_transition(current, target, closed_at=NOW, now=NOW, reopen_window=WEEK)
    assert refused is not None
    assert words in refused.reason_en
    assert refused.reason_id


def test_every_pair_is_either_allowed_or_refused_with_reason() -> None:
    allowed = {(a, b) for a in Status for b in Status
               if check_transition(a, b, closed_at=NOW, now=NOW, reopen_window=WEEK) is None}
    assert allowed == {(Status.NEW, Status.IN_PROGRESS), (Status.IN_PROGRESS, Status.CLOSED),
                       (Status.CLOSED, Status.IN_PROGRESS), (Status.NEW, Status.CLOSED)}


def test_new_to_closed_passes_through_in_progress_and_other_moves_are_one_step() -> None:
    assert steps(Status.NEW, Status.CLOSED) == (Status.IN_PROGRESS, Status.CLOSED)
    assert steps(Status.IN_PROGRESS, Status.CLOSED) == (Status.CLOSED,)
    assert steps(Status.CLOSED, Status.IN_PROGRESS) == (Status.IN_PROGRESS,)
