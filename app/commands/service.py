"""run, sla and digest: the service loop, and one pass of its timed jobs by hand."""
from __future__ import annotations

import argparse
from datetime import date

import structlog

from app.commands.admin import agents_cannot_authenticate
from app.commands.common import runtime_from
from app.digest_mailing import DigestRefused, default_day, preview_digest, send_digest
from app.service import build_service
from app.sla_job import sweep

log = structlog.get_logger(__name__)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("run", help="the service: poll, send, sweep SLA timers, daily digest, until SIGTERM")
    p.set_defaults(handler=cmd_run)
    p = sub.add_parser("sla", help="sweep SLA timers once: record and mail warnings and breaches, escalate")
    p.set_defaults(handler=cmd_sla)
    p = sub.add_parser("digest", help="queue the daily management digest of one day (default yesterday)")
    p.add_argument("--date", type=_day, help="the day the digest covers, YYYY-MM-DD (desk time zone); "
                   "only a past day is sent")
    p.add_argument("--preview", action="store_true",
                   help="print the digest of any day (today's too) instead of sending it; records nothing")
    p.add_argument("--lang", choices=("id", "en"), help="the language of --preview (default: the desk's)")
    p.set_defaults(handler=cmd_digest)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-11-23") from None


def cmd_run(args: argparse.Namespace) -> int:
    rt = runtime_from(args)
    if (why := agents_cannot_authenticate(rt.settings)) is not None:
        log.warning("service.agents_cannot_authenticate", reason=why)  # every command would be refused
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
        if args.preview:
            mail = preview_digest(rt, day, args.lang)
            print(f"Subject: {mail.subject}\n\n{mail.text}", end="")
            return 0
        queued = send_digest(rt, day)
    except DigestRefused as refused:
        print(f"digest refused: {refused}; --preview prints it without sending")
        return 2
    finally:
        rt.close()
    why = "" if queued else " (made before for that day, or no recipients in [digest])"
    print(f"digest for {day:%Y-%m-%d}: {queued} mail(s) queued{why}")
    return 0
