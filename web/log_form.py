"""The logging form (the paper's fig. 13): a report that came by phone or in person, typed by
an agent. Two steps, no JavaScript: "suggest" re-renders the form with the triage suggestion
(workflow/triage.py, through `services.suggest`) filled in where the agent chose nothing,
and "save" logs it through `services.log_report` (app/work.py, the same unit of work as
`incidentdesk log` and a `Pelapor:` mail). A refusal re-renders the form with every reason."""
from __future__ import annotations

from typing import Any, Callable, Mapping

from flask import Flask, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from models import Person
from web.forms import one_line, text
from web.services import WebServices
from web.words import LOG_WORDS
from workflow.command_grammar import keyword
from workflow.logged import LoggedReport

TRIAGE = ("service", "category", "urgency", "impact")
MAX_DIRECTORY = 500

def register(app: Flask, services: WebServices, common: Callable[[], dict[str, Any]]) -> None:
    """The /log page; `common` is what every console page gets (words, language, desk)."""

    @app.route("/log", methods=["GET", "POST"])
    def log_form() -> ResponseReturnValue:
        if services.log_report is None or services.suggest is None:
            abort(404)
        page = common()
        lang = page["lang"]
        values = {k: request.form.get(k, "") for k in ("channel", "name", "address", "phone", *TRIAGE)}
        values["subject"], values["description"] = one_line(request.form.get("subject")), text(request.form.get("description"))
        if request.method == "GET":
            return _render(services, page, values)
        report = _report(g.agent.address, lang, values)
        if request.form.get("step") != "save":
            suggestion = services.suggest(report)
            for name in TRIAGE:   # the agent's own choice stays; an empty one takes the suggestion
                values[name] = values[name] or (getattr(suggestion, name) or "")
            return _render(services, page, values, suggestion=suggestion)
        result = services.log_report(report)
        if result.refusals:
            reasons = [{"line": e.line, "text": e.message_id if lang == "id" else e.message_en}
                       for e in result.refusals]
            return _render(services, page, values, reasons=reasons), 422
        for change in result.changes:
            flash(change, "done")
        return redirect(url_for("ticket", number=result.number))


def _report(agent: str, lang: str, values: Mapping[str, str]) -> LoggedReport:
    """The form as the grammar's lines (one value per line, as the ticket page's forms)."""
    lines = tuple(f"{keyword(lang, name)}: {one_line(values[name])}" for name in TRIAGE if one_line(values[name]))
    return LoggedReport(agent=agent, channel="walk_in" if values["channel"] == "walk_in" else "phone",
                        name=one_line(values["name"]), address=one_line(values["address"]),
                        phone=one_line(values["phone"]), subject=values["subject"],
                        description=values["description"], lines=lines, lang=lang)


def _render(services: WebServices, page: dict[str, Any], values: Mapping[str, str], *,
            suggestion: Any = None, reasons: Any = ()) -> str:
    with services.readers() as db:   # the directory for the address field
        directory = [(p.address, p.name) for p in db.scalars(
            select(Person).where(Person.is_primary, ~Person.address.startswith("tel:"))
            .order_by(Person.name, Person.address).limit(MAX_DIRECTORY))]
    return render_template("log.html", v=values, lw=LOG_WORDS[page["lang"]], suggestion=suggestion,
                           reasons=reasons, directory=directory, **page)
