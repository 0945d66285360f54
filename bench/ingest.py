"""Ingest throughput and memory: what does turning mail into tickets cost over just reading it?

A Dovecot started here (tests/servers/dovecot.py: needs root and dovecot-imapd) gets N
messages (default 2,000) APPENDed: a realistic mix built from samples/reports (new reports
from many reporters, follow-ups with a ticket tag, automatic mail, second deliveries, odd
mail from tests/data/odd). Each run is a subprocess of its own, so its peak RSS
(resource.getrusage ru_maxrss) is its own:

  (a) floor: imapclient FETCH of the messages (batches of 100) + ingest.parse.parse, the
      standard-library parse the desk itself runs, no database. Two more lines for scale:
      FETCH alone, and FETCH + mail-parser (the parser design.md first proposed);
  (b) poll:  app.poll.poll from the same mailbox into tickets (a fetched batch to a
      transaction, a savepoint per message, acknowledgements rendered into the outbox, the
      mail moved to Processed after each commit), on SQLite and on PostgreSQL.

It prints messages/s for each, the ratio (b)/(a) in time per message (aims of issue #15: at
most 3 on SQLite and 4 on PostgreSQL; in the long run 1.3), and for each poll the SQL
statements and commits per message (SQLAlchemy's before_cursor_execute and commit events in
the poll's own process). Then the memory runs: polls of 1,000 and 5,000 messages that include
four with a 15 MB attachment; the peak RSS should stay under 200 MB and not grow with the
mailbox.

    .venv/bin/python bench/ingest.py                      # everything (a few minutes)
    .venv/bin/python bench/ingest.py -n 500 --skip-memory --skip-postgres
    .venv/bin/python bench/ingest.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/test

PostgreSQL: a database of its own is created (and dropped) on --pg, else on
$INCIDENTDESK_BENCH_DATABASE_URL, $INCIDENTDESK_TEST_DATABASE_URL or the local test server.

Logging runs at INFO as in production, written to /dev/null (rendering counts, the terminal
does not); --log-level WARNING shows what the log lines cost.
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import random
import re
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SAMPLES = ROOT / "samples" / "reports"
ODD = ROOT / "tests" / "data" / "odd"
BATCH = 100
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
AUTOMATIC = ("16-auto-submitted-auto-replied.eml", "17-out-of-office-x-autoreply.eml",
             "18-newsletter-bulk-list-id.eml", "20-empty-return-path.eml")
ODD_REPORTS = ("03-broken-mime-boundary.eml", "05-unknown-charset.eml", "06-iso-8859-1-body.eml",
               "07-windows-1252-smart-quotes.eml", "08-iso-2022-jp.eml", "09-rfc2231-filename.eml",
               "12-nul-bytes-body.eml", "15-html-script-onclick.eml", "22-undeclared-8bit.eml",
               "25-raw-utf8-headers.eml")
FIRST_NAMES = ("Budi", "Siti", "Agus", "Dewi", "Rina", "Joko", "Maya", "Eko", "Nina", "Fajar",
               "Yuliana", "Hari", "Andre", "Lina", "Dodi", "Wawan", "Rudi", "Sri", "Rizky", "Tono")
CONFIG = """
[database]
url = "{url}"
[source]
kind = "imap"
[source.imap]
host = "{host}"
port = {port}
security = "plain"
username = "{user}"
password = "{password}"
[outbound]
outbox_dir = "{tmp}/outbox"
[[agents]]
name = "Rina Service Desk"
addresses = ["rina.sd@posbalikpapan.example"]
level = 1
role = "service_desk"
[[agents]]
name = "Agus Dukungan Aplikasi"
addresses = ["agus.l2@posbalikpapan.example"]
level = 2
role = "functional_support"
[[reporters]]
address = "kabid.keuangan@posbalikpapan.example"
name = "Sri Wahyuni"
role = "head_of_department"
"""


# ------------------------------------------------------------------ the mailbox

def _set_header(raw: bytes, name: str, value: str) -> bytes:
    """Replace a header (with its folded lines) or add it at the top."""
    pattern = re.compile(rb"(?im)^" + name.encode() + rb":.*(?:\r?\n[ \t].*)*\r?\n")
    line = f"{name}: {value}\r\n".encode("utf-8")
    new, count = pattern.subn(lambda _: line, raw, count=1)
    return new if count else line + raw


def _reporter(rng: random.Random) -> tuple[str, str]:
    first = rng.choice(FIRST_NAMES)
    n = rng.randrange(150)
    return f"{first} Loket {n}", f"{first.lower()}.{n}@posbalikpapan.example"


def build_mix(count: int, seed: int = 7) -> Iterator[bytes]:
    """75% new reports, 12% follow-ups by ticket tag, 8% automatic mail, 3% second deliveries,
    2% odd mail. New reports are numbered in order on a fresh database, so a follow-up can name
    a ticket that exists by the time it is read."""
    rng = random.Random(seed)
    samples = [p.read_bytes() for p in sorted(SAMPLES.glob("*.eml"))]
    reports: list[tuple[bytes, str, str, str]] = []   # raw, message-id, sender, subject
    for i in range(count):
        roll = rng.random()
        mid = f"<bench.{i}.{seed}@posbalikpapan.example>"
        if roll < 0.75 or not reports:
            name, address = _reporter(rng)
            raw = rng.choice(samples)
            raw = _set_header(raw, "From", f'"{name}" <{address}>')
            raw = _set_header(raw, "Message-ID", mid)
            reports.append((raw, mid, address, f"Laporan {len(reports) + 1}"))
            yield raw
        elif roll < 0.87:
            number = rng.randrange(len(reports)) + 1
            _, original, address, _ = reports[number - 1]
            yield (f"From: {address}\r\nTo: servicedesk@posbalikpapan.example\r\n"
                   f"Subject: Re: [INC-{number:06d}] Laporan diterima\r\nMessage-ID: {mid}\r\n"
                   f"In-Reply-To: {original}\r\nReferences: {original}\r\n"
                   "Date: Mon, 23 Nov 2026 10:00:00 +0800\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                   "Masih belum bisa, mohon dicek lagi. Loket tetap tidak bisa input.\r\n\r\n"
                   "Pada Sen, 23 Nov 2026 pukul 09.00, Service Desk menulis:\r\n> Laporan Anda sudah kami terima.\r\n"
                   ).encode()
        elif roll < 0.95:
            yield _set_header((ODD / rng.choice(AUTOMATIC)).read_bytes(), "Message-ID", mid)
        elif roll < 0.98:
            yield b"Received: from relay2.posbalikpapan.example\r\n" + rng.choice(reports)[0]
        else:
            yield _set_header((ODD / rng.choice(ODD_REPORTS)).read_bytes(), "Message-ID", mid)


def big_message(n: int, megabytes: int = 15) -> bytes:
    data = base64.encodebytes(os.urandom(megabytes * 1024 * 1024)).replace(b"\n", b"\r\n")
    return (f"From: Dewi <dewi.{n}@posbalikpapan.example>\r\nTo: servicedesk@posbalikpapan.example\r\n"
            f"Subject: Rekaman CCTV ruang server {n}\r\nMessage-ID: <big.{n}@posbalikpapan.example>\r\n"
            'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
            "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nServer mati, rekaman terlampir.\r\n"
            "--b\r\nContent-Type: video/mp4\r\nContent-Transfer-Encoding: base64\r\n"
            f'Content-Disposition: attachment; filename="cctv-{n}.mp4"\r\n\r\n').encode() + data + b"\r\n--b--\r\n"


def reset_inbox(server: Any, folder: str) -> None:
    """Empty INBOX, Processed and Quarantine, then copy `folder` into INBOX (server side)."""
    client = server.client()
    try:
        for name in ("INBOX", "Processed", "Quarantine"):
            if client.folder_exists(name):
                client.select_folder(name)
                uids = client.search(["ALL"])
                if uids:
                    client.delete_messages(uids)
                    client.expunge()
        client.select_folder(folder, readonly=True)
        client.copy(client.search(["ALL"]), "INBOX")
    finally:
        client.logout()


# ------------------------------------------------------------------ the measured runs (children)

def _floor_parser(name: str) -> Any:
    """The parse a floor run applies to each fetched message: the desk's own (ingest.parse,
    standard library), mail-parser, or none (the cost of FETCH alone)."""
    if name == "desk":
        from app import logs
        from ingest.parse import parse
        logs.configure("INFO", json=True)   # parse logs what it cannot read, as in the poll
        return parse
    if name == "mailparser":
        import mailparser
        return mailparser.parse_from_bytes
    return lambda raw: None


def child_floor(args: argparse.Namespace) -> dict[str, Any]:
    from imapclient import IMAPClient
    parse = _floor_parser(args.parser)
    client = IMAPClient(args.host, port=args.port, ssl=False)
    client.login(args.user, args.password)
    client.select_folder("INBOX", readonly=True)
    began = time.perf_counter()
    uids = sorted(client.search(["ALL"]))
    for start in range(0, len(uids), BATCH):
        chunk = uids[start:start + BATCH]
        bodies = client.fetch(chunk, ["BODY.PEEK[]"])
        for uid in chunk:
            parse(bodies[uid][b"BODY[]"])
        del bodies
    seconds = time.perf_counter() - began
    client.logout()
    return {"messages": len(uids), "seconds": seconds, "outcomes": {}}


def child_poll(args: argparse.Namespace) -> dict[str, Any]:
    from app import logs
    from app.config import load
    from app.poll import poll
    from app.runtime import open_runtime, sync_reference_data
    from app.wiring import make_source
    from models.db import upgrade
    logs.configure(args.log_level, json=True)
    tmp = Path(tempfile.mkdtemp(prefix="idd-bench-"))
    config = tmp / "incidentdesk.toml"
    config.write_text(CONFIG.format(url=args.db, host=args.host, port=args.port, user=args.user,
                                    password=args.password, tmp=tmp))
    rt = open_runtime(load(config))
    upgrade(rt.engine)
    sync_reference_data(rt)
    source = make_source(rt.settings)
    counts = _count_sql(rt.engine)
    began = time.perf_counter()
    result = poll(rt, source)
    seconds = time.perf_counter() - began
    source.close()
    rt.close()
    return {"messages": result.seen, "seconds": seconds, "outcomes": result.outcomes, **counts}


def _count_sql(engine: Any) -> dict[str, int]:
    """Statements sent to the database and commits, counted from now on (set up after the
    schema upgrade and the reference data, so only the poll's own work counts). A
    SAVEPOINT and its RELEASE are statements too: they are part of what a message costs."""
    from sqlalchemy import event
    counts = {"statements": 0, "commits": 0}

    def statement(*_args: Any) -> None:
        counts["statements"] += 1

    def commit(*_args: Any) -> None:
        counts["commits"] += 1

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "commit", commit)
    return counts


def child_fill(args: argparse.Namespace) -> dict[str, Any]:
    """Build and APPEND the messages here, not in the parent: a child inherits its parent's
    RSS high-water mark (ru_maxrss survives fork and exec), so the parent must stay small."""
    from imapclient import IMAPClient
    mix: Iterator[bytes] = build_mix(args.count, seed=args.seed)
    if args.big:
        mix = _with_big(mix, args.count, args.big)
    client = IMAPClient(args.host, port=args.port, ssl=False)
    client.login(args.user, args.password)
    if not client.folder_exists(args.folder):
        client.create_folder(args.folder)
    count = 0
    for raw in mix:
        client.append(args.folder, raw)
        count += 1
    client.logout()
    return {"messages": count, "seconds": 0.0, "outcomes": {}}


def _with_big(mix: Iterator[bytes], count: int, big: int) -> Iterator[bytes]:
    """`count` messages in all, `big` of them with a 15 MB attachment, spread evenly."""
    step = count // (big + 1)
    for i, raw in enumerate(mix):
        if i >= count - big:
            return
        if i and i % step == 0 and i // step <= big:
            yield big_message(i // step)
        yield raw


def _vm_hwm() -> float:
    """This process's own RSS high-water mark (/proc; Linux), which unlike ru_maxrss does
    not start from the parent's."""
    try:
        for row in Path("/proc/self/status").read_text().splitlines():
            if row.startswith("VmHWM:"):
                return int(row.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def run_child(server: Any, mode: str, db: str = "", log_level: str = "INFO", **extra: Any) -> dict[str, Any]:
    """Run one measured part in a process of its own and return what it printed (JSON)."""
    command = [sys.executable, __file__, "--child", mode, "--host", server.host, "--port", str(server.port),
               "--user", server.user, "--password", server.password, "--db", db, "--log-level", log_level]
    for key, value in extra.items():
        command += [f"--{key}", str(value)]
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ databases

def postgres_database(base_url: str) -> tuple[str, Any]:
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url
    name = f"incidentdesk_bench_{secrets.token_hex(4)}"
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return make_url(base_url).set(database=name).render_as_string(hide_password=False), drop


def databases(skip_postgres: bool, pg: str = "") -> Iterator[tuple[str, str, Any]]:
    tmp = Path(tempfile.mkdtemp(prefix="idd-bench-db-"))
    yield "SQLite", f"sqlite:///{tmp / f'bench-{secrets.token_hex(3)}.db'}", lambda: None
    if skip_postgres:
        return
    base = pg or os.environ.get("INCIDENTDESK_BENCH_DATABASE_URL") or os.environ.get(
        "INCIDENTDESK_TEST_DATABASE_URL") or DEFAULT_PG
    try:
        url, drop = postgres_database(base)
    except Exception as exc:  # no server: say so, the SQLite figures still stand
        print(f"PostgreSQL skipped: {type(exc).__name__}: {exc}".splitlines()[0])
        return
    yield "PostgreSQL", url, drop


# ------------------------------------------------------------------ the report

def line(label: str, run: dict[str, Any]) -> str:
    rate = run["messages"] / run["seconds"]
    return (f"{label:<28} {run['messages']:>6} msgs {run['seconds']:>8.2f} s {rate:>9.1f} msg/s "
            f"{run['maxrss_mb']:>7.1f} MB peak RSS")


AIMS = {"SQLite": 3.0, "PostgreSQL": 4.0}   # issue #15: poll time per message over the floor's


def throughput(server: Any, count: int, args: argparse.Namespace) -> None:
    print(f"== throughput: {count} messages, realistic mix, logging at {args.log_level}, "
          f"load average {_load()}")
    run_child(server, "fill", folder="Mix", count=count, seed=7, big=0)
    reset_inbox(server, "Mix")
    print(line("    FETCH alone", run_child(server, "floor", parser="none")))
    print(line("    FETCH + mail-parser", run_child(server, "floor", parser="mailparser")))
    floor = run_child(server, "floor", parser="desk")
    print(line("(a) FETCH + ingest.parse", floor) + "   the floor")
    for label, url, drop in databases(args.skip_postgres, args.pg):
        try:
            reset_inbox(server, "Mix")
            run = run_child(server, "poll", url, args.log_level)
        finally:
            drop()
        ratio = (run["seconds"] / run["messages"]) / (floor["seconds"] / floor["messages"])
        verdict = "met" if ratio <= AIMS[label] else "NOT met"
        print(line(f"(b) poll -> {label}", run)
              + f"   (b)/(a) = {ratio:.2f} (aim <= {AIMS[label]:g}: {verdict}; long-term 1.3)")
        print(f"{'':<28} {run['statements'] / run['messages']:.1f} SQL statements/msg, "
              f"{run['commits']} commits ({run['messages'] / max(run['commits'], 1):.1f} msgs/commit), "
              f"load average {_load()}")
        print(f"{'':<28} outcomes: {json.dumps(run['outcomes'], sort_keys=True)}")


def _load() -> str:
    """The machine's 1, 5 and 15 minute load averages: the figures mean little without them
    on a shared machine."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def memory(server: Any, args: argparse.Namespace) -> None:
    print(f"== memory: polls with four 15 MB attachments among the messages, load average {_load()}")
    for size in args.memory_sizes:
        folder = f"Mem{size}"
        run_child(server, "fill", folder=folder, count=size, seed=size, big=4)
        for label, url, drop in databases(args.skip_postgres or not args.memory_postgres, args.pg):
            try:
                reset_inbox(server, folder)
                run = run_child(server, "poll", url, args.log_level)
            finally:
                drop()
            print(line(f"poll {size} -> {label}", run))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--messages", type=int, default=2000)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--pg", default="", help="PostgreSQL server URL; the bench creates and drops "
                        "a database of its own there (default: the local test server)")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--memory-sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--memory-postgres", action="store_true", help="memory runs on PostgreSQL too")
    parser.add_argument("--log-level", default="INFO")
    parser.add_argument("--child", choices=["fill", "floor", "poll"], help=argparse.SUPPRESS)
    parser.add_argument("--parser", choices=["desk", "mailparser", "none"], default="desk",
                        help=argparse.SUPPRESS)
    for name in ("--host", "--user", "--password", "--db", "--folder"):
        parser.add_argument(name, default="", help=argparse.SUPPRESS)
    for name in ("--port", "--count", "--seed", "--big"):
        parser.add_argument(name, type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run = {"fill": child_fill, "floor": child_floor, "poll": child_poll}[args.child](args)
        run["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        run["hwm_mb"] = _vm_hwm()
        print(json.dumps(run))
        return 0

    from tests.servers.dovecot import DovecotServer, dovecot_available
    reason = dovecot_available()
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    with DovecotServer() as server:
        print(f"(bench parent's own peak RSS, the floor of every child's ru_maxrss: "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MB)")
        throughput(server, args.messages, args)
        if not args.skip_memory:
            memory(server, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
