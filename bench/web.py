"""Benchmark: the console's server time with 100,000 tickets (10,000 open) and 1,000,000
ticket events, on SQLite and on PostgreSQL.

Fills a scratch database (a temporary SQLite file, or a PostgreSQL database of its own next
to the one in the URL, vacuumed after the fill and dropped afterwards) with core inserts, logs
an agent in through the real login form, and times requests through the console's WSGI
application (Flask's test client, in process: routing, the session check, the queries and the
template, without the network): the queue's first page filtered by service and sorted by
the next deadline (the default sort), and ticket pages of random tickets (10 events each).
Prints the median and the 95th percentile. Aim: queue p95 <= 100 ms, ticket page p95 <= 50 ms.

    .venv/bin/python bench/web.py --db sqlite
    .venv/bin/python bench/web.py --db postgresql [--url postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import sqlalchemy as sa
import structlog

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.commands.web import web_services  # noqa: E402
from bench.ingest import postgres_database  # noqa: E402
from app.config import load  # noqa: E402
from app.runtime import Runtime, open_runtime, sync_reference_data  # noqa: E402
from models import Person, Ticket, TicketEvent  # noqa: E402
from models.db import upgrade  # noqa: E402
from web import auth  # noqa: E402
from web.app import create_app  # noqa: E402

NOW = datetime(2026, 12, 5, 3, 0, tzinfo=timezone.utc)
SERVICES = ["ipos", "pgm", "epod", "pospay", "sik", "simsdm", "wahana", "website"]
CATEGORIES = ["hardware/computer", "hardware/server", "hardware/cable", "infrastructure/network"]
PRIORITIES = {"P1": ("high", "high", 10, 60), "P2": ("high", "medium", 30, 180),
              "P3": ("medium", "medium", 60, 480), "P4": ("medium", "low", 240, 720),
              "P5": ("low", "low", 480, 1440)}
EVENT_KINDS = ["comment", "status", "reply", "assigned", "priority", "sla_warning", "comment", "comment", "reply"]
AGENT = "bench.agent@posbalikpapan.example"
PASSWORD = "bench-password-long"
BATCH = 20_000


def fill(engine: sa.Engine, tickets: int, open_tickets: int, events_per_ticket: int, rng: random.Random) -> None:
    """Core inserts in batches: reporters, tickets (the last `open_tickets` open), events."""
    with engine.begin() as conn:
        conn.execute(sa.insert(Person), [{"address": f"user{i}@posbalikpapan.example", "name": f"Pegawai {i}",
                                          "role": "employee", "created_at": NOW} for i in range(1000)])
        reporters = [r for (r,) in conn.execute(sa.select(Person.id).where(Person.role == "employee"))]
        rows = []
        for number in range(1, tickets + 1):
            rows.append(_ticket(number, number > tickets - open_tickets, reporters, rng))
            if len(rows) == BATCH:
                conn.execute(sa.insert(Ticket), rows)
                rows = []
        if rows:
            conn.execute(sa.insert(Ticket), rows)
    ids = []
    with engine.connect() as conn:
        ids = [(tid, at) for tid, at in conn.execute(sa.select(Ticket.id, Ticket.created_at))]
    events: list[dict[str, Any]] = []
    with engine.begin() as conn:
        for tid, created in ids:
            for k in range(events_per_ticket):
                kind = "created" if k == 0 else rng.choice(EVENT_KINDS)
                events.append({"ticket_id": tid, "at": created + timedelta(minutes=5 * k), "actor": AGENT,
                               "kind": kind, "note": f"Catatan {k} untuk tiket {tid}", "data": {},
                               "inbound_id": None, "public": kind in ("created", "status", "reply")})
            if len(events) >= BATCH:
                conn.execute(sa.insert(TicketEvent), events)
                events = []
        if events:
            conn.execute(sa.insert(TicketEvent), events)
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            # VACUUM as autovacuum would within a minute of the fill (its insert threshold):
            # the pages are timed on a table as it is in service, not racing autovacuum
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("VACUUM ANALYZE"))
        else:
            conn.execute(sa.text("ANALYZE"))
            conn.commit()


def _ticket(number: int, is_open: bool, reporters: list[int], rng: random.Random) -> dict[str, Any]:
    priority = rng.choice(list(PRIORITIES))
    urgency, impact, response, resolution = PRIORITIES[priority]
    if is_open:
        created = NOW - timedelta(minutes=rng.randrange(1, 3 * 1440))
        closed, status = None, rng.choice(["new", "in_progress"])
    else:
        created = NOW - timedelta(days=rng.randrange(4, 700), minutes=rng.randrange(1440))
        closed, status = created + timedelta(minutes=rng.randrange(5, resolution * 2)), "closed"
    responded = None if status == "new" else created + timedelta(minutes=rng.randrange(1, response * 2))
    return {
        "number": f"INC-{number:06d}", "status": status, "subject": f"Gangguan layanan {number}",
        "description": "Aplikasi tidak bisa dibuka sejak pagi.", "reporter_id": rng.choice(reporters),
        "assignee_id": None, "service": rng.choice(SERVICES), "category": rng.choice(CATEGORIES),
        "urgency": urgency, "impact": impact, "priority": priority, "triage_confirmed": True,
        "created_at": created, "updated_at": closed or created,
        "response_due": created + timedelta(minutes=response),
        "resolution_due": created + timedelta(minutes=resolution),
        "responded_at": responded, "closed_at": closed,
        "escalation_level": rng.choice([1, 1, 1, 2, 3]),
        "resolution": "Restart layanan" if closed else None, "reopen_count": 0,
    }


def agent_client(rt: Runtime) -> Any:
    """The console's WSGI app and a client logged in through the real login form."""
    with rt.sessions.begin() as session:
        session.add(Person(address=AGENT, name="Bench Agent", role="service_desk", support_level=1,
                           language="en", is_agent=True, is_primary=True, created_at=NOW))
    with rt.sessions.begin() as session:
        auth.set_password(session, AGENT, PASSWORD, NOW)
    app = create_app(web_services(rt))
    app.config["WTF_CSRF_ENABLED"] = False      # the bench times pages, not the token check
    client = app.test_client()
    answer = client.post("/login", data={"address": AGENT, "password": PASSWORD})
    assert answer.status_code == 302, answer.status_code
    return client


def timed(request: Callable[[], Any], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        response = request()
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.status_code
    return times


def report(name: str, times: list[float], aim: float) -> None:
    p95 = statistics.quantiles(times, n=20)[-1]
    print(f"{name:<44} median {statistics.median(times):6.1f} ms   p95 {p95:6.1f} ms   "
          f"(aim p95 <= {aim:.0f} ms: {'met' if p95 <= aim else 'MISSED'})", flush=True)


def run(url: str, args: argparse.Namespace) -> None:
    os.environ["INCIDENTDESK_DATABASE_URL"] = url
    os.environ.setdefault("INCIDENTDESK_SECRET", "bench-secret")
    rt = open_runtime(load(None), clock=lambda: NOW)
    try:
        upgrade(rt.engine)
        sync_reference_data(rt)
        started = time.perf_counter()
        fill(rt.engine, args.tickets, args.open, args.events // args.tickets, random.Random(7))
        print(f"{rt.engine.dialect.name}: filled {args.tickets} tickets ({args.open} open) and "
              f"{args.events} events in {time.perf_counter() - started:.0f} s; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
        client = agent_client(rt)
        rng = random.Random(11)
        timed(lambda: client.get("/?service=ipos"), 5)                       # warm the caches
        report("queue, first page, service=ipos, by deadline",
               timed(lambda: client.get(f"/?service={rng.choice(SERVICES)}"), args.runs), 100)
        report("ticket page (10 events)",
               timed(lambda: client.get(f"/tickets/INC-{rng.randrange(1, args.tickets + 1):06d}"), args.runs), 50)
    finally:
        rt.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--url", default=os.environ.get("INCIDENTDESK_TEST_DATABASE_URL",
                                                        "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--open", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(30))  # warnings only
    if args.db == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{tmp}/bench.db", args)
        return 0
    url, drop = postgres_database(args.url)
    try:
        run(url, args)
    finally:
        drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
