"""tickets and show: the desk's tickets as a table or as JSON (a contract other tools read)."""
from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone, tzinfo
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.commands.common import count, print_json, runtime_from
from models import Ticket
from web.words import triage_reason
from workflow.status import Status

STATUS_WORDS = {"new": "new", "baru": "new", "in_progress": "in_progress", "in-progress": "in_progress",
                "proses": "in_progress", "closed": "closed", "tutup": "closed", "open": "open"}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("tickets", help="list tickets")
    p.add_argument("--status", help="new, in_progress, closed, or open (new + in progress)")
    p.add_argument("--json", action="store_true", help="a JSON array (see README for the fields)")
    p.add_argument("--limit", type=count, default=0,
                   help="at most this many: the newest, or with --sort due the first due")
    p.add_argument("--sort", choices=("number", "due"), default="number",
                   help="number (default), or due: the next deadline first, overdue on top")
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
    status = STATUS_WORDS.get(args.status.lower()) if args.status else None
    if args.status and status is None:
        print(f"unknown status {args.status!r}; use new, in_progress, closed or open", file=sys.stderr)
        return 2
    newest_first = bool(args.limit) and args.sort == "number"
    query = select(Ticket).order_by(Ticket.id.desc() if newest_first else Ticket.id)
    if status:
        query = query.where(Ticket.status.in_([Status.NEW, Status.IN_PROGRESS]) if status == "open"
                            else Ticket.status == status)
    if args.limit and args.sort == "number":
        query = query.limit(args.limit)
    rt = runtime_from(args)
    try:
        with rt.readers() as session:
            found = list(session.scalars(query))
            tickets = [ticket_json(t, rt.desk.timezone) for t in found]
            names = {t.assignee.address: t.assignee.name for t in found if t.assignee and t.assignee.name}
        now = rt.clock()
    finally:
        rt.close()
    if args.sort == "due":
        tickets = sorted(tickets, key=due_order)[:args.limit or None]
    if args.json:
        print_json(tickets)
    else:
        print_table(tickets, now=now, tz=rt.desk.timezone, names=names)
    return 0


def next_due(t: Mapping[str, Any]) -> tuple[str, datetime] | None:
    """The deadline that matters next: response until the ticket first left New, then
    resolution; none once it is closed."""
    if t["status"] == Status.CLOSED:
        return None
    which = "response" if t["responded_at"] is None else "resolution"
    value = t[f"{which}_due"]
    return (which, datetime.fromisoformat(value)) if value else None


def due_order(t: Mapping[str, Any]) -> tuple[int, datetime, str]:
    """Soonest deadline first (overdue ones have the earliest); closed tickets last."""
    due = next_due(t)
    return (0, due[1], t["number"]) if due else (1, datetime.max.replace(tzinfo=timezone.utc), t["number"])


def age(since: datetime, now: datetime) -> str:
    """5m, 3h05m, 2d03h: how long the ticket has been open, at a glance."""
    minutes = max(int((now - since).total_seconds() // 60), 0)
    if minutes < 60:
        return f"{minutes}m"
    if minutes < 24 * 60:
        return f"{minutes // 60}h{minutes % 60:02d}m"
    return f"{minutes // 1440}d{minutes % 1440 // 60:02d}h"


def due_text(t: Mapping[str, Any], now: datetime, tz: tzinfo) -> str:
    due = next_due(t)
    if due is None:
        return "-"
    which, when = due
    late = " OVERDUE" if when <= now else ""
    return f"{which} {when.astimezone(tz):%d-%m %H:%M}{late}"


def table_rows(tickets: list[dict[str, Any]], now: datetime, tz: tzinfo,
               names: Mapping[str, str]) -> list[list[str]]:
    """The table's cells: people by name (the address only when no name is known), times in
    the desk's zone, the subject cut to 60 characters."""
    rows = [["number", "status", "pri", "age", "next due", "assignee", "reporter", "service", "subject"]]
    for t in tickets:
        subject = t["subject"] if len(t["subject"]) <= 60 else t["subject"][:59] + "\u2026"
        assignee = names.get(t["assignee"] or "") or t["assignee"] or "-"
        ended = datetime.fromisoformat(t["closed_at"]) if t["closed_at"] else now
        rows.append([t["number"], t["status"], t["priority"],
                     age(datetime.fromisoformat(t["created_at"]), ended), due_text(t, now, tz),
                     assignee, t["reporter_name"] or t["reporter"], t["service"] or "-", subject])
    return rows


def print_table(tickets: list[dict[str, Any]], now: datetime, tz: tzinfo,
                names: Mapping[str, str] | None = None) -> None:
    """Times in the desk's zone (`tz`), never the server's: the desk reads WITA whatever
    the machine is set to."""
    if not tickets:
        print("no tickets")
        return
    rows = table_rows(tickets, now, tz, names or {})
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1])


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
                           "data": e.data, "inbound_id": e.inbound_id, "public": e.public}
                          for e in ticket.events]
    rt.close()
    if args.json:
        print_json(data)
    else:
        print_ticket(data, tz)
    return 0


TIME_FIELDS = frozenset({"created_at", "response_due", "resolution_due", "responded_at", "closed_at"})


def local_minute(value: str | None, tz: tzinfo | None) -> str:
    """An ISO time of the JSON as a person reads it: the desk's zone, to the minute."""
    if not value:
        return "-"
    moment = datetime.fromisoformat(value)
    return f"{moment.astimezone(tz):%Y-%m-%d %H:%M %Z}".strip() if tz else f"{moment:%Y-%m-%d %H:%M}"


def event_text(e: Mapping[str, Any]) -> str:
    """An event's note on one line; a status change reads `new -> in_progress`."""
    note = " ".join((e["note"] or "").split())
    data = e.get("data") or {}
    if e["kind"] == "status" and data.get("from") and data.get("to"):
        return f"{data['from']} -> {data['to']}" + (f": {note}" if note else "")
    return note


def triage_reasons(events: list[dict[str, Any]]) -> str:
    """Why intake suggested what it did (the `created` event), worded as the console words it
    in English; old tickets stored English sentences, new ones data (workflow/triage.py)."""
    created = next((e for e in events if e["kind"] == "created"), None)
    suggested = ((created or {}).get("data") or {}).get("suggested") or {}
    reasons = suggested.get("reasons") or {}
    return "; ".join(f"{name} {suggested.get(name) or '-'} ({triage_reason(why, 'en')})"
                     for name, why in reasons.items())


def print_ticket(t: dict[str, Any], tz: tzinfo | None = None) -> None:
    for key in ("number", "subject", "status", "priority", "urgency", "impact", "service", "category",
                "reporter", "assignee", "escalation_level", "created_at", "response_due",
                "resolution_due", "closed_at", "resolution"):
        if key in TIME_FIELDS:
            value = local_minute(t[key], tz)
        elif key == "reporter" and t.get("reporter_name"):
            value = f"{t['reporter_name']} <{t['reporter']}>"
        else:
            value = t[key] if t[key] is not None else "-"
        print(f"{key:>17}: {value}")
    if reasons := triage_reasons(t["events"]):
        print(f"{'triage':>17}: {reasons}")
    print("\nhistory (R: the reporter sees it in their status reply):")
    for e in t["events"]:
        note = event_text(e)
        seen = "R" if e["public"] else " "
        print(f"  {seen} {local_minute(e['at'], tz)}  {e['kind']:<12} {e['actor']:<34} {note[:80]}")
