"""Benchmark: `incidentdesk report` for one month with 50,000 closed tickets on PostgreSQL.

Creates a scratch database (dropped afterwards) next to the one in the URL, fills it with
50,000 tickets closed in November 2026 plus 50,000 in other months (so the period filter has
work to do), half of them rated and one in ten escalated, and times each format end to end
(query, figures, rendering), best of three. Aim: under 2 s.

    .venv/bin/python bench/report.py [--url postgresql+psycopg://postgres@127.0.0.1:5432/test]
                                     [--tickets 50000]
"""
from __future__ import annotations

import argparse
import os
import random
import secrets
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa
import structlog
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.config import load  # noqa: E402
from app.report_request import ReportRequest, make_report  # noqa: E402
from app.runtime import open_runtime, sync_reference_data  # noqa: E402
from models import Escalation, Feedback, Person, Ticket  # noqa: E402
from models.db import upgrade  # noqa: E402

WITA = timezone(timedelta(hours=8))
SERVICES = ["ipos", "pgm", "epod", "pospay", "sik", "simsdm", "wahana", "website"]
CATEGORIES = ["hardware/computer", "hardware/server", "hardware/cable", "infrastructure/network"]
PRIORITIES = {"P1": ("high", "high", 10, 60), "P2": ("high", "medium", 30, 180),
              "P3": ("medium", "medium", 60, 480), "P4": ("medium", "low", 240, 720),
              "P5": ("low", "low", 480, 1440)}


def scratch_database(url: str) -> tuple[str, sa.Engine, str]:
    name = f"incidentdesk_bench_{secrets.token_hex(4)}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return name, admin, make_url(url).set(database=name).render_as_string(hide_password=False)


def fill(engine: sa.Engine, in_month: int, outside: int, rng: random.Random) -> None:
    now = datetime(2026, 12, 5, tzinfo=timezone.utc)
    with engine.begin() as conn:
        reporters = [{"address": f"user{i}@posbalikpapan.example", "name": f"Pegawai {i}",
                      "role": "employee", "created_at": now} for i in range(500)]
        conn.execute(sa.insert(Person), reporters)
        ids = [r for (r,) in conn.execute(sa.select(Person.id))]
        month_start = datetime(2026, 11, 1, tzinfo=WITA)
        rows, number = [], 0
        for i in range(in_month + outside):
            number += 1
            if i < in_month:
                closed = month_start + timedelta(seconds=rng.randrange(30 * 86400))
            else:
                closed = month_start - timedelta(days=rng.randrange(1, 300), seconds=rng.randrange(86400))
            rows.append(_ticket(number, closed, ids, rng))
            if len(rows) == 5000:
                conn.execute(sa.insert(Ticket), rows)
                rows = []
        if rows:
            conn.execute(sa.insert(Ticket), rows)
        tickets = [(tid, at) for tid, at in conn.execute(sa.select(Ticket.id, Ticket.closed_at))]
        conn.execute(sa.insert(Feedback), [
            {"ticket_id": tid, "rating": rng.randint(1, 5), "comment": "", "created_at": at,
             "updated_at": at} for tid, at in tickets if rng.random() < 0.5])
        conn.execute(sa.insert(Escalation), [
            {"ticket_id": tid, "at": at, "kind": rng.choice(["functional", "hierarchical"]),
             "level": 2, "status": "in_progress", "handler_name": "Agus", "description": "",
             "requested_by": "sla-timer"} for tid, at in tickets if rng.random() < 0.1])
    with engine.connect() as conn:
        conn.execute(sa.text("ANALYZE"))
        conn.commit()


def _ticket(number: int, closed: datetime, reporters: list[int], rng: random.Random) -> dict:
    priority = rng.choice(list(PRIORITIES))
    urgency, impact, response, resolution = PRIORITIES[priority]
    took = timedelta(minutes=rng.randrange(5, resolution * 2))
    created = closed - took
    return {
        "number": f"INC-{number:06d}", "status": "closed", "subject": f"Gangguan {number}",
        "description": "", "reporter_id": rng.choice(reporters), "assignee_id": None,
        "service": rng.choice(SERVICES), "category": rng.choice(CATEGORIES), "urgency": urgency,
        "impact": impact, "priority": priority, "triage_confirmed": True,
        "created_at": created, "updated_at": closed,
        "response_due": created + timedelta(minutes=response),
        "resolution_due": created + timedelta(minutes=resolution),
        "responded_at": created + min(took, timedelta(minutes=rng.randrange(1, response * 2))),
        "closed_at": closed, "escalation_level": rng.choice([1, 1, 1, 2, 3]),
        "resolution": "Restart layanan dan cek kabel jaringan", "reopen_count": 0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("INCIDENTDESK_TEST_DATABASE_URL",
                                                        "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--tickets", type=int, default=50_000)
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(30))  # warnings only
    name, admin, url = scratch_database(args.url)
    try:
        os.environ["INCIDENTDESK_DATABASE_URL"] = url
        rt = open_runtime(load(None), clock=lambda: datetime(2026, 12, 5, tzinfo=timezone.utc))
        upgrade(rt.engine)
        sync_reference_data(rt)
        started = time.perf_counter()
        fill(rt.engine, args.tickets, args.tickets, random.Random(7))
        print(f"filled {2 * args.tickets} tickets in {time.perf_counter() - started:.1f} s")
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        for fmt in ("html", "csv", "json"):
            request = ReportRequest(date(2026, 11, 1), date(2026, 11, 30), "closed", None, fmt, "id")
            best, size, count = float("inf"), 0, 0
            for _ in range(3):
                t0 = time.perf_counter()
                data, output = make_report(rt, request)
                best = min(best, time.perf_counter() - t0)
                size, count = len(output), len(data.measured)
            print(f"report {fmt:<4} one month, {count} closed tickets: {best:.2f} s "
                  f"({size / 1e6:.1f} MB)", flush=True)
        rt.close()
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
