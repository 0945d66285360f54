"""[problems], [digest] and [report] settings: defaults, and each mistake named."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from app.config import ConfigError, load
from app.sections import DigestSettings, ReportSettings
from tests.conftest import write_config


def test_defaults_flag_three_reports_within_seven_days() -> None:
    settings = load(None)
    assert settings.problems.threshold == 3
    assert settings.problems.window == timedelta(days=7)
    assert settings.digest == DigestSettings(recipients=(), oldest_open=5,
                                             roles=("head_of_soltek", "head_of_office", "management"))
    assert settings.report == ReportSettings(status="closed", format="html")


def test_each_bad_setting_is_named(tmp_path: Path) -> None:
    path = write_config(tmp_path / "c.toml", {
        "problems": {"threshold": 1, "window_days": 0},
        "digest": {"recipients": ["not-an-address"], "oldest_open": -1, "roles": ["boss"]},
        "report": {"status": "open", "format": "pdf"},
    })
    with pytest.raises(ConfigError) as info:
        load(path)
    assert set(info.value.problems) >= {
        "problems.threshold must be a whole number of incidents, 2 or more",
        "problems.window_days must be a whole number of days, 1 or more",
        "digest.recipients must be a list of mail addresses",
        "digest.oldest_open must be a whole number, 0 or more",
        "digest.roles must be a list of agent roles: functional_support, head_of_office, "
        "head_of_soltek, management, service_desk",
        "report.status 'open': use closed or all",
        "report.format 'pdf': use html, csv or json",
    }


def test_unknown_key_in_the_new_tables_is_named(tmp_path: Path) -> None:
    path = write_config(tmp_path / "c.toml", {"problems": {"treshold": 4}})
    with pytest.raises(ConfigError) as info:
        load(path)
    assert "unknown setting 'problems.treshold'" in info.value.problems
