"""Terminal output a person reads: log lines in the desk's time zone, one per event; `tickets`
with assignee, age and the next deadline, overdue marked, people by name; `show` in local time
to the minute, status changes as from -> to (the same through the CLI on a real desk, and on a
pseudo-terminal: tests/integration/test_terminal_cli.py)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from app import logs
from app.commands.tickets import print_table, print_ticket

WITA = ZoneInfo("Asia/Makassar")


# --------------------------------------------------------------------------- log lines

def test_a_log_line_is_local_time_level_event_and_fields() -> None:
    logs.use_timezone(WITA)
    try:
        line = logs.render_line(None, "info", {
            "timestamp": datetime(2026, 11, 23, 1, 0, 5, tzinfo=timezone.utc), "level": "info",
            "event": "inbound.recorded", "outcome": "ticket", "ticket": "INC-000001",
            "subject": "Ipos mati\nFrom: forged", "outcomes": {"ticket": 3}, "reason": None})
    finally:
        logs.use_timezone(timezone.utc)
    assert line == ('2026-11-23 09:00:05 WITA info    inbound.recorded outcome=ticket ticket=INC-000001 '
                    'subject="Ipos mati\\nFrom: forged" outcomes={"ticket":3}')


def test_an_exception_is_one_field_on_the_same_line() -> None:
    try:
        raise ValueError("database said\nno")
    except ValueError as exc:
        line = logs.render_line(None, "error", {"level": "error", "event": "job.failed", "job": "poll",
                                                "exc_info": exc})
    assert "\n" not in line
    assert 'job=poll error="ValueError: database said no (at test_terminal_output.py:' in line


# --------------------------------------------------------------------------- tickets / show

def _row(**values: Any) -> dict[str, Any]:
    base = {"number": "INC-000001", "status": "new", "priority": "P1", "urgency": "high", "impact": "high",
            "service": "ipos", "category": None, "symptom": None, "triage_confirmed": False,
            "reporter": "dewi.loket.kantor.cabang.balikpapan@posbalikpapan.example",
            "reporter_name": "Dewi Loket", "assignee": None, "subject": "Ipos mati",
            "created_at": "2026-11-23T09:00:00+08:00", "response_due": "2026-11-23T09:10:00+08:00",
            "resolution_due": "2026-11-23T10:00:00+08:00", "responded_at": None, "closed_at": None,
            "escalation_level": 1, "resolution": None}
    return {**base, **values}


def test_the_table_shows_age_the_next_deadline_overdue_and_names(capsys: pytest.CaptureFixture[str]) -> None:
    now = datetime(2026, 11, 23, 3, 5, tzinfo=timezone.utc)          # 11:05 WITA
    print_table([
        _row(),
        _row(number="INC-000002", status="in_progress", responded_at="2026-11-23T09:05:00+08:00",
             assignee="agus@posbalikpapan.example", resolution_due="2026-11-23T17:00:00+08:00"),
        _row(number="INC-000003", status="closed", closed_at="2026-11-23T09:30:00+08:00"),
    ], now=now, tz=WITA, names={"agus@posbalikpapan.example": "Agus Level Dua"})
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["number", "status", "pri", "age", "next", "due", "assignee", "reporter",
                                "service", "subject"]
    assert "2h05m" in lines[1] and "response 23-11 09:10 OVERDUE" in lines[1]
    assert "resolution 23-11 17:00" in lines[2] and "OVERDUE" not in lines[2] and "Agus Level Dua" in lines[2]
    assert "30m" in lines[3] and "OVERDUE" not in lines[3]            # a closed ticket's age stops
    assert all("Dewi Loket" in line and "dewi.loket" not in line for line in lines[1:])


def test_show_prints_local_minutes_and_status_changes(capsys: pytest.CaptureFixture[str]) -> None:
    print_ticket({**_row(status="in_progress"), "description": "", "events": [
        {"at": "2026-11-23T09:00:41.123456+08:00", "actor": "dewi@posbalikpapan.example", "kind": "created",
         "note": "", "data": {}, "inbound_id": 1, "public": True},
        {"at": "2026-11-23T01:04:59+00:00", "actor": "rina@posbalikpapan.example", "kind": "status", "note": "",
         "data": {"from": "new", "to": "in_progress", "by": "Rina"}, "inbound_id": 2, "public": True},
    ]}, WITA)
    out = capsys.readouterr().out
    assert "created_at: 2026-11-23 09:00 WITA" in out and "response_due: 2026-11-23 09:10 WITA" in out
    assert "closed_at: -" in out and "reporter: Dewi Loket <" in out
    history = out.split("history")[1].splitlines()[1:]
    assert "2026-11-23 09:00 WITA  created" in history[0]
    assert "2026-11-23 09:04 WITA  status" in history[1] and history[1].endswith("new -> in_progress")
