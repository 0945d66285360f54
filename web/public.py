"""The reporter's page of one ticket (paper figs. 11-12), without an account: every mail to
the reporter carries the signed link `/r/<NUMBER>/<mac>` (workflow/tokens.py). The MAC is
the key: a link opens only its own ticket, and a changed link (number or MAC) is a 404,
the same answer as a ticket that does not exist, so nothing can be probed.

What the reporter sees is what the mails tell them: status, priority, targets, and the
history entries marked public (TicketEvent.public): never internal notes, refused commands
or who at the desk did what. They may add a comment and, once the ticket is closed, give the
rating of the feedback form; both go through `services.reporter_act` (app/work.py), the same
rules as their reply by mail."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from flask import Flask, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Feedback, Ticket, TicketEvent
from web.services import ReporterAction, WebServices
from web.words import REPORTER_WORDS
from workflow.status import Status
from workflow.tokens import is_reporter_page_mac

ENDPOINTS = frozenset({"reporter_page", "reporter_comment", "reporter_feedback"})
COMMENT_LIMIT = 20000

@dataclass(frozen=True)
class PublicEntry:
    at: Any
    kind: str
    by_reporter: bool
    text: str
    new_status: str


@dataclass(frozen=True)
class ReporterPage:
    ticket: Ticket
    entries: list[PublicEntry]
    feedback: Feedback | None


def reporter_page(session: Session, ticket: Ticket) -> ReporterPage:
    """Only the public entries; who at the desk wrote them stays with the desk."""
    events = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                                       TicketEvent.public.is_(True))
                             .order_by(TicketEvent.at, TicketEvent.id))
    reporter = ticket.reporter.address
    entries = [PublicEntry(at=e.at, kind=e.kind, by_reporter=e.actor == reporter, text=e.note or "",
                           new_status=str((e.data or {}).get("to") or "") if e.kind == "status" else "")
               for e in events]
    return ReporterPage(ticket=ticket, entries=entries,
                        feedback=session.scalar(select(Feedback).where(Feedback.ticket_id == ticket.id)))


def signed_ticket(session: Session, secret: str, number: str, mac: str) -> Ticket | None:
    """The ticket of a valid link, else None (the caller answers 404 either way)."""
    number = number.strip().upper()[:40]
    if not is_reporter_page_mac(secret, number, mac):
        return None
    return session.scalar(select(Ticket).where(Ticket.number == number))


def register(app: Flask, services: WebServices, common: Callable[[], dict[str, Any]]) -> None:
    """The reporter's routes; `common` is the console's page context (web/app.py)."""
    secret = services.config.link_secret

    def language_of(ticket: Ticket) -> None:
        lang = ticket.reporter.language or services.desk.language
        g.lang = lang if lang in REPORTER_WORDS else "en"

    def show(number: str, mac: str, code: int = 200) -> ResponseReturnValue:
        with services.readers() as db:
            ticket = signed_ticket(db, secret, number, mac)
            if ticket is None:
                abort(404)
            language_of(ticket)
            page = reporter_page(db, ticket)
            return render_template("reporter.html", page=page, t=page.ticket, mac=mac,
                                   pw=REPORTER_WORDS[g.lang], closed=page.ticket.status == Status.CLOSED,
                                   **common()), code

    def act(number: str, mac: str, action: ReporterAction) -> ResponseReturnValue:
        if services.reporter_act is None:
            abort(404)
        with services.readers() as db:
            ticket = signed_ticket(db, secret, number, mac)
            if ticket is None:
                abort(404)
            language_of(ticket)
            number = ticket.number
        result = services.reporter_act(ReporterAction(number, action.comment, action.rating))
        pw = REPORTER_WORDS[g.lang]
        if result.refused:
            flash(pw.get("refused." + result.refused, result.refused), "error")
            return show(number, mac, code=422)
        if action.rating is not None:
            flash(pw["thanks_rating"], "done")
        elif result.ticket != number:
            flash(pw["thanks_new_ticket"].format(number=result.ticket), "done")
        else:
            flash(pw["thanks_comment"], "done")
        return redirect(url_for("reporter_page", number=number, mac=mac))

    @app.route("/r/<number>/<mac>", endpoint="reporter_page")
    def reporter_page_view(number: str, mac: str) -> ResponseReturnValue:
        return show(number, mac)

    @app.route("/r/<number>/<mac>/comment", methods=["POST"])
    def reporter_comment(number: str, mac: str) -> ResponseReturnValue:
        return act(number, mac, ReporterAction(number, comment=_text(request.form.get("comment"))))

    @app.route("/r/<number>/<mac>/feedback", methods=["POST"])
    def reporter_feedback(number: str, mac: str) -> ResponseReturnValue:
        try:
            rating = int(request.form.get("rating", ""))
        except ValueError:
            rating = 0          # refused by the rules with the reason, like any bad rating
        return act(number, mac, ReporterAction(number, comment=_text(request.form.get("comment")),
                                               rating=rating))


def _text(value: str | None) -> str:
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()[:COMMENT_LIMIT]
