"""demo: the walking skeleton on the embedded defaults, end to end, in one command."""
from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from sqlalchemy import select

from app.commands.common import runtime_from
from app.commands.tickets import print_table, ticket_json
from app.poll import poll
from app.wiring import make_source, make_transport
from ingest.maildir_source import deliver
from models import Ticket, resources
from outbound.flush import flush

SAMPLES = resources.samples() / "reports"   # shipped in the wheel too: the demo runs installed


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("demo", help="load the sample reports into a fresh Maildir, poll, send, list")
    p.add_argument("--samples", default=str(SAMPLES), help="folder of .eml files to load")
    p.set_defaults(handler=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    rt = runtime_from(args)
    maildir = rt.settings.source.maildir
    if rt.settings.source.kind != "maildir":
        print("demo runs on the Maildir source only")
        return 2
    shutil.rmtree(maildir, ignore_errors=True)
    files = sorted(Path(args.samples).glob("*.eml"))
    for i, path in enumerate(files):
        deliver(maildir, path.read_bytes(), f"demo.{i:04d}.{path.stem}")
    print(f"loaded {len(files)} sample reports into {maildir}")
    result = poll(rt, make_source(rt.settings))
    print("poll:", ", ".join(f"{k} {v}" for k, v in sorted(result.outcomes.items())))
    sent = flush(rt.sessions, make_transport(rt.settings), clock=rt.clock,
                 max_attempts=rt.settings.outbound.max_attempts)
    with rt.readers() as session:
        tickets = [ticket_json(t, rt.desk.timezone) for t in session.scalars(select(Ticket).order_by(Ticket.id))]
    rt.close()
    print()
    print_table(tickets, now=rt.clock(), tz=rt.desk.timezone)
    outbox = rt.settings.outbound.outbox_dir
    print(f"\n{sent.sent} new mail(s) written this run; acknowledgements are in {outbox}/")
    return 0
