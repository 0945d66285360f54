"""Crash: `incidentdesk poll` killed with SIGKILL at random moments, restarted each time.
Nothing may be lost or doubled: every Message-ID ends as exactly one ticket or ticket
event, every new ticket has exactly one acknowledgement queued, and Processed holds all."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

from sqlalchemy import func, select

from app.config import Settings
from app.runtime import Runtime, open_runtime
from models import InboundMessage, OutboxMessage, Ticket, TicketEvent
from tests.faults.conftest import imap_tables, numbered_report, repo_root
from tests.servers.dovecot import DovecotServer

MESSAGES = 300
KILLS = 10
PATIENCE = 300.0  # seconds without progress before the test calls the poller hung


def start_poll(config: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "--config", str(config), "--log-json", "poll", "--once"],
        cwd=repo_root(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(repo_root())})


def recorded(rt: Runtime) -> int:
    with rt.readers() as session:
        return int(session.scalar(select(func.count()).select_from(InboundMessage)) or 0)


def kill_when_recorded(proc: subprocess.Popen[bytes], rt: Runtime, target: int) -> int:
    """SIGKILL the poller as soon as `target` inbound records have committed: a point of
    observed progress, so the kill lands mid-work at any machine speed. Returns the count
    seen at the kill."""
    last, last_change = recorded(rt), time.monotonic()
    while last < target:
        assert proc.poll() is None, f"the poller exited ({proc.returncode}) at {last} of {target} records"
        assert time.monotonic() - last_change < PATIENCE, f"no progress past {last} records"
        time.sleep(0.001)  # waiting on another process's commits, not on a duration
        now = recorded(rt)
        if now != last:
            last, last_change = now, time.monotonic()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return last


def test_poll_killed_at_random_moments_loses_and_doubles_nothing(
        dovecot: DovecotServer, make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    for n in range(1, MESSAGES + 1):
        dovecot.append("INBOX", numbered_report(n))
    settings = make_settings(imap_tables(dovecot))
    config = tmp_path / "incidentdesk.toml"
    seed = int(os.environ.get("INCIDENTDESK_FAULT_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    targets = sorted(rng.sample(range(1, MESSAGES), KILLS))  # records committed at each kill
    watcher = open_runtime(settings)
    killed_mid_work = 0
    try:
        for target in targets:
            if recorded(watcher) >= MESSAGES - 1:
                break  # an earlier kill landed late: nothing mid-work is left to kill
            target = max(target, recorded(watcher) + 1)  # each run commits at least one more
            at_kill = kill_when_recorded(start_poll(config), watcher, target)
            killed_mid_work += at_kill < MESSAGES and bool(dovecot.folder_uids("INBOX"))
    finally:
        watcher.close()
    assert killed_mid_work >= KILLS // 2, f"the kills came too late to prove anything (seed {seed})"
    final = start_poll(config)
    assert final.wait(timeout=300) == 0, f"seed {seed}"

    assert dovecot.folder_uids("INBOX") == []
    assert len(dovecot.folder_uids("Processed")) == MESSAGES, f"seed {seed}"
    rt = open_runtime(settings)
    try:
        with rt.sessions() as session:
            outcomes = dict(session.execute(
                select(InboundMessage.outcome, func.count()).group_by(InboundMessage.outcome)).all())
            assert sum(outcomes.values()) == MESSAGES and set(outcomes) <= {"ticket", "event"}, (seed, outcomes)
            per_message = session.execute(
                select(InboundMessage.message_id, func.count()).group_by(InboundMessage.message_id)).all()
            assert {count for _, count in per_message} == {1} and len(per_message) == MESSAGES
            tickets = session.scalar(select(func.count()).select_from(Ticket))
            assert tickets == outcomes["ticket"]
            # one created-or-comment event per inbound message, never two
            events = session.execute(select(TicketEvent.inbound_id, func.count())
                                     .where(TicketEvent.kind.in_(("created", "comment")))
                                     .group_by(TicketEvent.inbound_id)).all()
            assert len(events) == MESSAGES and {count for _, count in events} == {1}
            acks = session.execute(select(OutboxMessage.ticket_id, func.count())
                                   .where(OutboxMessage.kind == "ack").group_by(OutboxMessage.ticket_id)).all()
            assert len(acks) == tickets and {count for _, count in acks} == {1}
    finally:
        rt.close()
