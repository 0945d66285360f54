"""The console as a Flask application. Security lives here, once, not per view:

- every POST needs the form's CSRF token (Flask-WTF), else 403;
- every page but the login pages needs a live session (web/auth.py), else the login page;
- the session cookie is HttpOnly, SameSite=Lax, Secure when web.base_url is https; it holds
  only the random session id and the CSRF token, and is made anew at every login;
- templates autoescape, so a subject with <script> is text; responses forbid framing and
  inline scripts (the console needs no JavaScript at all).

Views are thin: they read through web/queue.py and web/ticket_page.py and act only through
`services.act` (app/work.py), the same path as an agent's mail."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import structlog
from flask import Flask, abort, flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError, CSRFProtect
from jinja2 import FileSystemLoader, select_autoescape
from werkzeug.wrappers import Response

from models import Person, resources
from web import auth, forms, log_form, management, ops, public
from web.queue import read_filter, queue_page
from web.services import WebServices
from web.ticket_page import find_ticket, ticket_page
from web.words import LEVEL_NAMES, words
from workflow.notifications import Notification
from workflow.status import LABELS, Status

log = structlog.get_logger(__name__)

PUBLIC_ENDPOINTS = frozenset({"login", "login_link", "login_link_use", "static"}) | public.ENDPOINTS | ops.ENDPOINTS


def create_app(services: WebServices) -> Flask:
    app = Flask(__name__, template_folder=str(resources.templates() / "web"), static_folder=None)
    app.jinja_loader = FileSystemLoader(str(resources.templates() / "web"))
    app.jinja_env.autoescape = select_autoescape(enabled_extensions=("html",), default=True)
    app.config.update(
        SECRET_KEY=services.config.secret_key, SESSION_COOKIE_NAME="incidentdesk",
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=services.config.secure_cookies, WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=1024 * 1024, PREFERRED_URL_SCHEME="https" if services.config.secure_cookies else "http")
    CSRFProtect(app)
    app.extensions["incidentdesk"] = services
    _register_hooks(app, services)
    _register_views(app, services)
    public.register(app, services, _common)
    ops.register(app, services)
    management.register(app, services, _common)
    log_form.register(app, services, _common)
    return app


def _register_hooks(app: Flask, services: WebServices) -> None:
    @app.before_request
    def load_agent() -> ResponseReturnValue | None:
        g.agent = None
        sid = session.get("sid")
        if sid:
            with services.sessions.begin() as db:
                agent = auth.session_agent(db, sid, services.clock(),
                                           timedelta(minutes=services.config.idle_minutes))
                if agent is not None:
                    db.expunge(agent)
            g.agent = agent
            if agent is None:
                session.clear()
                if request.endpoint not in PUBLIC_ENDPOINTS:
                    flash(_words()["session_ended"], "info")
        if g.agent is None and request.endpoint not in PUBLIC_ENDPOINTS:
            return redirect(url_for("login", next=request.full_path if request.method == "GET" else None))
        return None

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy",
                                    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; "
                                    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.errorhandler(CSRFError)
    def csrf_refused(error: CSRFError) -> ResponseReturnValue:
        log.warning("web.csrf_refused", path=request.path, reason=error.description)
        return render_template("error.html", message=_words()["forbidden"], **_common()), 403

    @app.errorhandler(404)
    def not_found(_error: Exception) -> ResponseReturnValue:
        return render_template("error.html", message=_words()["not_found"], **_common()), 404

    @app.context_processor
    def helpers() -> dict[str, Any]:
        return {"local": lambda m: _local(services, m), "left": _left, "status_label": _status_label,
                "level_label": _level_label, "service_name": lambda c: services.desk.services.get(c or "", c or "-"),
                "category_name": lambda c: services.desk.categories.get(c or "", c or "-")}


def _lang() -> str:
    agent: Person | None = g.get("agent")
    services: WebServices = _services()
    # g.lang: a page that is not an agent's (the reporter's page speaks the reporter's language)
    lang = g.get("lang") or (agent.language if agent is not None else None) or services.desk.language
    return lang if lang in ("id", "en") else "en"


def _words() -> Any:
    return words(_lang())


def _services() -> WebServices:
    from flask import current_app
    return current_app.extensions["incidentdesk"]


def _common() -> dict[str, Any]:
    services = _services()
    return {"w": _words(), "lang": _lang(), "desk": services.desk, "agent": g.get("agent"),
            "now": services.clock()}


def _local(services: WebServices, moment: datetime | None) -> str:
    if moment is None:
        return "-"
    local = moment.astimezone(services.desk.timezone)
    return f"{local:%d-%m-%Y %H:%M} {local.tzname()}"


def _span(delta: timedelta) -> str:
    w = _words()
    minutes = int(abs(delta.total_seconds()) // 60)
    if minutes < 60:
        return w["minutes_short"].format(n=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return w["hours_short"].format(h=hours, m=minutes)
    days, hours = divmod(hours, 24)
    return w["days_short"].format(d=days, h=hours)


def _left(due: datetime, now: datetime) -> dict[str, Any]:
    """The time left to a deadline, or how long it is overdue, in words."""
    delta = due - now
    w = _words()
    overdue = delta.total_seconds() < 0
    return {"overdue": overdue, "text": (w["overdue"] if overdue else w["left"]).format(left=_span(delta)),
            "age": _span(delta)}


def _status_label(value: str) -> str:
    return LABELS.get(_lang(), LABELS["en"]).get(Status(value), value) if value in set(Status) else value


def _level_label(value: str | None) -> str:
    if not value:
        return "-"
    labels = _services().desk.labels.get(_lang(), {})
    return str(labels.get(value) or LEVEL_NAMES.get(_lang(), {}).get(value, value))


def _remote() -> str:
    return request.remote_addr or ""


def _login_as(services: WebServices, agent: Person) -> Response:
    """A new session: the old cookie's contents (and its CSRF token) are dropped."""
    with services.sessions.begin() as db:
        old = session.get("sid")
        if old:
            auth.end_session(db, old)
        sid = auth.start_session(db, agent, services.clock())
    session.clear()
    session["sid"] = sid
    target = request.args.get("next") or request.form.get("next") or ""
    return redirect(target if _own_path(target) else url_for("queue"))


def _own_path(target: str) -> bool:
    """A path on this console; browsers read `//host` and `/\\host` as another site."""
    return target.startswith("/") and not target.startswith(("//", "/\\")) and "\n" not in target


def _register_views(app: Flask, services: WebServices) -> None:
    @app.route("/login", methods=["GET", "POST"])
    def login() -> ResponseReturnValue:
        if request.method == "GET":
            return render_template("login.html", next=request.args.get("next", ""), **_common())
        address, password = request.form.get("address", ""), request.form.get("password", "")
        with services.sessions.begin() as db:
            result = auth.check_password(db, address, password, services.clock(), _remote())
            if result.agent is not None:
                db.expunge(result.agent)
        if result.agent is not None:
            return _login_as(services, result.agent)
        w = _words()
        if result.wait is not None:
            minutes = max(1, -(-int(result.wait.total_seconds()) // 60))
            message, code = w["throttled"].format(minutes=minutes), 429
        else:
            message, code = w["wrong_login"], 401
        return render_template("login.html", error=message, address=address,
                               next=request.form.get("next", ""), **_common()), code

    @app.route("/login/link", methods=["POST"])
    def login_link() -> ResponseReturnValue:
        now = services.clock()
        with services.sessions.begin() as db:
            made = auth.new_login_link(db, request.form.get("address", ""), now)
            if made is not None:
                agent, token = made
                base = services.config.base_url or request.url_root.rstrip("/")
                link = f"{base}{url_for('login_link_use', token=token)}"
                services.queue_mail(db, [Notification("login_link", agent.address, None,
                                                      {"link": link, "minutes": 15})], now)
        flash(_words()["link_sent"], "info")
        return redirect(url_for("login"))

    @app.route("/login/link/<token>", methods=["GET", "POST"])
    def login_link_use(token: str) -> ResponseReturnValue:
        # GET only shows a button: mail scanners that open links must not use up the token
        if request.method == "GET":
            return render_template("login_link.html", token=token, **_common())
        with services.sessions.begin() as db:
            agent = auth.use_login_link(db, token, services.clock())
            if agent is not None:
                db.expunge(agent)
        if agent is None:
            return render_template("login.html", error=_words()["link_invalid"], **_common()), 410
        return _login_as(services, agent)

    @app.route("/logout", methods=["POST"])
    def logout() -> ResponseReturnValue:
        sid = session.get("sid")
        if sid:
            with services.sessions.begin() as db:
                auth.end_session(db, sid)
        log.info("web.logout", agent=g.agent.address if g.agent else None)
        session.clear()
        flash(_words()["logged_out"], "info")
        return redirect(url_for("login"))

    @app.route("/")
    def queue() -> ResponseReturnValue:
        desk = services.desk
        wanted = read_filter(request.args, set(_priorities(services)), set(desk.services))
        with services.readers() as db:
            page = queue_page(db, wanted, g.agent.id, services.config.page_size)
        link = lambda **changes: "?" + urlencode(wanted.query(**changes))  # noqa: E731
        return render_template("queue.html", page=page, wanted=wanted, link=link,
                               priorities=_priorities(services), **_common())

    @app.route("/tickets/<number>")
    def ticket(number: str) -> ResponseReturnValue:
        return _ticket_view(services, number)

    @app.route("/tickets/<number>/<form>", methods=["POST"])
    def act(number: str, form: str) -> ResponseReturnValue:
        if form not in forms.FORMS:
            abort(404)
        with services.readers() as db:
            found = find_ticket(db, number)
        if found is None:
            abort(404)
        action = forms.build(form, found.number, g.agent.address, _lang(), request.form)
        result = services.act(action)
        if result.refused:
            return _ticket_view(services, found.number, refusals=result.refusals, failed_form=form,
                                code=422)
        for change in result.changes or (_words()["nothing_changed"],):
            flash(change, "done")
        return redirect(url_for("ticket", number=found.number) + f"#form-{form}")


def _priorities(services: WebServices) -> list[str]:
    return list(services.desk.priorities)


def _ticket_view(services: WebServices, number: str, refusals: Any = (), failed_form: str = "",
                 code: int = 200) -> ResponseReturnValue:
    with services.readers() as db:
        found = find_ticket(db, number)
        if found is None:
            abort(404)
        page = ticket_page(db, found)
    lang = _lang()
    reasons = [{"line": e.line, "text": e.message_id if lang == "id" else e.message_en} for e in refusals]
    return render_template("ticket.html", page=page, t=page.ticket, reasons=reasons,
                           failed_form=failed_form, form_values=request.form if refusals else {},
                           **_common()), code

