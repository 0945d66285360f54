"""`incidentdesk run`: jobs that never overlap, failures that do not stop the loop, a clean
stop on SIGTERM / SIGINT, and the one-pass `sla` and `digest` commands."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable

import pytest
from sqlalchemy import func, select

import app.commands.service
import app.service
from app.cli import main
from app.poll import poll
from app.runtime import Runtime, open_runtime
from app.service import Job, build_service
from app.wiring import make_source
from ingest.maildir_source import deliver
from models import DigestRun, Ticket
from tests.conftest import Clock, RuntimeFactory

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "reports"
FAST = {"poll_seconds": 0.2, "flush_seconds": 0.2, "sla_seconds": 0.2, "digest_at": ""}
INCIDENTDESK = [sys.executable, "-m", "app.cli"]


def deliver_samples(maildir: Path, count: int) -> None:
    for i, path in enumerate(sorted(SAMPLES.glob("*.eml"))[:count]):
        deliver(maildir, path.read_bytes(), f"run.{i}.{path.stem}")


@pytest.fixture
def fast_runtime(runtime_factory: RuntimeFactory) -> Runtime:
    return runtime_factory({"schedule": FAST})


def test_sigterm_and_sigint_ask_the_loop_to_stop_and_a_second_one_gives_up(fast_runtime: Runtime) -> None:
    service = build_service(fast_runtime)
    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        service._install_signals()
        assert all(signal.getsignal(s) == service.request_stop for s in previous)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    service.request_stop(signal.SIGINT)
    assert service.stop.is_set()
    with pytest.raises(KeyboardInterrupt):
        service.request_stop(signal.SIGINT)


def test_failing_job_is_logged_and_does_not_escape(capsys: pytest.CaptureFixture[str]) -> None:
    def broken() -> None:
        raise RuntimeError("smtp exploded")

    Job("flush", broken).run()
    err = capsys.readouterr().err
    assert '"job.failed"' in err and "smtp exploded" in err and '"flush"' in err


def test_job_still_running_is_not_started_again() -> None:
    release, runs = threading.Event(), []
    job = Job("poll", lambda: (runs.append(1), release.wait(5)))
    assert job.launch() is True
    assert job.launch() is False
    release.set()
    job.join()
    assert job.launch() is True
    job.join()
    assert len(runs) == 2


def test_poll_stops_between_messages_when_asked(fast_runtime: Runtime) -> None:
    maildir = fast_runtime.settings.source.maildir
    deliver_samples(maildir, 3)
    asked = []
    result = poll(fast_runtime, make_source(fast_runtime.settings),
                  should_stop=lambda: asked.append(1) or len(asked) > 1)
    assert result.seen == 1
    assert len(list((maildir / "new").iterdir())) == 2  # left for the next poll


def test_loop_keeps_running_while_a_job_fails(fast_runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    failures = []
    failed_twice = threading.Event()

    def broken_transport(_settings: Any) -> Any:
        failures.append(1)
        if len(failures) >= 2:
            failed_twice.set()
        raise RuntimeError("transport misconfigured")

    monkeypatch.setattr(app.service, "make_transport", broken_transport)
    deliver_samples(fast_runtime.settings.source.maildir, 2)
    service = build_service(fast_runtime)
    runner = threading.Thread(target=lambda: failures.append(("exit", service.run())))
    runner.start()
    assert failed_twice.wait(120), "the flush job should have been tried again"
    deadline = time.monotonic() + 120
    while _tickets(fast_runtime) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)  # the poll job's thread, in real time
    service.stop.set()
    runner.join(120)
    assert ("exit", 0) in failures
    assert _tickets(fast_runtime) == 2  # the poll went on while the flush kept failing


def _tickets(rt: Runtime) -> int:
    with rt.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Ticket)) or 0)


def test_digest_runs_daily_at_0730_desk_time_for_yesterday(
        make_settings: Callable[..., Any], clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    rt = open_runtime(make_settings({"schedule": {"digest_at": "07:30"}}), clock=clock)
    asked: list[date] = []
    monkeypatch.setattr(app.service, "send_digest", lambda _rt, day: asked.append(day) or 1)
    try:
        service = build_service(rt)
        daily = [j for j in service.scheduler.get_jobs() if j.unit == "days"]
        assert len(daily) == 1 and str(daily[0].at_time) == "07:30:00"
        assert str(daily[0].at_time_zone) == "Asia/Makassar"
        assert "digest" in service.at_start  # the clock says 09:00 WITA: started after 07:30
        clock.now = datetime(2026, 11, 22, 23, 30, tzinfo=timezone.utc)  # 07:30 on the 23rd in WITA
        service.jobs["digest"].run()
        clock.now = datetime(2026, 11, 22, 23, 29, tzinfo=timezone.utc)
        assert "digest" not in build_service(rt).at_start
    finally:
        rt.close()
    assert asked == [date(2026, 11, 22)]


def test_sla_command_sweeps_once(fast_runtime: Runtime, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(_config_file(fast_runtime)), "sla"]) == 0
    assert "swept 0 ticket(s): 0 mail(s) queued, 0 failed" in capsys.readouterr().out


def test_digest_command_passes_the_date(fast_runtime: Runtime, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    asked: list[date] = []
    monkeypatch.setattr(app.commands.service, "send_digest", lambda _rt, day: asked.append(day) or 2)
    assert main(["--config", str(_config_file(fast_runtime)), "digest", "--date", "2026-11-20"]) == 0
    assert asked == [date(2026, 11, 20)]
    assert "digest for 2026-11-20: 2 mail(s) queued" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_:
        main(["--config", str(_config_file(fast_runtime)), "digest", "--date", "20-11-2026"])
    assert exit_.value.code == 2


def test_digest_command_refuses_a_day_not_over_and_previews_any_day(
        fast_runtime: Runtime, capsys: pytest.CaptureFixture[str]) -> None:
    config = str(_config_file(fast_runtime))
    assert main(["--config", config, "digest", "--date", "2999-01-01"]) == 2
    assert "digest refused: 2999-01-01 is not over yet" in capsys.readouterr().out
    assert main(["--config", config, "digest", "--date", "2999-01-01", "--preview", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Subject: [") and "Daily digest 01-01-2999" in out and "SLA breaches on 01-01-2999" in out
    with fast_runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(DigestRun)) == 0


def _config_file(rt: Runtime) -> Path:
    return Path(rt.settings.source.maildir).parent / "incidentdesk.toml"


def test_run_stops_cleanly_on_sigterm(fast_runtime: Runtime) -> None:
    maildir = fast_runtime.settings.source.maildir
    outbox = fast_runtime.settings.outbound.outbox_dir
    deliver_samples(maildir, 2)
    proc = subprocess.Popen([*INCIDENTDESK, "--config", str(_config_file(fast_runtime)), "--log-json", "run"],
                            cwd=_config_file(fast_runtime).parent, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        deadline = time.monotonic() + 120
        while len(list(outbox.glob("*.eml"))) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)  # waiting for another process, not for the desk's clock
        assert len(list(outbox.glob("*.eml"))) >= 2, proc.stderr.read().decode() if proc.poll() is not None else ""
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err.decode()[-2000:]
    log = err.decode()
    assert '"service.stop_requested"' in log and '"service.stopped"' in log
    assert "Traceback" not in log
