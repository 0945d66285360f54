"""Every cell of the priority matrix and every SLA row, as shipped in the defaults."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from app.config import load
from workflow.priority import UnknownLevel, derive_priority, matrix_problems
from workflow.sla_clocks import deadlines

POLICY = load(None).policy

MATRIX = [
    ("high", "high", "P1"), ("high", "medium", "P2"), ("high", "low", "P3"),
    ("medium", "high", "P2"), ("medium", "medium", "P3"), ("medium", "low", "P4"),
    ("low", "high", "P3"), ("low", "medium", "P4"), ("low", "low", "P5"),
]

SLA = [  # priority, response minutes, resolution minutes (domain.md table 6)
    ("P1", 10, 60), ("P2", 30, 180), ("P3", 60, 480), ("P4", 240, 720), ("P5", 480, 1440),
]


@pytest.mark.parametrize(("urgency", "impact", "priority"), MATRIX)
def test_priority_matrix_cell(urgency: str, impact: str, priority: str) -> None:
    assert derive_priority(POLICY, urgency, impact) == priority


def test_matrix_has_exactly_nine_cells() -> None:
    assert len(POLICY.matrix) == 9


def test_unknown_urgency_is_refused_with_the_levels() -> None:
    with pytest.raises(UnknownLevel, match="levels are high, medium, low"):
        derive_priority(POLICY, "urgent", "high")


@pytest.mark.parametrize(("priority", "response", "resolution"), SLA)
def test_sla_deadlines_count_from_logging_time(priority: str, response: int, resolution: int) -> None:
    logged = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)
    due = deadlines(POLICY, priority, logged)
    assert due.response_due == logged + timedelta(minutes=response)
    assert due.resolution_due == logged + timedelta(minutes=resolution)


def test_default_matrix_has_no_problems() -> None:
    assert matrix_problems(POLICY.levels, POLICY.matrix, POLICY.priorities) == []


def test_matrix_with_missing_cell_is_reported() -> None:
    matrix = dict(POLICY.matrix)
    del matrix[("low", "low")]
    assert matrix_problems(POLICY.levels, matrix, POLICY.priorities) == [
        "priority matrix has no cell for urgency 'low' x impact 'low'"]


def test_matrix_where_more_urgency_lowers_priority_is_impossible() -> None:
    matrix = dict(POLICY.matrix)
    matrix[("high", "high")] = "P5"
    problems = matrix_problems(POLICY.levels, matrix, POLICY.priorities)
    assert any("not ordered" in p for p in problems)


def test_matrix_naming_priority_without_sla_row_is_reported() -> None:
    matrix = dict(POLICY.matrix)
    matrix[("low", "low")] = "P9"
    assert "not an SLA priority" in matrix_problems(POLICY.levels, matrix, POLICY.priorities)[0]
