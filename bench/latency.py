"""Report-to-acknowledgement latency of `incidentdesk run`: how long a reporter waits.

A Dovecot (tests/servers/dovecot.py: needs root and dovecot-imapd) holds the desk's mailbox; an
aiosmtpd server (tests/servers/smtp.py) is the desk's SMTP relay and notes when each mail
arrives. `incidentdesk run` is started as a subprocess with source.kind = "imap",
outbound.transport = "smtp" (plain, loopback) and the DEFAULT [schedule] (poll every 60 s, flush
every 10 s): only push (IMAP IDLE) and the sender's wake-up on queued mail can make it fast, not
the intervals. Once `run` logs `service.started` one warm-up report goes through (its ack proves
the whole path is up, and its cold-start cost is shown apart), then N reports (default 30) are
APPENDed to INBOX one every --interval seconds (default 1), optionally followed by a burst of
--burst reports at once, each from a reporter of its own (the per-sender ack limit never
holds one back) and stamped at hand-off, just before its APPEND. The acknowledgement of a report
is the mail to its reporter whose In-Reply-To names the report's Message-ID; its latency is
from hand-off to the SMTP server's answer to DATA. Printed: median, 95th percentile
(nearest rank), max and the load average; aims of issue #15: median <= 2 s, 95th <= 5 s.

    .venv/bin/python bench/latency.py                     # SQLite
    .venv/bin/python bench/latency.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/latency.py -n 60 --burst 20 --skip-sqlite --pg ...

With --pg a database of its own is created on that server and dropped at the end. Every wait
has a deadline; `run` is stopped with SIGTERM at the end (and killed if it does not exit).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from email.policy import compat32
from pathlib import Path
from typing import Any, Callable, Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.ingest import postgres_database  # noqa: E402  (after the path is set)
from tests.servers.dovecot import DovecotServer, dovecot_available  # noqa: E402
from tests.servers.smtp import SmtpServer  # noqa: E402

AIM_MEDIAN, AIM_P95 = 2.0, 5.0        # seconds, issue #15
STARTUP_SECONDS = 60.0                # `run` must log service.started within this
WARMUP_SECONDS = 60.0                 # and acknowledge the warm-up report within this
STOP_SECONDS = 30.0                   # SIGTERM to exit
CONFIG = """
[desk]
secret = "{secret}"
[database]
url = "{url}"
[source]
kind = "imap"
[source.imap]
host = "{imap_host}"
port = {imap_port}
security = "plain"
username = "{user}"
password = "{password}"
[outbound]
transport = "smtp"
[outbound.smtp]
host = "{smtp_host}"
port = {smtp_port}
security = "plain"
helo_name = "desk.bench.example"
[[agents]]
name = "Rina Service Desk"
addresses = ["rina.sd@posbalikpapan.example"]
level = 1
role = "service_desk"
"""


# ------------------------------------------------------------------ the relay that keeps time

class TimedSmtpServer(SmtpServer):
    """The tests' recording SMTP server, which also notes when each message was accepted
    (time.monotonic, the clock the hand-offs are stamped with), keyed by what it answers."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals: dict[str, float] = {}     # the report's Message-ID -> when its ack came

    def _record(self, session: Any, envelope: Any) -> None:
        now = time.monotonic()
        data = envelope.original_content or b""
        headers = BytesHeaderParser(policy=compat32).parsebytes(data)
        answered = " ".join(str(headers.get("In-Reply-To", "")).split())
        recipients = {address.lower() for address in envelope.rcpt_tos}
        with self._cond:
            # an acknowledgement: to the reporter (the report's Message-ID names the reporter)
            if answered and answered not in self.arrivals and _reporter_of(answered) in recipients:
                self.arrivals[answered] = now
        super()._record(session, envelope)

    def arrived(self, message_ids: set[str], deadline: float) -> set[str]:
        """Wait until every one of `message_ids` has its acknowledgement or the deadline
        passes; the ones acknowledged."""
        with self._cond:
            while not message_ids <= self.arrivals.keys():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            return message_ids & self.arrivals.keys()


def _reporter_of(message_id: str) -> str:
    """<latency.7.ab12@host> was sent by pelapor.7.ab12@posbalikpapan.example."""
    return "pelapor." + message_id.strip("<>").split("@")[0].removeprefix("latency.") + "@posbalikpapan.example"


def report(tag: str) -> tuple[str, bytes]:
    """A report in Indonesian (a jammed counter printer) from a reporter of its own."""
    message_id = f"<latency.{tag}@posbalikpapan.example>"
    raw = (f'From: "Pelapor {tag}" <{_reporter_of(message_id)}>\r\n'
           "To: Service Desk SOLTEK <servicedesk@posbalikpapan.example>\r\n"
           f"Subject: Printer loket macet ({tag})\r\nMessage-ID: {message_id}\r\n"
           f"Date: {time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime())}\r\n"
           "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           "Selamat pagi,\r\n\r\nPrinter di loket 3 macet sejak tadi pagi, kertas tersangkut dan "
           "resi kiriman tidak bisa dicetak. Mohon dibantu.\r\n\r\nTerima kasih.\r\n")
    return message_id, raw.encode()


# ------------------------------------------------------------------ `incidentdesk run`

@dataclass
class Desk:
    """`incidentdesk run` as a subprocess, its JSON log lines read as they come."""

    config: Path
    process: subprocess.Popen[bytes] | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)
    log_path: Path = Path()

    def cli(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "app.cli", "--config", str(self.config), "--log-json", *args]

    def init(self) -> None:
        subprocess.run(self.cli("init"), cwd=ROOT, check=True, timeout=120,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> None:
        self.log_path = self.config.with_name("run.log")
        self.process = subprocess.Popen(self.cli("run"), cwd=ROOT, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        threading.Thread(target=self._read, daemon=True, name="run-log").start()

    def _read(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        with self.log_path.open("wb") as copy:
            for raw in self.process.stderr:
                copy.write(raw)
                try:
                    event = json.loads(raw)
                except ValueError:
                    event = {"event": raw.decode(errors="replace").strip(), "level": "raw"}
                with self.changed:
                    self.events.append(event if isinstance(event, dict) else {"event": str(event)})
                    self.changed.notify_all()
        with self.changed:   # the process closed its stderr: it is ending
            self.changed.notify_all()

    def wait_for(self, name: str, deadline: float) -> None:
        """Until `run` logged event `name`; RuntimeError when it exits or the deadline passes."""
        with self.changed:
            while not any(event.get("event") == name for event in self.events):
                if self.process is not None and self.process.poll() is not None:
                    raise RuntimeError(f"`run` exited with {self.process.returncode}: {self.tail()}")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise RuntimeError(f"`run` did not log {name} in time: {self.tail()}")
                self.changed.wait(min(remaining, 1.0))

    def tail(self, count: int = 8) -> str:
        with self.changed:
            return " | ".join(json.dumps(event)[:300] for event in self.events[-count:])

    def stop(self) -> tuple[int | None, float]:
        """SIGTERM, then wait for the exit (SIGKILL after STOP_SECONDS): exit code, seconds."""
        if self.process is None or self.process.poll() is not None:
            return (self.process.returncode if self.process else None), 0.0
        began = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            code: int | None = self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            code = None
        return code, time.monotonic() - began

    def problems(self) -> list[str]:
        """Warnings and errors `run` logged: a figure measured while the desk struggled says
        little."""
        with self.changed:
            return [f"{event.get('level')}: {event.get('event')}" for event in self.events
                    if event.get("level") in ("warning", "error", "critical", "exception", "raw")]


# ------------------------------------------------------------------ one measured run

@dataclass
class Phase:
    name: str
    sent: dict[str, float] = field(default_factory=dict)    # Message-ID -> hand-off (monotonic)


def measure(label: str, url: str, args: argparse.Namespace, smtp: TimedSmtpServer) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="idd-latency-"))
    with DovecotServer() as imap:
        config = tmp / "incidentdesk.toml"
        config.write_text(CONFIG.format(
            secret=secrets.token_hex(16), url=url, imap_host=imap.host, imap_port=imap.port,
            user=imap.user, password=imap.password, smtp_host=smtp.host, smtp_port=smtp.port))
        desk = Desk(config)
        desk.init()
        print(f"== {label}: {args.reports} reports, one every {args.interval:g} s"
              + (f", then a burst of {args.burst}" if args.burst else "")
              + f"; load average {_load()}")
        began = time.monotonic()
        desk.start()
        try:
            desk.wait_for("service.started", began + STARTUP_SECONDS)
            up = time.monotonic() - began
            client = imap.client()
            try:
                warm = Phase("warm-up")
                _hand_off(client, warm, [f"warm.{secrets.token_hex(3)}"], interval=0.0)
                got = smtp.arrived(set(warm.sent), time.monotonic() + WARMUP_SECONDS)
                if not got:
                    raise RuntimeError(f"no acknowledgement of the warm-up report: {desk.tail()}")
                cold = _latencies(warm, smtp)[0]
                print(f"   `run` up (service.started) {up:.2f} s after start; "
                      f"warm-up report acknowledged in {cold:.2f} s")
                run_id = secrets.token_hex(3)
                phases = [Phase("paced")]
                _hand_off(client, phases[0], [f"{i}.{run_id}" for i in range(args.reports)], args.interval)
                if args.burst:
                    phases.append(Phase("burst"))
                    _hand_off(client, phases[1], [f"b{i}.{run_id}" for i in range(args.burst)], 0.0)
            finally:
                client.logout()
            everything = {mid for phase in phases for mid in phase.sent}
            acked = smtp.arrived(everything, time.monotonic() + args.timeout)
            for phase in phases:
                print(_summary(phase, smtp))
            if len(acked) < len(everything):
                print(f"   MISSING: {len(everything) - len(acked)} report(s) not acknowledged "
                      f"within {args.timeout:g} s of the last hand-off")
        finally:
            code, seconds = desk.stop()
            problems = desk.problems()
            print(f"   load average {_load()}; `run` stopped by SIGTERM in {seconds:.2f} s, exit {code}; "
                  f"{len(problems)} warning(s)/error(s) logged"
                  + (f": {sorted(set(problems))[:5]}" if problems else "") + f" (log: {desk.log_path})")


def _hand_off(client: Any, phase: Phase, tags: list[str], interval: float) -> None:
    """APPEND one report per tag, the i-th at start + i * interval (a paced schedule, not a
    wait for anything), each stamped just before its APPEND."""
    start = time.monotonic()
    for i, tag in enumerate(tags):
        delay = start + i * interval - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        message_id, raw = report(tag)
        phase.sent[message_id] = time.monotonic()
        client.append("INBOX", raw)


def _latencies(phase: Phase, smtp: TimedSmtpServer) -> list[float]:
    with smtp._cond:
        return sorted(smtp.arrivals[mid] - sent for mid, sent in phase.sent.items() if mid in smtp.arrivals)


def _summary(phase: Phase, smtp: TimedSmtpServer) -> str:
    values = _latencies(phase, smtp)
    if not values:
        return f"   {phase.name:<6} no acknowledgement arrived"
    median, p95 = statistics.median(values), nearest_rank(values, 0.95)
    verdict = "met" if median <= AIM_MEDIAN and p95 <= AIM_P95 else "NOT met"
    return (f"   {phase.name:<6} {len(values):>3}/{len(phase.sent)} acknowledged: median {median:.2f} s, "
            f"p95 {p95:.2f} s, max {values[-1]:.2f} s, min {values[0]:.2f} s "
            f"(aim median <= {AIM_MEDIAN:g} s, p95 <= {AIM_P95:g} s: {verdict})")


def nearest_rank(ordered: list[float], share: float) -> float:
    """The nearest-rank percentile of sorted values: with 30 values the 95th is the 29th."""
    return ordered[max(math.ceil(share * len(ordered)), 1) - 1]


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def databases(args: argparse.Namespace) -> Iterator[tuple[str, str, Callable[[], None]]]:
    if not args.skip_sqlite:
        tmp = Path(tempfile.mkdtemp(prefix="idd-latency-db-"))
        yield "SQLite", f"sqlite:///{tmp / 'latency.db'}", lambda: None
    if args.pg:
        url, drop = postgres_database(args.pg)
        yield "PostgreSQL", url, drop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--reports", type=int, default=30)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between paced reports")
    parser.add_argument("--burst", type=int, default=0, help="reports APPENDed at once after the paced ones")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds after the last hand-off to wait for the acknowledgements")
    parser.add_argument("--pg", default="", help="PostgreSQL server URL, e.g. "
                        "postgresql+psycopg://postgres@127.0.0.1:5432/test (a database of its own is "
                        "created there and dropped)")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    reason = dovecot_available()
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    with TimedSmtpServer() as smtp:
        for label, url, drop in databases(args):
            try:
                measure(label, url, args, smtp)
            finally:
                drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
