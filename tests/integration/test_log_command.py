"""`incidentdesk log`: a phone or walk-in report logged from the terminal, the description on
stdin, on SQLite and PostgreSQL; bad input is one clear line and exit 2, nothing kept."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import main
from app.runtime import Runtime
from models import OutboxMessage, Person, Ticket, TicketEvent

ROOT = Path(__file__).resolve().parents[2]
RINA = "rina@posbalikpapan.example"
BUDI = "budi.gudang@posbalikpapan.example"


def run_log(tmp_path: Path, *args: str) -> int:
    return main(["--config", str(tmp_path / "incidentdesk.toml"), "--log-level", "WARNING", "log", *args])


def test_a_report_piped_on_stdin_becomes_the_callers_ticket(runtime: Runtime, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "--config", str(tmp_path / "incidentdesk.toml"), "--log-level",
         "WARNING", "log", "--agent", RINA, "--name", "Budi Gudang", "--address", BUDI,
         "--phone", "0812 3456 7890", "--channel", "walk-in", "--subject", "Printer label rusak",
         "--urgency", "high", "--impact", "medium"],
        input="Printer di gudang tidak mau mencetak label.\nSudah dicoba restart.\n", text=True,
        capture_output=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert done.returncode == 0, done.stderr
    with runtime.readers() as session:
        ticket = session.scalar(select(Ticket))
        assert ticket is not None and done.stdout.startswith(f"Ticket {ticket.number} logged for Budi Gudang")
        assert ticket.reporter.address == BUDI and ticket.reporter.phone == "+6281234567890"
        assert ticket.description == "Printer di gudang tidak mau mencetak label.\nSudah dicoba restart."
        assert (ticket.urgency, ticket.impact) == ("high", "medium")
        created = session.scalar(select(TicketEvent).where(TicketEvent.kind == "created"))
        assert created is not None and created.actor == RINA
        assert created.data["logged_by"] == RINA and created.data["channel"] == "walk_in"
        acks = list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "ack")))
        assert [a.recipient for a in acks] == [BUDI]


@pytest.mark.parametrize("args, line", [
    (("--phone", "12345"), "not logged: Phone: 12345: '12345' is not a valid mobile number"),
    (("--address", "budi at gudang"), "not logged: Reporter: budi at gudang: 'budi at gudang' is not an e-mail address"),
    (("--address", BUDI, "--urgency", "gawat"), "not logged: Urgency: gawat: unknown value 'gawat' for Urgency"),
    ((), "not logged: Reporter: Budi: give the reporter's e-mail address or mobile number"),
])
def test_bad_input_is_one_line_exit_2_and_nothing_kept(runtime: Runtime, tmp_path: Path, args: tuple[str, ...],
                                                      line: str, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("Printer mati"))
    assert run_log(tmp_path, "--agent", RINA, "--name", "Budi", "--subject", "Printer", *args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith(line), err
    with runtime.readers() as session:
        assert session.scalar(select(Ticket)) is None
        assert session.scalar(select(Person).where(~Person.is_agent)) is None


def test_only_an_agent_may_log(runtime: Runtime, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_log(tmp_path, "--agent", BUDI, "--name", "Budi", "--address", BUDI, "--subject", "x",
                   "--description", "y") == 2
    assert "only an agent of the directory may log a report" in capsys.readouterr().err
