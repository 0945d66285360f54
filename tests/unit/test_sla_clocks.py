"""The SLA sweep's decision, pure: which warnings and breaches a ticket has reached, which are
mailed, and when it next needs a look."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from app.config import load
from tests.conftest import write_config
from workflow.business_hours import AROUND_THE_CLOCK, BusinessHours
from workflow.sla_clocks import calendar_for, clocks, deadlines, used_share
from workflow.sla_sweep import SlaRules, decide

POLICY = load(None).policy
RULES = SlaRules()
LOGGED = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)  # Monday 09:00 WITA
PRIORITIES = ["P1", "P2", "P3", "P4", "P5"]


def ticket_clocks(priority: str, responded: datetime | None = None, closed: datetime | None = None):
    due = deadlines(POLICY, priority, LOGGED)
    return clocks(LOGGED, due.response_due, due.resolution_due, responded, closed)


def kinds(decision) -> list[tuple[str, bool]]:
    return [(m.kind, m.notify) for m in decision.marks]


@pytest.mark.parametrize("priority", PRIORITIES)
def test_each_priority_warns_at_three_quarters_and_breaches_at_the_deadline(priority: str) -> None:
    target = POLICY.sla[priority]
    c = ticket_clocks(priority)
    warn = LOGGED + target.response * 0.75
    before = decide(c, RULES, AROUND_THE_CLOCK, warn - timedelta(seconds=1))
    assert before.marks == () and before.next_check_at == warn
    at_warning = decide(c, RULES, AROUND_THE_CLOCK, warn)
    assert kinds(at_warning) == [("response_warning", True)]
    assert at_warning.next_check_at == min(LOGGED + target.response, LOGGED + target.resolution * 0.75)
    at_breach = decide(c, RULES, AROUND_THE_CLOCK, LOGGED + target.response)
    assert ("response_breach", True) in kinds(at_breach)
    end = decide(c, RULES, AROUND_THE_CLOCK, LOGGED + target.resolution)
    assert kinds(end) == [("response_warning", False), ("response_breach", True),
                          ("resolution_warning", False), ("resolution_breach", True)]
    assert end.next_check_at is None


def test_warning_and_breach_found_together_mail_only_the_breach() -> None:
    late = decide(ticket_clocks("P1"), RULES, AROUND_THE_CLOCK, LOGGED + timedelta(minutes=30))
    assert kinds(late) == [("response_warning", False), ("response_breach", True)]


def test_response_before_the_warning_leaves_only_the_resolution_clock() -> None:
    c = ticket_clocks("P2", responded=LOGGED + timedelta(minutes=5))
    decision = decide(c, RULES, AROUND_THE_CLOCK, LOGGED + timedelta(minutes=40))
    assert decision.marks == ()
    assert decision.next_check_at == LOGGED + timedelta(minutes=135)  # 75 % of 3 h


def test_breach_first_seen_after_the_response_is_recorded_but_not_mailed() -> None:
    # the sweep was down: P1 responded at 12 minutes, the sweep comes back at 20
    c = ticket_clocks("P1", responded=LOGGED + timedelta(minutes=12))
    decision = decide(c, RULES, AROUND_THE_CLOCK, LOGGED + timedelta(minutes=20))
    assert kinds(decision) == [("response_warning", False), ("response_breach", False)]


def test_closed_ticket_needs_no_further_look() -> None:
    c = ticket_clocks("P3", responded=LOGGED + timedelta(minutes=10), closed=LOGGED + timedelta(hours=2))
    decision = decide(c, RULES, AROUND_THE_CLOCK, LOGGED + timedelta(hours=9))
    assert decision.marks == () and decision.next_check_at is None


def test_closing_stops_a_response_clock_still_running() -> None:
    response, _ = ticket_clocks("P3", closed=LOGGED + timedelta(minutes=30))
    assert response.stopped_at == LOGGED + timedelta(minutes=30)


def test_warning_share_zero_turns_warnings_off() -> None:
    decision = decide(ticket_clocks("P3"), SlaRules(warning_share=0), AROUND_THE_CLOCK,
                      LOGGED + timedelta(minutes=59))
    assert decision.marks == () and decision.next_check_at == LOGGED + timedelta(minutes=60)


def test_used_share_stops_with_the_clock() -> None:
    response, resolution = ticket_clocks("P3", responded=LOGGED + timedelta(minutes=30))
    later = LOGGED + timedelta(hours=4)
    assert used_share(response, AROUND_THE_CLOCK, later) == pytest.approx(0.5)
    assert used_share(resolution, AROUND_THE_CLOCK, later) == pytest.approx(0.5)


def business_policy(tmp_path: Path):
    path = write_config(tmp_path / "bh.toml", {"business_hours": {"enabled": True}})
    return load(path).policy


def test_business_hours_apply_to_p3_to_p5_and_not_to_p1_p2(tmp_path: Path) -> None:
    policy = business_policy(tmp_path)
    assert calendar_for(policy, "P1") is AROUND_THE_CLOCK and calendar_for(policy, "P2") is AROUND_THE_CLOCK
    assert all(isinstance(calendar_for(policy, p), BusinessHours) for p in ("P3", "P4", "P5"))
    saturday_3pm = datetime(2026, 11, 28, 7, 0, tzinfo=timezone.utc)  # 15:00 WITA
    due = deadlines(policy, "P3", saturday_3pm)
    assert due.response_due == datetime(2026, 11, 28, 8, 0, tzinfo=timezone.utc)       # 16:00 Sat
    assert due.resolution_due == datetime(2026, 11, 30, 7, 0, tzinfo=timezone.utc)     # 15:00 Mon
    p1 = deadlines(policy, "P1", saturday_3pm)
    assert p1.resolution_due == saturday_3pm + timedelta(hours=1)


def test_warning_moment_counts_business_time_over_the_weekend(tmp_path: Path) -> None:
    policy = business_policy(tmp_path)
    saturday_3pm = datetime(2026, 11, 28, 7, 0, tzinfo=timezone.utc)
    due = deadlines(policy, "P3", saturday_3pm)
    c = clocks(saturday_3pm, due.response_due, due.resolution_due, saturday_3pm + timedelta(minutes=5), None)
    calendar = calendar_for(policy, "P3")
    # 8 business hours to the deadline, so the warning is after 6: 1 h Saturday + 5 h Monday
    decision = decide(c, RULES, calendar, datetime(2026, 11, 30, 4, 59, tzinfo=timezone.utc))
    assert decision.marks == ()
    assert decision.next_check_at == datetime(2026, 11, 30, 5, 0, tzinfo=timezone.utc)  # 13:00 Mon WITA
    sunday = datetime(2026, 11, 29, 5, 0, tzinfo=timezone.utc)
    assert used_share(c[1], calendar, sunday) == pytest.approx(1 / 8)
