"""tickets and show: the desk's tickets as a table or as JSON (a contract other tools read)."""
from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.commands.common import print_json, runtime_from
from models import Ticket
from workflow.status import Status

STATUS_WORDS = {"new": "new", "baru": "new", "in_progress": "in_progress", "in-progress": "in_progress",
                "proses": "in_progress", "closed": "closed", "tutup": "closed", "open": "open"}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("tickets", help="list tickets")
    p.add_argument("--status", help="new, in_progress, closed, or open (new + in progress)")
    p.add_argument("--json", action="store_true", help="a JSON array (see README for the fields)")
    p.add_argument("--limit", type=int, default=0, help="at most this many, newest first")
    p.set_defaults(handler=cmd_tickets)
    p = sub.add_parser("show", help="one ticket with its full history")
    p.add_argument("number", help="ticket number, e.g. INC-000042")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_show)


def iso(moment: datetime | None, tz: ZoneInfo) -> str | None:
    return moment.astimezone(tz).isoformat() if moment else None


def ticket_json(ticket: Ticket, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "number": ticket.number, "status": ticket.status, "priority": ticket.priority,
        "urgency": ticket.urgency, "impact": ticket.impact, "service": ticket.service,
        "category": ticket.category, "symptom": ticket.symptom,
        "triage_confirmed": ticket.triage_confirmed, "reporter": ticket.reporter.address,
        "reporter_name": ticket.reporter.name,
        "assignee": ticket.assignee.address if ticket.assignee else None,
        "subject": ticket.subject, "created_at": iso(ticket.created_at, tz),
        "response_due": iso(ticket.response_due, tz), "resolution_due": iso(ticket.resolution_due, tz),
        "responded_at": iso(ticket.responded_at, tz), "closed_at": iso(ticket.closed_at, tz),
        "escalation_level": ticket.escalation_level, "resolution": ticket.resolution,
    }


def cmd_tickets(args: argparse.Namespace) -> int:
    rt = runtime_from(args)
    query = select(Ticket).order_by(Ticket.id.desc() if args.limit else Ticket.id)
    if args.status:
        status = STATUS_WORDS.get(args.status.lower())
        if status is None:
            print(f"unknown status {args.status!r}; use new, in_progress, closed or open")
            return 2
        query = query.where(Ticket.status.in_([Status.NEW, Status.IN_PROGRESS]) if status == "open"
                            else Ticket.status == status)
    if args.limit:
        query = query.limit(args.limit)
    with rt.readers() as session:
        tickets = [ticket_json(t, rt.desk.timezone) for t in session.scalars(query)]
    rt.close()
    if args.json:
        print_json(tickets)
    else:
        print_table(tickets)
    return 0


def print_table(tickets: list[dict[str, Any]]) -> None:
    if not tickets:
        print("no tickets")
        return
    header = f"{'number':<12} {'status':<11} {'pri':<3} {'service':<8} {'category':<22} {'reporter':<34} subject"
    print(header)
    for t in tickets:
        print(f"{t['number']:<12} {t['status']:<11} {t['priority']:<3} {(t['service'] or '-'):<8} "
              f"{(t['category'] or '-'):<22} {t['reporter'][:34]:<34} {t['subject'][:60]}")


def cmd_show(args: argparse.Namespace) -> int:
    rt = runtime_from(args)
    tz = rt.desk.timezone
    with rt.readers() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == args.number.upper()))
        if ticket is None:
            print(f"no ticket {args.number}")
            return 1
        data = ticket_json(ticket, tz)
        data["description"] = ticket.description
        data["events"] = [{"at": iso(e.at, tz), "actor": e.actor, "kind": e.kind, "note": e.note,
                           "data": e.data, "inbound_id": e.inbound_id} for e in ticket.events]
    rt.close()
    if args.json:
        print_json(data)
    else:
        print_ticket(data)
    return 0


def print_ticket(t: dict[str, Any]) -> None:
    for key in ("number", "subject", "status", "priority", "urgency", "impact", "service", "category",
                "reporter", "assignee", "escalation_level", "created_at", "response_due",
                "resolution_due", "closed_at", "resolution"):
        print(f"{key:>17}: {t[key] if t[key] is not None else '-'}")
    print("\nhistory:")
    for e in t["events"]:
        note = (e["note"] or "").strip().replace("\n", " ")
        print(f"  {e['at']}  {e['kind']:<12} {e['actor']:<34} {note[:80]}")
