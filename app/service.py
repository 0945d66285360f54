"""`incidentdesk run`: one long-running process that polls the mailbox, sends the outbox,
sweeps SLA timers and sends the daily digest, on the intervals of [schedule].

- Poll, flush and sweep also run at start; so does the digest when the process starts after
  the day's digest time (send_digest makes each day's digest once, so this never repeats one).
- Push: the poller holds the mailbox and waits on it (IMAP IDLE; a Maildir looked at every
  second), polling as soon as mail arrives; the sender waits on the mail this process
  queues and sends it at once. Their intervals are only the safety net.
- Each job runs in a thread of its own, so a long poll does not hold up the outbox; a job
  that is still running when its time comes again is skipped, never started twice.
- A job that fails is logged with its exception and runs again at its next interval.
- SIGTERM or SIGINT sets a flag that every job checks between units of work (a message, a
  mail batch, an SLA batch): the unit in hand is finished and committed, the threads are
  joined, and the process exits 0. A second signal gives up waiting (exit 130).
- Safe with several processes on one database: the poller holds a lease on its mailbox
  (app/lease.py), the outbox is claimed with SKIP LOCKED, SLA marks are unique, and the
  digest records each covered day once."""
from __future__ import annotations

import imaplib
import signal
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from types import FrameType
from typing import Callable

import schedule
import structlog

from app.digest_mailing import default_day, send_digest
from app.lease import Lease, owner_id
from app.poll import poll
from app.runtime import Runtime
from app.sections import Schedule
from app.sms import flush_sms
from app.sla_job import sweep
from app.wiring import make_source, make_transport
from outbound.flush import FlushResult, flush

log = structlog.get_logger(__name__)

MAX_IDLE = 1.0  # seconds between looks at the schedule (and the stop flag, besides signals)
RECONNECT_FIRST, RECONNECT_MAX = 1.0, 60.0  # backoff after the mailbox server failed, seconds
MAILBOX_ERRORS = (OSError, imaplib.IMAP4.error)  # imapclient's errors are IMAP4.error too


class Job:
    """A named piece of work that never overlaps itself and never lets an error out."""

    def __init__(self, name: str, work: Callable[[], object]) -> None:
        self.name, self.work = name, work
        self.thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def launch(self) -> bool:
        """Start the work in its thread; False (and nothing started) while the last run lasts."""
        if self.running:
            log.info("job.still_running", job=self.name)
            return False
        self.thread = threading.Thread(target=self.run, name=f"job-{self.name}", daemon=True)
        self.thread.start()
        return True

    def run(self) -> None:
        try:
            self.work()
        except Exception:
            log.exception("job.failed", job=self.name)

    def join(self) -> None:
        if self.thread is not None:
            self.thread.join()


@dataclass
class Service:
    rt: Runtime
    stop: threading.Event
    scheduler: schedule.Scheduler
    jobs: dict[str, Job]
    at_start: tuple[str, ...] = ("poll", "flush", "sla")

    def run(self) -> int:
        """Until a stop is requested: run what is due, sleep until the next job. Then wait for
        the jobs in hand and return 0."""
        self._install_signals()
        log.info("service.started", jobs=sorted(self.jobs))
        for name in self.at_start:  # do not wait an interval for the first run
            self.jobs[name].launch()
        while not self.stop.is_set():
            self.scheduler.run_pending()
            idle = self.scheduler.idle_seconds
            self.stop.wait(MAX_IDLE if idle is None else min(max(idle, 0.0), MAX_IDLE))
        log.info("service.stopping", running=[n for n, j in self.jobs.items() if j.running])
        for job in self.jobs.values():
            job.join()
        log.info("service.stopped")
        return 0

    def request_stop(self, signum: int | None = None, _frame: FrameType | None = None) -> None:
        if self.stop.is_set():
            log.warning("service.stop_forced", signal=signum)
            raise KeyboardInterrupt
        log.info("service.stop_requested", signal=signum)
        self.stop.set()

    def _install_signals(self) -> None:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self.request_stop)
            signal.signal(signal.SIGINT, self.request_stop)


def build_service(rt: Runtime, stop: threading.Event | None = None) -> Service:
    """The jobs of [schedule] on a scheduler of their own. The poll and the flush are loops
    that wait on events (new mail in the mailbox, mail queued by this process); the
    scheduler only starts them again at their interval should one have ended."""
    stop = stop or threading.Event()
    plan = rt.settings.schedule
    owner = owner_id()
    jobs = {
        "poll": Job("poll", lambda: watch_mailbox(rt, stop, owner, plan)),
        "flush": Job("flush", lambda: send_as_queued(rt, stop, plan)),
        "sla": Job("sla", lambda: sweep(rt, stop.is_set)),
    }
    scheduler = schedule.Scheduler()
    # schedule annotates every() with int, but its timedelta arithmetic takes the fractional
    # seconds the settings allow (0.5 s): hence the arg-type ignores
    scheduler.every(plan.poll_seconds).seconds.do(jobs["poll"].launch)  # type: ignore[arg-type]
    scheduler.every(plan.flush_seconds).seconds.do(jobs["flush"].launch)  # type: ignore[arg-type]
    scheduler.every(plan.sla_seconds).seconds.do(jobs["sla"].launch)  # type: ignore[arg-type]
    at_start: tuple[str, ...] = ("poll", "flush", "sla")
    if rt.settings.sms.enabled:   # SMS: a sender of their own, so a slow gateway never holds up mail
        jobs["sms"] = Job("sms", lambda: send_as_queued(rt, stop, plan, channel="sms"))
        scheduler.every(plan.flush_seconds).seconds.do(jobs["sms"].launch)  # type: ignore[arg-type]
        at_start += ("sms",)
    if plan.digest_at:
        jobs["digest"] = Job("digest", lambda: send_digest(rt, default_day(rt)))
        scheduler.every().day.at(plan.digest_at, rt.settings.desk.timezone.key).do(jobs["digest"].launch)
        if _past_today(rt, plan.digest_at):  # started after the digest time: catch up (once per day)
            at_start += ("digest",)
    return Service(rt, stop, scheduler, jobs, at_start)


def _past_today(rt: Runtime, at: str) -> bool:
    local = rt.clock().astimezone(rt.settings.timezone)
    return f"{local:%H:%M}" >= at.zfill(5)


def watch_mailbox(rt: Runtime, stop: threading.Event, owner: str, plan: Schedule) -> None:
    """Hold the mailbox and poll it whenever mail arrives: the server says so during IMAP
    IDLE (a Maildir is looked at every second), else the poll interval passes. The lease is
    kept while waiting, so a second instance still does not poll. A mailbox server that
    fails is reconnected with backoff; a lost lease or a stop ends the watch."""
    backoff = RECONNECT_FIRST
    while not stop.is_set():
        try:
            _watch(rt, stop, owner, plan)
            return
        except MAILBOX_ERRORS as exc:
            log.warning("poll.mailbox_unavailable", error=f"{type(exc).__name__}: {exc}",
                        retry_in=backoff)
            stop.wait(backoff)
            backoff = min(backoff * 2, RECONNECT_MAX)


def _watch(rt: Runtime, stop: threading.Event, owner: str, plan: Schedule) -> None:
    """One connection's worth of watching, until the lease is someone else's or the stop
    flag is set; a failing mailbox server raises (the caller reconnects)."""
    source = make_source(rt.settings)
    try:
        lease = Lease(rt.sessions, source.name, owner, timedelta(seconds=plan.poll_lease_seconds), rt.clock)
        if not lease.acquire():
            log.info("poll.mailbox_busy", mailbox=source.name)
            return
        try:
            def lost() -> bool:
                return stop.is_set() or not lease.keep()

            while not lost():
                result = poll(rt, source, should_stop=lost)
                if result.seen:
                    log.info("poll.done", seen=result.seen, outcomes=result.outcomes)
                source.wait(plan.poll_seconds, should_stop=lost)
        finally:
            lease.release()
    finally:
        source.close()


def send_as_queued(rt: Runtime, stop: threading.Event, plan: Schedule, channel: str = "mail") -> None:
    """Send what is due, then wait until a unit of work of this process queues mail (or
    SMS, for that channel's sender), or the flush interval passes (the safety net for other
    processes' rows and for retries that come due)."""
    queued = rt.sms_queued if channel == "sms" else rt.mail_queued
    while not stop.is_set():
        queued.clear()
        if channel == "sms":
            flush_sms(rt, stop.is_set)
        else:
            flush_once(rt, stop)
        waited = time.monotonic()
        while not stop.is_set() and not queued.wait(timeout=MAX_IDLE):
            if time.monotonic() - waited >= plan.flush_seconds:
                break


def flush_once(rt: Runtime, stop: threading.Event) -> FlushResult:
    """Send what is due; on a stop the mail in hand is finished and recorded, the rest of
    the claimed batch goes back to the queue."""
    return flush(rt.sessions, make_transport(rt.settings), clock=rt.clock,
                 max_attempts=rt.settings.outbound.max_attempts, should_stop=stop.is_set)
