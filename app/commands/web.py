"""web and passwd: the console (`incidentdesk web`, served by waitress) and agents' passwords."""
from __future__ import annotations

import argparse
import getpass
import hashlib
import hmac
import sys
from datetime import date

import structlog
import waitress

from app import work
from app.commands.common import runtime_from
from app.config import ConfigError
from app.report_request import ReportRequest, make_report
from app.runtime import Runtime
from web import auth
from web.app import create_app
from outbound.context import build_context
from outbound.digest_facts import digest_facts
from web.services import DeskFacts, ReportFile, WebConfig, WebServices
from workflow.digest_figures import build_digest

log = structlog.get_logger(__name__)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("web", help="serve the web console (see README \"Web console\")")
    p.add_argument("--host", help="listen address (default web.host)")
    p.add_argument("--port", type=int, help="port (default web.port; 0 = any free port)")
    p.set_defaults(handler=cmd_web)
    p = sub.add_parser("passwd", help="set an agent's console password (stdin when not a terminal)")
    p.add_argument("address", help="one of the agent's addresses in [[agents]]")
    p.set_defaults(handler=cmd_passwd)


def web_services(rt: Runtime) -> WebServices:
    """What the console gets from the composition root: facts, sessions, and the unit of
    work of app/work.py as its only way to act on tickets and to queue mail."""
    s = rt.settings
    if not s.desk.secret:
        raise ConfigError(["the console signs its cookies with the desk's secret: run "
                           "`incidentdesk init` (it stores one) or set INCIDENTDESK_SECRET"])
    desk = DeskFacts(name=s.desk.name, organisation=s.desk.organisation, timezone=s.desk.timezone,
                     language=s.desk.language, services=dict(s.catalog.services),
                     categories=dict(s.catalog.categories), levels=tuple(s.policy.levels),
                     priorities=tuple(sorted(s.policy.sla)), labels=s.labels,
                     escalation_levels=tuple(s.policy.escalation_levels),
                     vocabulary=s.policy.vocabulary)
    key = hmac.new(s.desk.secret.encode(), b"incidentdesk web session", hashlib.sha256).digest()
    config = WebConfig(base_url=s.web.base_url, secret_key=key, secure_cookies=s.web.secure,
                       idle_minutes=s.web.idle_minutes, page_size=s.web.page_size,
                       link_secret=s.desk.secret,
                       metrics_allow=s.web.metrics_allow,
                       poll_stale_seconds=max(POLL_STALE_FLOOR, POLL_STALE_POLLS * s.schedule.poll_seconds))
    return WebServices(desk=desk, config=config, sessions=rt.sessions, readers=rt.readers,
                       act=lambda action: work.agent_action(rt, action),
                       queue_mail=lambda session, notes, at: work.queue_mail(rt, session, notes, at),
                       clock=rt.clock,
                       reporter_act=lambda action: work.reporter_action(rt, action),
                       report=lambda *asked: report_file(rt, *asked),
                       digest_html=lambda day, lang: digest_html(rt, day, lang),
                       log_report=lambda report: work.log_report(rt, report),
                       suggest=lambda report: work.triage_suggestion(rt, report))


POLL_STALE_POLLS = 5           # /healthz fails after five poll intervals without a good poll
POLL_STALE_FLOOR = 300.0       # and never sooner than five minutes
MEDIA_TYPES = {"html": "text/html", "csv": "text/csv", "json": "application/json"}


def report_file(rt: Runtime, first: date, last: date, status: str, service: str, fmt: str,
                lang: str) -> ReportFile:
    """The console's report: app/report_request.py make_report, the same bytes as `incidentdesk report`."""
    request = ReportRequest(first=first, last=last, status=status,  # type: ignore[arg-type]
                            service=service or None, format=fmt, language=lang)
    _data, body = make_report(rt, request)
    name = f"incidentdesk-report-{first.isoformat()}-{last.isoformat()}.{fmt}"
    return ReportFile(body=body, media_type=MEDIA_TYPES[fmt], filename=name)


def digest_html(rt: Runtime, day: date, lang: str) -> str:
    """The digest of `day` as its mail's HTML part: the same figures and template as the
    morning mail (workflow/digest_figures.py build_digest, outbound/digest_facts.py digest_facts),
    read now, queued to nobody."""
    with rt.readers() as session:
        data = build_digest(session, day, rt.desk.timezone, rt.settings.policy,
                            rt.settings.problems, rt.settings.digest.oldest_open, rt.clock())
    context = build_context(rt.desk, None, lang, digest_facts(data, rt.desk))
    return rt.renderer.render("digest", lang, context).html


def cmd_web(args: argparse.Namespace) -> int:
    rt = runtime_from(args)
    web = rt.settings.web
    app = create_app(web_services(rt))
    host = args.host or web.host
    port = web.port if args.port is None else args.port
    proxy = {"trusted_proxy": web.trusted_proxy,
             "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"}} \
        if web.trusted_proxy else {}
    server = waitress.create_server(app, host=host, port=port, threads=web.threads, ident="incidentdesk",
                                    **proxy)
    log.info("web.listening", url=f"http://{host}:{server.effective_port}", threads=web.threads,
             base_url=web.base_url or None)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        rt.close()
    return 0


def read_password() -> str:
    """Twice at a terminal; one line from stdin otherwise (for scripts)."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("new password: ")
    if getpass.getpass("again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def cmd_passwd(args: argparse.Namespace) -> int:
    try:
        password = read_password()
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    if len(password) < 10:
        print("the password needs at least 10 characters", file=sys.stderr)
        return 2
    rt = runtime_from(args)
    try:
        with rt.sessions.begin() as session:
            agent = auth.set_password(session, args.address, password, rt.clock())
    except LookupError as exc:
        print(exc, file=sys.stderr)
        return 2
    finally:
        rt.close()
    log.info("web.password_set", agent=agent.address)
    print(f"password set for {agent.name} <{agent.address}>; their console sessions ended")
    return 0
