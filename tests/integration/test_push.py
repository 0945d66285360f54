"""Push: a report delivered while `run` works is ticketed and acknowledged at once. The
intervals are set to an hour, so only IMAP IDLE (the server saying new mail came) can start
the poll, and only the wake-up of the sender can send the acknowledgement before then."""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, Callable

from app.runtime import Runtime
from app.service import build_service
from ingest.maildir_source import MaildirSource, deliver
from tests.conftest import RuntimeFactory
from tests.faults.conftest import imap_tables, numbered_report
from tests.servers.dovecot import DovecotServer

AN_HOUR = {"poll_seconds": 3600, "flush_seconds": 3600, "sla_seconds": 3600, "digest_at": ""}
PATIENCE = 120.0  # seconds before the test calls the service hung (it never waits that long)


def wait_for(what: str, done: Callable[[], bool]) -> None:
    deadline = time.monotonic() + PATIENCE
    while not done():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)  # waiting on another thread's observable progress


def acks(outbox: Path) -> list[Path]:
    return sorted(outbox.glob("*-ack.eml"))


def running(rt: Runtime) -> tuple[threading.Thread, Any]:
    service = build_service(rt)
    thread = threading.Thread(target=service.run, daemon=True)
    thread.start()
    return thread, service


def test_a_report_delivered_while_run_idles_is_acknowledged_before_any_interval(
        dovecot: DovecotServer, runtime_factory: RuntimeFactory) -> None:
    rt = runtime_factory({**imap_tables(dovecot), "schedule": AN_HOUR})
    outbox = rt.settings.outbound.outbox_dir
    thread, service = running(rt)
    try:
        wait_for("the first poll never happened", lambda: service.jobs["poll"].running and _idling(dovecot))
        for n in (1, 2, 3):
            dovecot.append("INBOX", numbered_report(n))
            wait_for(f"report {n} was not acknowledged (inbox {dovecot.folder_uids('INBOX')}, "
                     f"processed {dovecot.folder_uids('Processed')})", lambda n=n: len(acks(outbox)) == n)
        assert dovecot.folder_uids("INBOX") == []
    finally:
        service.stop.set()
        thread.join(PATIENCE)
        rt.close()
    assert not thread.is_alive()


def _idling(dovecot: DovecotServer) -> bool:
    """Dovecot logs nothing on IDLE; the desk's connection is logged in once it is there."""
    return "Login: user=<desk>" in dovecot.log_path.read_text()


def test_the_maildir_is_looked_at_every_second_and_a_stop_ends_the_wait(tmp_path: Path) -> None:
    source = MaildirSource(tmp_path / "maildir", max_bytes=1 << 20)
    stop = threading.Event()
    seen: list[bool] = []
    waiter = threading.Thread(target=lambda: seen.append(source.wait(3600, stop.is_set)))
    waiter.start()
    deliver(tmp_path / "maildir", numbered_report(1), "one")
    waiter.join(PATIENCE)
    assert seen == [True]
    waiter = threading.Thread(target=lambda: seen.append(source.wait(3600, stop.is_set)))
    source.mark_processed([f"maildir:{p.name}" for p in (tmp_path / "maildir" / "new").iterdir()])
    waiter.start()
    stop.set()
    waiter.join(PATIENCE)
    assert seen == [True, False]
