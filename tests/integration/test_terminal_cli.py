"""The CLI as an operator sees it, on a real desk: `poll` on a pseudo-terminal logs one line a
person reads per event, in the desk's time zone (JSON with --log-json); `tickets` and `show`
on a desk's database keep the JSON contracts of README (the line and table formats alone:
tests/unit/test_terminal_output.py)."""
from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.cli import main
from ingest.maildir_source import deliver
from tests.conftest import write_config
from tests.integration.agent_support import RINA, Desk

WITA = ZoneInfo("Asia/Makassar")
ROOT = Path(__file__).resolve().parents[2]
JSON_FIELDS = {"number", "status", "priority", "urgency", "impact", "service", "category", "symptom",
               "triage_confirmed", "reporter", "reporter_name", "assignee", "subject", "created_at",
               "response_due", "resolution_due", "responded_at", "closed_at", "escalation_level",
               "resolution"}


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
    return b"".join(chunks).decode().replace("\r\n", "\n")  # the terminal's line ends


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


def screen_lines(output: str) -> list[str]:
    """The lines as a person sees them: a carriage return starts over (the progress counter
    is drawn, then cleared by the next log line), and the clear-line sequence shows nothing."""
    return [line.rsplit("\r", 1)[-1].replace("\x1b[K", "") for line in output.split("\n")]


def test_poll_on_a_terminal_prints_readable_lines_in_the_desk_time_zone(fresh_desk: Path) -> None:
    output = _terminal_run(fresh_desk, "poll")
    events = [line for line in screen_lines(output) if " info " in line]
    recorded = [line for line in events if " inbound.recorded " in line]
    assert len(recorded) == 2, output
    for line in events:
        assert not line.startswith("{")
        stamp = datetime.strptime(line[:19], "%Y-%m-%d %H:%M:%S")
        assert line[20:24] == "WITA" and abs(stamp - datetime.now(WITA).replace(tzinfo=None)) < timedelta(hours=1)
    assert "polled 2 message(s): ticket 2" in output


def test_log_json_keeps_json_on_a_terminal(fresh_desk: Path) -> None:
    output = _terminal_run(fresh_desk, "--log-json", "poll")
    lines = [json.loads(line) for line in screen_lines(output) if line.startswith("{")]
    assert {e["event"] for e in lines} >= {"inbound.recorded"}
    assert all(e["timestamp"].endswith("Z") for e in lines)


def test_tickets_and_show_through_the_cli(desk: Desk, tmp_path: Path,
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
