"""[sla_policy], [business_hours] and [schedule]: defaults, and mistakes named clearly."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.config import ConfigError, load
from tests.conftest import write_config


def problems(tmp_path: Path, tables: dict[str, dict[str, Any]]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load(write_config(tmp_path / "c.toml", tables))
    return caught.value.problems


def test_defaults_warn_at_75_percent_escalate_and_count_around_the_clock() -> None:
    settings = load(None)
    rules = settings.sla_rules
    assert (rules.warning_share, rules.on_response_breach, rules.on_resolution_breach) == (
        0.75, "functional", "hierarchical")
    assert settings.policy.calendars == {}
    plan = settings.schedule
    assert (plan.poll_seconds, plan.flush_seconds, plan.sla_seconds, plan.digest_at) == (60, 10, 60, "07:30")


@pytest.mark.parametrize(("tables", "expected"), [
    ({"sla_policy": {"warning_share": 1.5}}, "sla_policy.warning_share must be a number"),
    ({"sla_policy": {"on_response_breach": "shout"}}, "sla_policy.on_response_breach 'shout'"),
    ({"business_hours": {"opens": "16:00", "closes": "08:00"}}, "closes must be later than"),
    ({"business_hours": {"days": ["mon", "caturday"]}}, "'caturday' is not a weekday"),
    ({"business_hours": {"closed_dates": ["24-12-2026"]}}, "business_hours:"),
    ({"business_hours": {"timezone": "Mars/Olympus"}}, "business_hours.timezone 'Mars/Olympus'"),
    ({"business_hours": {"around_the_clock": ["P9"]}}, "names 'P9', which has no [sla.P9] row"),
    ({"business_hours": {"enabled": True, "holiday_country": "XX"}}, "holiday_country 'XX'"),
    ({"business_hours": {"enabled": True, "holiday_subdivision": "ZZ"}}, "holiday_subdivision 'ZZ'"),
    ({"schedule": {"poll_seconds": 0}}, "schedule.poll_seconds must be a number of seconds above 0"),
    ({"schedule": {"digest_at": "7.30am"}}, "schedule.digest_at '7.30am'"),
    ({"schedule": {"nap_seconds": 5}}, "unknown setting 'schedule.nap_seconds'"),
])
def test_mistakes_are_named(tmp_path: Path, tables: dict[str, dict[str, Any]], expected: str) -> None:
    assert any(expected in p for p in problems(tmp_path, tables)), problems(tmp_path, tables)


def test_digest_can_be_switched_off_and_intervals_can_be_fractions(tmp_path: Path) -> None:
    settings = load(write_config(tmp_path / "c.toml", {"schedule": {"digest_at": "", "flush_seconds": 0.5}}))
    plan = settings.schedule
    assert plan.digest_at == "" and plan.flush_seconds == 0.5
