"""Outbound throughput: what does the outbox cost over just pushing the same mail out?

N acknowledgements (default 2,000) are queued in the outbox the way the poller does it
(a ticket opened, the mail rendered and composed). A local aiosmtpd, in a process of its own
so it does not share the GIL with the sender, accepts everything and counts Message-IDs.

  (a) floor:  a bare smtplib loop sending the same pre-rendered mails over one connection;
  (b) flush:  outbound.flush with the SMTP transport, claiming, sending and recording the
      outbox rows (SKIP LOCKED on PostgreSQL), on SQLite and on PostgreSQL.

Each is run --rounds times (default 5; rows put back to queued in between), alternating, and
the best round of each counts (this machine may be busy with other work). It
prints mails/s for both and the ratio (b)/(a) in time per mail (aim: at most 1.3), and checks
that the server got every Message-ID exactly once.

    .venv/bin/python bench/outbound.py                     # SQLite, and PostgreSQL if reachable
    .venv/bin/python bench/outbound.py -n 500 --skip-postgres
    INCIDENTDESK_BENCH_DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/outbound.py

Logging runs at INFO as in production, written to /dev/null.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import secrets
import smtplib
import socket
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from datetime import datetime, timezone
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DESK = "servicedesk@posbalikpapan.example"
_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]+>)", re.I | re.M)


# ----------------------------------------------------------------- the SMTP sink

def _sink(port: int, control: Connection) -> None:
    """aiosmtpd accepting everything; answers "counts" with Message-ID -> times seen."""
    from aiosmtpd.controller import Controller

    seen: Counter[bytes] = Counter()

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            match = _MESSAGE_ID.search(envelope.original_content or b"")
            seen[match.group(1) if match else b""] += 1
            return "250 2.0.0 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    control.send("ready")
    while True:
        command = control.recv()
        if command == "counts":
            control.send(dict(seen))
        elif command == "reset":
            seen.clear()
            control.send("ok")
        else:
            controller.stop()
            control.send("stopped")
            return


class Sink:
    def __init__(self) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.control, child = multiprocessing.Pipe()
        self.process = multiprocessing.Process(target=_sink, args=(self.port, child), daemon=True)
        self.process.start()
        assert self.control.recv() == "ready"

    def ask(self, command: str) -> Any:
        self.control.send(command)
        return self.control.recv()

    def close(self) -> None:
        self.ask("stop")
        self.process.join(5)


# ----------------------------------------------------------------- the desk

@contextmanager
def scratch_postgres(url: str) -> Iterator[str]:
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    name = f"incidentdesk_bench_out_{secrets.token_hex(4)}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def desk(url: str, folder: Path) -> Any:
    from app.config import load
    from app.runtime import open_runtime, sync_reference_data
    from models.db import upgrade

    config = folder / "incidentdesk.toml"
    config.write_text(f'[database]\nurl = "{url}"\n[outbound]\noutbox_dir = "{folder}/outbox"\n')
    rt = open_runtime(load(config))
    upgrade(rt.engine)
    sync_reference_data(rt)
    return rt


def queue(rt: Any, count: int) -> None:
    """`count` reports from as many reporters, each with its acknowledgement queued."""
    from outbound.outbox import enqueue
    from workflow.intake import Report, open_ticket

    subjects = ["Ipos mati di loket 3", "Internet putus di lantai 2", "Komputer kena virus",
                "SIK error saat login", "Website posindonesia lambat – mohon dicek"]
    for start in range(0, count, 200):
        with rt.sessions.begin() as session:
            for i in range(start, min(count, start + 200)):
                now = datetime.now(timezone.utc)
                report = Report(sender=f"pelapor{i}@posbalikpapan.example", sender_name=f"Pelapor Nomor {i}",
                                subject=subjects[i % len(subjects)],
                                body="Selamat pagi, mohon bantuan.\n" * 20, message_id=f"<r{i}@mail.example>",
                                received_at=now)
                _, notes = open_ticket(session, rt.settings.policy, rt.settings.triage, report)
                enqueue(session, rt.desk, rt.renderer, notes, now)


def requeue(rt: Any) -> None:
    """Every row queued again. On PostgreSQL the dead row versions this leaves are vacuumed
    away, as autovacuum would between real flushes; the benchmark's own resets should not
    slow the run they prepare."""
    from sqlalchemy import update

    from models import OutboxMessage

    with rt.sessions.begin() as session:
        session.execute(update(OutboxMessage).values(state="queued", attempts=0, sent_at=None,
                                                     next_attempt_at=datetime.now(timezone.utc)))
    if rt.engine.dialect.name == "postgresql":
        with rt.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE outbox")


def pre_rendered(rt: Any) -> list[tuple[str, bytes]]:
    from sqlalchemy import select

    from models import OutboxMessage

    with rt.sessions() as session:
        return [(r.recipient, r.raw) for r in session.execute(
            select(OutboxMessage.recipient, OutboxMessage.raw).order_by(OutboxMessage.id))]


# ----------------------------------------------------------------- the runs

def floor(port: int, mails: list[tuple[str, bytes]]) -> tuple[float, float]:
    """(wall seconds, this process's CPU seconds)"""
    started, cpu = time.perf_counter(), time.process_time()
    smtp = smtplib.SMTP("127.0.0.1", port, local_hostname="bench.local", timeout=30)
    for recipient, raw in mails:
        smtp.sendmail(DESK, [recipient], raw)
    smtp.quit()
    return time.perf_counter() - started, time.process_time() - cpu


def outbox_flush(rt: Any, port: int, batch_size: int | None) -> tuple[float, float, Any]:
    from outbound.flush import flush
    from outbound.smtp_transport import SmtpSettings, SmtpTransport

    transport = SmtpTransport(SmtpSettings(host="127.0.0.1", port=port, security="plain",
                                           helo_name="bench.local"), sender=DESK)
    started, cpu = time.perf_counter(), time.process_time()
    options = {"batch_size": batch_size} if batch_size else {}
    result = flush(rt.sessions, transport, clock=lambda: datetime.now(timezone.utc), max_attempts=5, **options)
    return time.perf_counter() - started, time.process_time() - cpu, result


def measure(label: str, url: str, count: int, rounds: int, sink: Sink, batch_size: int | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        rt = desk(url, Path(tmp))
        try:
            queue(rt, count)
            mails = pre_rendered(rt)
            assert len(mails) == count, f"{len(mails)} mails queued, expected {count}"
            size = sum(len(raw) for _, raw in mails) / count
            floors, flushes = [], []
            for _ in range(rounds):
                sink.ask("reset")
                floors.append(floor(sink.port, mails))
                requeue(rt)
                sink.ask("reset")
                seconds, cpu, result = outbox_flush(rt, sink.port, batch_size)
                counts = sink.ask("counts")
                assert result.sent == count and len(counts) == count and set(counts.values()) == {1}, \
                    f"not exactly once: sent {result.sent}, distinct {len(counts)}"
                flushes.append((seconds, cpu))
        finally:
            rt.close()
    best_floor, best_flush = min(floors), min(flushes)
    print(f"{label:<11} {count} mails of {size / 1024:.1f} KiB, best of {rounds}: "
          f"floor (smtplib loop) {count / best_floor[0]:6.0f} mails/s, "
          f"flush (outbox) {count / best_flush[0]:6.0f} mails/s, ratio {best_flush[0] / best_floor[0]:.2f}; "
          f"sender CPU {1000 * best_floor[1] / count:.2f} vs {1000 * best_flush[1] / count:.2f} ms/mail; "
          "every Message-ID exactly once")


def postgres_reachable(url: str) -> bool:
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(url)
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--count", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--batch-size", type=int, default=None, help="flush batch size (default: flush's)")
    args = parser.parse_args()

    import logging

    from app import logs

    logs.configure("INFO", json=True)
    sys.stderr = open(os.devnull, "w")           # log lines are rendered, not shown
    logging.disable(logging.NOTSET)

    sink = Sink()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            measure("sqlite", f"sqlite:///{tmp}/bench.db", args.count, args.rounds, sink, args.batch_size)
        url = os.environ.get("INCIDENTDESK_BENCH_DATABASE_URL", DEFAULT_PG)
        if not args.skip_postgres and postgres_reachable(url):
            with scratch_postgres(url) as scratch:
                measure("postgresql", scratch, args.count, args.rounds, sink, args.batch_size)
        elif not args.skip_postgres:
            print(f"postgresql  skipped: {url} not reachable")
    finally:
        sink.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
