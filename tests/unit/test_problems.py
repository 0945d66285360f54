"""Recurring incidents: a problem candidate exactly when `threshold` reports of one service and
category fall within `window`."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from workflow.problems import ProblemRules, Reported, find_candidates

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc)
RULES = ProblemRules(threshold=3, window=timedelta(days=7))


def reports(*offsets_hours: float, service: str | None = "ipos", category: str | None = "hardware/server",
            first: int = 1) -> list[Reported]:
    return [Reported(f"INC-{first + n:06d}", service, category, T0 + timedelta(hours=h))
            for n, h in enumerate(offsets_hours)]


def test_threshold_reports_within_the_window_make_a_candidate() -> None:
    found = find_candidates(reports(0, 30, 100), RULES)
    assert len(found) == 1
    candidate = found[0]
    assert (candidate.service, candidate.category, candidate.count) == ("ipos", "hardware/server", 3)
    assert candidate.numbers == ("INC-000001", "INC-000002", "INC-000003")
    assert candidate.first_at == T0 and candidate.last_at == T0 + timedelta(hours=100)


def test_one_report_fewer_than_the_threshold_is_no_candidate() -> None:
    assert find_candidates(reports(0, 30), RULES) == []


def test_reports_spread_over_the_whole_window_or_more_are_no_candidate() -> None:
    window_hours = 7 * 24
    assert find_candidates(reports(0, 50, window_hours), RULES) == []          # exactly 7 days apart
    assert len(find_candidates(reports(0, 50, window_hours - 0.01), RULES)) == 1


def test_other_categories_and_services_do_not_count_together() -> None:
    mixed = (reports(0, 1) + reports(2, category="hardware/cable", first=3)
             + reports(3, service="pgm", first=4))
    assert find_candidates(mixed, RULES) == []


def test_reports_without_service_or_category_are_never_grouped() -> None:
    assert find_candidates(reports(0, 1, 2, service=None), RULES) == []
    assert find_candidates(reports(0, 1, 2, category=None), RULES) == []


def test_overlapping_runs_merge_and_distant_runs_stay_apart() -> None:
    # 0,24,48,150 overlap (every 3 consecutive within 7 days); 600,601,602 is a second burst
    found = find_candidates(reports(0, 24, 48, 150, 600, 601, 602), RULES)
    assert [c.numbers for c in found] == [
        ("INC-000001", "INC-000002", "INC-000003", "INC-000004"),
        ("INC-000005", "INC-000006", "INC-000007"),
    ]


def test_a_report_outside_every_qualifying_run_is_not_listed() -> None:
    found = find_candidates(reports(0, 200, 201, 202), RULES)
    assert [c.numbers for c in found] == [("INC-000002", "INC-000003", "INC-000004")]


def test_the_order_of_the_input_does_not_matter() -> None:
    forward = find_candidates(reports(0, 5, 10, 20), RULES)
    assert find_candidates(list(reversed(reports(0, 5, 10, 20))), RULES) == forward
