"""For the head of SOLTEK and management (any logged-in agent may look): escalations by level
with their breaches, the report of a period (the same HTML as `incidentdesk report`, and its
CSV and JSON as downloads) and the digest of a past day (the mail's HTML). The figures come
from app/ (app/report_request.py make_report, the digest's own functions) through `services.report`
and `services.digest_html`: the console computes none of them itself."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Callable, Mapping

from flask import Flask, Response, abort, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, aliased

from models import Escalation, Person, Ticket, TicketEvent
from web.services import WebServices
from web.words import MANAGEMENT_WORDS
from workflow.status import Status

OPEN = (Status.NEW.value, Status.IN_PROGRESS.value)
REPORT_STATUSES = ("closed", "all")
FORMATS = ("html", "csv", "json")

@dataclass(frozen=True)
class EscalatedRow:
    ticket: Ticket
    assignee: str
    response_missed: bool
    resolution_missed: bool
    breach_recorded: bool

    @property
    def breached(self) -> bool:
        return self.response_missed or self.resolution_missed or self.breach_recorded


@dataclass(frozen=True)
class Level:
    level: int
    rows: list[EscalatedRow]

    @property
    def breached(self) -> int:
        return sum(1 for r in self.rows if r.breached)


def escalations_by_level(session: Session, now: datetime) -> list[Level]:
    """Open tickets above level 1 (or with an escalation record), grouped by level, each
    with whether a deadline is missed (now, or by an SLA breach already recorded)."""
    assignee = aliased(Person)
    escalated = exists().where(Escalation.ticket_id == Ticket.id)
    breach = exists().where(TicketEvent.ticket_id == Ticket.id, TicketEvent.kind == "sla_breach")
    query = (select(Ticket, assignee.name, assignee.address, breach.label("breach"))
             .outerjoin(assignee, assignee.id == Ticket.assignee_id)
             .where(Ticket.status.in_(OPEN), or_(Ticket.escalation_level > 1, escalated))
             .order_by(Ticket.escalation_level.desc(), Ticket.resolution_due, Ticket.id))
    levels: dict[int, list[EscalatedRow]] = {}
    for ticket, name, address, recorded in session.execute(query):
        missed_response = (ticket.responded_at or now) > ticket.response_due
        levels.setdefault(ticket.escalation_level, []).append(EscalatedRow(
            ticket=ticket, assignee=name or address or "", response_missed=missed_response,
            resolution_missed=now > ticket.resolution_due, breach_recorded=bool(recorded)))
    return [Level(level, rows) for level, rows in sorted(levels.items(), reverse=True)]


def read_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def register(app: Flask, services: WebServices, common: Callable[[], dict[str, Any]]) -> None:
    def mw() -> Mapping[str, str]:
        return MANAGEMENT_WORDS.get(common()["lang"], MANAGEMENT_WORDS["en"])

    def today() -> date:
        return services.clock().astimezone(services.desk.timezone).date()

    @app.route("/management")
    def management() -> ResponseReturnValue:
        with services.readers() as db:
            levels = escalations_by_level(db, services.clock())
            return render_template("management.html", levels=levels, mw=mw(),
                                   first=today().replace(day=1), last=today(),
                                   yesterday=today() - timedelta(days=1), formats=FORMATS,
                                   statuses=REPORT_STATUSES, **common())

    @app.route("/management/report")
    def management_report() -> ResponseReturnValue:
        if services.report is None:
            abort(404)
        first, last = read_day(request.args.get("first")), read_day(request.args.get("last"))
        status = request.args.get("status", "closed")
        fmt = request.args.get("format", "html")
        service = request.args.get("service", "")
        if first is None or last is None or first > last or status not in REPORT_STATUSES \
                or fmt not in FORMATS or (service and service not in services.desk.services):
            return render_template("error.html", message=mw()["bad_dates"], **common()), 400
        made = services.report(first, last, status, service, fmt, common()["lang"])
        response = Response(made.body, mimetype=made.media_type)
        if fmt != "html":
            response.headers["Content-Disposition"] = f'attachment; filename="{made.filename}"'
        else:   # the report's own page: its inline styles and chart images
            response.headers["Content-Security-Policy"] = (
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'")
        return response

    @app.route("/management/digest")
    def management_digest() -> ResponseReturnValue:
        if services.digest_html is None:
            abort(404)
        day = read_day(request.args.get("day"))
        if day is None or day >= today():
            return render_template("error.html", message=mw()["bad_day"], **common()), 400
        response = Response(services.digest_html(day, common()["lang"]), mimetype="text/html")
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'")
        return response
