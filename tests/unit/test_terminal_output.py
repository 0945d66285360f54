"""Terminal output a person reads: log lines in the desk's time zone, one per event (JSON
when piped or with --log-json); `tickets` with assignee, age and the next deadline, overdue
marked, people by name, `--sort due`; `show` in local time to the minute, status changes as
from -> to. The JSON contracts of README stay as they are."""
from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from app import logs
from app.cli import main
from app.commands.tickets import print_table, print_ticket
from ingest.maildir_source import deliver
from tests.conftest import write_config
from tests.unit.agent_support import RINA, Desk, desk  # noqa: F401  (fixture)

WITA = ZoneInfo("Asia/Makassar")
ROOT = Path(__file__).resolve().parents[2]
JSON_FIELDS = {"number", "status", "priority", "urgency", "impact", "service", "category", "symptom",
               "triage_confirmed", "reporter", "reporter_name", "assignee", "subject", "created_at",
               "response_due", "resolution_due", "responded_at", "closed_at", "escalation_level",
               "resolution"}


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


def _terminal_run(cwd: Path, *argv: str) -> str:
    """`incidentdesk ARGV` with its stdout and stderr on a pseudo-terminal, as an operator
    runs it; everything it wrote, read until it exits."""
    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    for name in ("INCIDENTDESK_CONFIG", "INCIDENTDESK_DATABASE_URL", "INCIDENTDESK_SECRET"):
        env.pop(name, None)
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", *argv], cwd=cwd, env=env,
                            stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    chunks = []
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 60)
            if not ready:
                break                      # nothing for a minute: the process hangs
            try:
                data = os.read(master, 65536)
            except OSError:                # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
        assert proc.wait(timeout=60) == 0, b"".join(chunks).decode(errors="replace")
    return b"".join(chunks).decode().replace("\r\x1b[K", "").replace("\r\n", "\n")


@pytest.fixture
def fresh_desk(tmp_path: Path) -> Path:
    """A desk on the defaults in its own folder, with two reports waiting."""
    write_config(tmp_path / "incidentdesk.toml", {})
    assert subprocess.run([sys.executable, "-m", "app.cli", "--log-json", "init"], cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True).returncode == 0
    for n, subject in enumerate(("Ipos mati", "Printer loket 2 macet")):
        deliver(tmp_path / "var" / "maildir",
                (f"From: Dewi <dewi{n}@posbalikpapan.example>\r\nTo: servicedesk@posbalikpapan.example\r\n"
                 f"Subject: {subject}\r\nMessage-ID: <t{n}@posbalikpapan.example>\r\n\r\n{subject}.\r\n").encode(),
                f"t{n}")
    return tmp_path


def test_poll_on_a_terminal_prints_readable_lines_in_the_desk_time_zone(fresh_desk: Path) -> None:
    output = _terminal_run(fresh_desk, "poll")
    events = [line for line in output.splitlines() if " info " in line]
    recorded = [line for line in events if " inbound.recorded " in line]
    assert len(recorded) == 2, output
    for line in events:
        assert not line.startswith("{")
        stamp = datetime.strptime(line[:19], "%Y-%m-%d %H:%M:%S")
        assert line[20:24] == "WITA" and abs(stamp - datetime.now(WITA).replace(tzinfo=None)) < timedelta(hours=1)
    assert "polled 2 message(s): ticket 2" in output


def test_log_json_keeps_json_on_a_terminal(fresh_desk: Path) -> None:
    output = _terminal_run(fresh_desk, "--log-json", "poll")
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert {e["event"] for e in lines} >= {"inbound.recorded"}
    assert all(e["timestamp"].endswith("Z") for e in lines)


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
        {"at": "2026-11-23T01:04:59+00:00", "actor": RINA, "kind": "status", "note": "",
         "data": {"from": "new", "to": "in_progress", "by": "Rina"}, "inbound_id": 2, "public": True},
    ]}, WITA)
    out = capsys.readouterr().out
    assert "created_at: 2026-11-23 09:00 WITA" in out and "response_due: 2026-11-23 09:10 WITA" in out
    assert "closed_at: -" in out and "reporter: Dewi Loket <" in out
    history = out.split("history")[1].splitlines()[1:]
    assert "2026-11-23 09:00 WITA  created" in history[0]
    assert "2026-11-23 09:04 WITA  status" in history[1] and history[1].endswith("new -> in_progress")


def test_tickets_and_show_through_the_cli(desk: Desk, tmp_path: Path,  # noqa: F811
                                          capsys: pytest.CaptureFixture[str]) -> None:
    config = str(tmp_path / "incidentdesk.toml")
    first = desk.mail("budi@posbalikpapan.example", "Komputer saya kadang lambat", subject="PC lambat",
                      name="Budi Santoso").number
    desk.clock.advance(minutes=5)
    second = desk.mail("dewi.loket@posbalikpapan.example", "Ipos mati, semua loket tidak bisa input kiriman",
                       subject="Ipos down", name="Dewi Loket").number
    desk.agent(RINA, second, "Status: proses\nTugaskan: Agus Level Dua")
    capsys.readouterr()

    assert main(["--config", config, "tickets"]) == 0
    by_number = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in by_number[1:]] == [first, second]
    assert "Agus Level Dua" in by_number[2] and "Dewi Loket" in by_number[2] and "Budi Santoso" in by_number[1]
    assert "resolution " in by_number[2] and "response " in by_number[1]

    assert main(["--config", config, "tickets", "--sort", "due"]) == 0
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()[1:]] == [second, first]
    assert main(["--config", config, "tickets", "--sort", "due", "--limit", "1", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [t["number"] for t in listed] == [second] and set(listed[0]) == JSON_FIELDS

    assert main(["--config", config, "show", second]) == 0
    out = capsys.readouterr().out
    assert "created_at: 2026-11-23 09:05 WITA" in out
    assert any(line.rstrip().endswith("new -> in_progress") for line in out.splitlines())
    assert main(["--config", config, "show", second, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert set(shown) == JSON_FIELDS | {"description", "events"}
    assert shown["created_at"] == "2026-11-23T09:05:00+08:00"
