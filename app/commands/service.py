"""run, sla and digest: the service loop, and one pass of its timed jobs by hand."""
from __future__ import annotations

import argparse
from datetime import date

from app.commands.common import runtime_from
from app.digest import default_day, send_digest
from app.service import build_service
from app.sweep import sweep


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("run", help="the service: poll, send, sweep SLA timers, daily digest, until SIGTERM")
    p.set_defaults(handler=cmd_run)
    p = sub.add_parser("sla", help="sweep SLA timers once: record and mail warnings and breaches, escalate")
    p.set_defaults(handler=cmd_sla)
    p = sub.add_parser("digest", help="queue the daily management digest of one day (default yesterday)")
    p.add_argument("--date", type=_day, help="the day the digest covers, YYYY-MM-DD (desk time zone)")
    p.set_defaults(handler=cmd_digest)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-11-23") from None


def cmd_run(args: argparse.Namespace) -> int:
    rt = runtime_from(args)
    try:
        return build_service(rt).run()
    finally:
        rt.close()


def cmd_sla(args: argparse.Namespace) -> int:
    rt = runtime_from(args)
    try:
        result = sweep(rt)
    finally:
        rt.close()
    print(f"swept {result.tickets} ticket(s): {result.mails} mail(s) queued, {result.failed} failed")
    return 0


def cmd_digest(args: argparse.Namespace) -> int:
    rt = runtime_from(args)
    try:
        day = args.date or default_day(rt)
        queued = send_digest(rt, day)
    finally:
        rt.close()
    why = "" if queued else " (made before for that day, or no recipients in [digest])"
    print(f"digest for {day:%Y-%m-%d}: {queued} mail(s) queued{why}")
    return 0
