"""SLA sweep at scale: does one sweep cost what is due, not what is stored?

For each database (SQLite, PostgreSQL) and each size (1,000,000 and 10,000 tickets; a tenth of
them open, the rest closed) 100 tickets are due: 50 for a response warning, 50 for a response
breach (their warning already recorded). One sweep is timed (median of --repeat runs; the 100
are reset between runs) and the ratio of the large to the small store is printed: the aim is
at most 2. The sweep is the real one (app/sla_job.py): marks, events, escalations, rendered
outbox rows.

    .venv/bin/python bench/sla_sweep.py                       # both databases
    .venv/bin/python bench/sla_sweep.py --sizes 10000 --skip-postgres
    INCIDENTDESK_BENCH_DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/sla_sweep.py

Setup uses COPY on PostgreSQL and executemany on SQLite; it takes about a minute per database
for a million tickets. PostgreSQL gets a database of its own, dropped at the end.
"""
from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402
import structlog  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app import logs  # noqa: E402
from app.config import load  # noqa: E402
from app.runtime import Runtime, open_runtime, sync_reference_data  # noqa: E402
from app.sla_job import sweep  # noqa: E402
from models import Person  # noqa: E402
from models.db import upgrade  # noqa: E402

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=timezone.utc)
DUE = 100
CHUNK = 50_000
COLUMNS = ("id", "number", "status", "subject", "description", "reporter_id", "urgency", "impact",
           "priority", "triage_confirmed", "created_at", "updated_at", "response_due",
           "resolution_due", "responded_at", "closed_at", "sla_next_check_at", "escalation_level",
           "reopen_count")
CONFIG = """
[database]
url = "{url}"
[source]
maildir = "{tmp}/maildir"
[outbound]
outbox_dir = "{tmp}/outbox"
[[agents]]
name = "Rina Service Desk"
addresses = ["rina@posbalikpapan.example"]
level = 1
role = "service_desk"
[[agents]]
name = "Agus Level Dua"
addresses = ["agus@posbalikpapan.example"]
level = 2
role = "functional_support"
"""


def ticket_rows(total: int, reporter_id: int) -> Iterator[tuple[Any, ...]]:
    """total tickets: the first DUE open and due (half warning, half breach), then open ones
    due later, then closed ones (NULL next check)."""
    opened = total // 10
    for i in range(1, total + 1):
        if i <= DUE // 2:                       # 45 min into a P3 hour: warning due
            created, next_check, status, closed = NOW - timedelta(minutes=46), NOW - timedelta(minutes=1), "new", None
        elif i <= DUE:                          # past the P3 response deadline: breach due
            created, next_check, status, closed = NOW - timedelta(minutes=61), NOW - timedelta(minutes=1), "new", None
        elif i <= opened:                       # open, next look in 1 to 600 minutes
            created = NOW - timedelta(minutes=i % 40)
            next_check, status, closed = NOW + timedelta(minutes=1 + i % 600), "in_progress", None
        else:                                   # closed long ago
            created = NOW - timedelta(days=1 + i % 700)
            next_check, status, closed = None, "closed", created + timedelta(hours=3)
        yield (i, f"INC-{i:07d}", status, f"bench ticket {i}", "", reporter_id, "medium", "medium", "P3",
               True, created, created, created + timedelta(minutes=60), created + timedelta(hours=8),
               created + timedelta(minutes=5) if status != "new" else None, closed, next_check, 1, 0)


def load_postgres(engine: sa.Engine, total: int, reporter_id: int) -> None:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        with cursor.copy(f"COPY tickets ({', '.join(COLUMNS)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for row in ticket_rows(total, reporter_id):
                copy.write_row(row)
        cursor.execute("SELECT setval(pg_get_serial_sequence('tickets', 'id'), %s)", (total,))
        raw.commit()
    finally:
        raw.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE tickets")


def load_sqlite(engine: sa.Engine, total: int, reporter_id: int) -> None:
    def text(value: Any) -> Any:
        return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(value, datetime) else value

    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("BEGIN")
        statement = f"INSERT INTO tickets ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
        chunk: list[tuple[Any, ...]] = []
        for row in ticket_rows(total, reporter_id):
            chunk.append(tuple(text(v) for v in row))
            if len(chunk) == CHUNK:
                cursor.executemany(statement, chunk)
                chunk = []
        cursor.executemany(statement, chunk)
        cursor.execute("COMMIT")
        cursor.execute("ANALYZE")
    finally:
        raw.close()


def prepare(rt: Runtime, total: int) -> float:
    """Schema, people, tickets, and the warnings already recorded for the breach half."""
    started = time.perf_counter()
    upgrade(rt.engine)
    sync_reference_data(rt)
    with rt.sessions.begin() as session:
        reporter = Person(address="budi@posbalikpapan.example", name="Budi", created_at=NOW)
        session.add(reporter)
        session.flush()
        reporter_id = reporter.id
    loader = load_postgres if rt.engine.dialect.name == "postgresql" else load_sqlite
    loader(rt.engine, total, reporter_id)
    _record_old_warnings(rt)
    return time.perf_counter() - started


def _record_old_warnings(rt: Runtime) -> None:
    with rt.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM sla_marks"))
        for tid in range(DUE // 2 + 1, DUE + 1):
            conn.execute(sa.insert(sa.table("sla_marks", sa.column("ticket_id"), sa.column("kind"),
                                            sa.column("due_at", _utc()), sa.column("at", _utc()))),
                         {"ticket_id": tid, "kind": "response_warning",
                          "due_at": NOW - timedelta(minutes=1), "at": NOW - timedelta(minutes=16)})


def _utc() -> Any:
    from models.base import UtcDateTime
    return UtcDateTime()


def reset(rt: Runtime) -> None:
    """Put the 100 due tickets back as they were before the sweep."""
    with rt.engine.begin() as conn:
        for table in ("outbox", "escalations", "ticket_events"):
            conn.execute(sa.text(f"DELETE FROM {table}"))
        conn.execute(sa.text("UPDATE tickets SET escalation_level = 1 WHERE id <= :due"), {"due": DUE})
        conn.execute(sa.update(sa.table("tickets", sa.column("id"), sa.column("sla_next_check_at", _utc())))
                     .where(sa.column("id") <= DUE).values(sla_next_check_at=NOW - timedelta(minutes=1)))
    _record_old_warnings(rt)


def measure(url: str, total: int, repeat: int, tmp: Path) -> tuple[float, float]:
    config = tmp / f"bench-{total}.toml"
    config.write_text(CONFIG.format(url=url, tmp=tmp))
    rt = open_runtime(load(config), clock=lambda: NOW)
    try:
        setup = prepare(rt, total)
        reset(rt)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            result = sweep(rt)
            times.append(time.perf_counter() - started)
            assert result.tickets == DUE and result.failed == 0, result
            reset(rt)
        return setup, statistics.median(times)
    finally:
        rt.close()


def postgres_database(admin_url: str) -> tuple[str, sa.Engine, str]:
    name = f"incidentdesk_bench_{os.getpid()}_{secrets.token_hex(3)}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False), admin, name


def run_backend(label: str, sizes: list[int], repeat: int, pg_admin: str | None) -> dict[int, float]:
    figures: dict[int, float] = {}
    for total in sizes:
        with tempfile.TemporaryDirectory(prefix="sla-bench-") as tmpdir:
            tmp = Path(tmpdir)
            admin = name = None
            if pg_admin:
                url, admin, name = postgres_database(pg_admin)
            else:
                url = f"sqlite:///{tmp / 'bench.db'}"
            try:
                setup, median = measure(url, total, repeat, tmp)
            finally:
                if admin is not None:
                    with admin.connect() as conn:
                        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                    admin.dispose()
        figures[total] = median
        print(f"{label:10} {total:>9,} tickets ({total // 10:,} open, {DUE} due): "
              f"sweep {median * 1000:7.1f} ms (median of {repeat}); setup {setup:5.1f} s", flush=True)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000000,10000", help="ticket counts, largest first")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", default=os.environ.get(
        "INCIDENTDESK_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    logs.configure("WARNING", json=True)
    structlog.contextvars.clear_contextvars()
    sizes = [int(s) for s in args.sizes.split(",")]
    backends = ([("sqlite", None)] if not args.skip_sqlite else []) + \
               ([("postgresql", args.postgres)] if not args.skip_postgres else [])
    for label, admin in backends:
        figures = run_backend(label, sizes, args.repeat, admin)
        if len(sizes) > 1:
            big, small = max(sizes), min(sizes)
            print(f"{label:10} ratio {big:,} / {small:,} tickets: {figures[big] / figures[small]:.2f} (aim <= 2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
