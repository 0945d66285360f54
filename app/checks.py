"""Semantic checks of the merged configuration: each problem one sentence an operator can act on."""
from __future__ import annotations

from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from app.sections import closed_dates
from ingest.sender import is_address
from workflow.business_hours import parse_clock_time, parse_weekdays
from workflow.people import AGENT_ROLES, REPORTER_ROLES
from workflow.phones import known_region, normalise_phone
from workflow.policy import ASSIGNEE, AUTH_METHODS
from workflow.priority import matrix_problems
from workflow.sla_sweep import BREACH_ACTIONS

LANGUAGES = ("id", "en")   # the template folders (outbound.render.Renderer's languages)


def check(data: Mapping[str, Any]) -> list[str]:
    problems = _check_sla(data) + _check_matrix(data) + _check_desk(data)
    problems += _check_people(data) + _check_catalog(data) + _check_triage(data)
    problems += _check_auth(data) + _check_source(data) + _check_database(data)
    problems += _check_outbound(data) + _check_sms(data)
    problems += _check_sla_policy(data) + _check_business_hours(data) + _check_schedule(data)
    problems += _check_reports(data) + _check_web(data) + _check_workflow(data)
    return problems


def _check_sla(data: Mapping[str, Any]) -> list[str]:
    problems = []
    for priority, row in data["sla"].items():
        if not isinstance(row, dict):
            problems.append(f"sla.{priority} must be a table with response_minutes and resolution_minutes")
            continue
        for key in ("response_minutes", "resolution_minutes"):
            value = row.get(key)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                problems.append(f"sla.{priority}.{key} must be a positive whole number of minutes")
        if all(isinstance(row.get(k), int) for k in ("response_minutes", "resolution_minutes")) \
                and row["response_minutes"] > row["resolution_minutes"]:
            problems.append(f"sla.{priority}: response target is longer than resolution target")
    used = {p for row in data["priority"]["matrix"].values() if isinstance(row, dict) for p in row.values()}
    problems += [f"priority {p} is used in the priority matrix but has no SLA row [sla.{p}]"
                 for p in sorted(used - set(data["sla"]))]
    return problems


def _check_matrix(data: Mapping[str, Any]) -> list[str]:
    levels = data["priority"].get("levels", [])
    raw = data["priority"].get("matrix", {})
    if not levels or not all(isinstance(r, dict) for r in raw.values()):
        return ["priority.levels must list the levels and priority.matrix must have one table per urgency"]
    matrix = {(u, i): p for u, row in raw.items() for i, p in row.items()}
    return matrix_problems(levels, matrix, list(data["sla"]))


def _check_desk(data: Mapping[str, Any]) -> list[str]:
    desk = data["desk"]
    problems = []
    try:
        ZoneInfo(str(desk["timezone"]))
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"desk.timezone {desk['timezone']!r} is not a known time zone (e.g. Asia/Makassar)")
    if "@" not in str(desk["address"]):
        problems.append("desk.address must be the service desk's mail address")
    if desk["language"] not in LANGUAGES:
        problems.append(f"desk.language {desk['language']!r} is not supported; use {' or '.join(LANGUAGES)}")
    elif desk["language"] not in data.get("labels", {}):
        problems.append(f"desk.language {desk['language']!r} has no [labels.{desk['language']}] table")
    if not isinstance(desk["reopen_window_days"], int) or desk["reopen_window_days"] < 0:
        problems.append("desk.reopen_window_days must be a whole number of days, 0 or more")
    return problems


def _check_people(data: Mapping[str, Any]) -> list[str]:
    if not all(isinstance(v, list) and all(isinstance(i, dict) for i in v)
               for v in (data.get("agents", []), data.get("reporters", []))):
        return []   # unknown_keys said: must be a list of tables ([[agents]])
    problems = []
    levels = set(data["escalation"]["levels"])
    for i, agent in enumerate(data.get("agents", []), 1):
        where = f"[[agents]] #{i} ({agent.get('name', '?')})"
        addresses = agent.get("addresses")
        if not agent.get("name") or not addresses:
            problems.append(f"{where} needs a name and at least one address")
        elif not isinstance(addresses, list):
            problems.append(f'{where}: addresses must be a list, e.g. ["rina@posbalikpapan.example"]')
        else:
            problems += [f"{where}: {a!r} is not a mail address (name@domain)"
                         for a in addresses if not _address(a)]
        problems += _language_problem(where, agent.get("language"))
        problems += _phone_problem(where, agent.get("phone"), data)
        if agent.get("role") not in AGENT_ROLES:
            problems.append(f"{where}: role must be one of {', '.join(sorted(AGENT_ROLES))}")
        if agent.get("level") is not None and agent["level"] not in levels:
            problems.append(f"{where}: level {agent['level']} is not an escalation level")
    names = [str(a.get("name", "")).casefold() for a in data.get("agents", [])]
    problems += [f"[[agents]] name {n!r} is used twice; Assign and Escalate name agents, so names "
                 "must be unique" for n in sorted({n for n in names if n and names.count(n) > 1})]
    for i, rep in enumerate(data.get("reporters", []), 1):
        if rep.get("role") not in REPORTER_ROLES or "@" not in str(rep.get("address", "")):
            problems.append(f"[[reporters]] #{i} needs an address and a role in "
                            f"{', '.join(sorted(REPORTER_ROLES))}")
        elif not _address(rep["address"]):
            problems.append(f"[[reporters]] #{i}: {rep['address']!r} is not a mail address (name@domain)")
        problems += _language_problem(f"[[reporters]] #{i}", rep.get("language"))
        problems += _phone_problem(f"[[reporters]] #{i}", rep.get("phone"), data)
    return problems


def _phone_problem(where: str, phone: Any, data: Mapping[str, Any]) -> list[str]:
    """A directory phone must be a mobile number; the message does not repeat it (the
    problems may end up in a log, and a number is personal data)."""
    if phone is None:
        return []
    region = str(data["sms"]["default_region"])
    if not isinstance(phone, str) or normalise_phone(phone, region if known_region(region) else "ID") is None:
        return [f'{where}: phone is not a valid mobile number; write it as "+62812..." or "0812..."']
    return []


def _check_sms(data: Mapping[str, Any]) -> list[str]:
    """[sms] and [sms.kannel]: SMS notices through Kannel's sendsms (README "SMS notifications")."""
    sms, kannel = data["sms"], data["sms"]["kannel"]
    problems = []
    if sms["transport"] not in ("none", "kannel"):
        problems.append(f"sms.transport {sms['transport']!r}: use none or kannel")
    if not _whole(sms["max_attempts"], 1):
        problems.append("sms.max_attempts must be a whole number, 1 or more")
    priorities = sms["agent_priorities"]
    if not isinstance(priorities, list) or not all(p in data["sla"] for p in priorities):
        problems.append(f"sms.agent_priorities must list priorities of [sla] ({', '.join(data['sla'])})")
    if not known_region(str(sms["default_region"])):
        problems.append(f"sms.default_region {sms['default_region']!r} is not a region code such as \"ID\"")
    if sms["transport"] == "kannel":
        if not str(kannel["sendsms_url"]).startswith(("http://", "https://")):
            problems.append("sms.transport is kannel: set sms.kannel.sendsms_url to smsbox's "
                            "http://host:port/cgi-bin/sendsms")
        if not str(kannel["username"]).strip():
            problems.append("sms.transport is kannel: set sms.kannel.username (a sendsms-user of kannel.conf)")
    dlr = str(kannel["dlr_url"])
    if dlr and not dlr.startswith(("http://", "https://")):
        problems.append('sms.kannel.dlr_url must be an http:// or https:// URL, or "" for none')
    if not _whole(kannel["dlr_mask"], 0) or kannel["dlr_mask"] > 31:
        problems.append("sms.kannel.dlr_mask must be Kannel's dlr-mask, a whole number from 0 to 31")
    timeout = kannel["timeout_seconds"]
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
        problems.append("sms.kannel.timeout_seconds must be a number of seconds above 0")
    return problems


def _address(value: Any) -> bool:
    """One plain address the desk can store and mail (not "Name <a@b>", not two)."""
    return isinstance(value, str) and is_address(value.strip())


def _language_problem(where: str, language: Any) -> list[str]:
    if language is None or language in LANGUAGES:
        return []
    return [f"{where}: language {language!r} is not supported; use {' or '.join(LANGUAGES)}"]


def _check_database(data: Mapping[str, Any]) -> list[str]:
    """A URL the desk can open: SQLite, or PostgreSQL with an installed driver (psycopg)."""
    url = data["database"].get("url")
    hint = "use sqlite:///var/incidentdesk.db or postgresql+psycopg://user@host/db"
    if not isinstance(url, str):
        return [f"database.url must be a text; {hint}"]
    try:
        parsed = make_url(url)
    except ArgumentError:
        return [f"database.url {_masked_url(url)!r} is not a database URL; {hint}"]
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        return [f"database.url: {parsed.get_backend_name()!r} is not supported; {hint}"]
    try:
        dialect = parsed.get_dialect()
    except NoSuchModuleError:
        return [f"database.url: {parsed.drivername!r} is not a driver SQLAlchemy knows; {hint}"]
    try:
        dialect.import_dbapi()
    except ImportError:
        return [f"database.url {parsed.drivername!r} needs the Python driver {dialect.driver!r}, "
                f"which is not installed; {hint}"]
    return []


def _masked_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.split("@")[-1] if "@" in url else url


def _check_catalog(data: Mapping[str, Any]) -> list[str]:
    problems = []
    for table in ("services", "categories"):
        codes = [item.get("code") for item in data.get(table, [])]
        if any(not c for c in codes):
            problems.append(f"every [[{table}]] entry needs a code")
        dupes = sorted({c for c in codes if c and codes.count(c) > 1})
        problems += [f"[[{table}]] code {c!r} appears twice" for c in dupes]
    return problems


def _check_triage(data: Mapping[str, Any]) -> list[str]:
    levels = set(data["priority"].get("levels", []))
    t = data["triage"]
    problems = [f"triage.{key} {t[key]!r} is not a level ({', '.join(sorted(levels))})"
                for key in ("default_urgency", "default_impact") if t.get(key) not in levels]
    for table in ("role_urgency", "outage_words", "impact_words"):
        values = t.get(table, {})
        names = values.values() if table == "role_urgency" else values.keys()
        problems += [f"triage.{table} names {v!r}, not a level" for v in names if v not in levels]
    return problems


def _check_auth(data: Mapping[str, Any]) -> list[str]:
    auth = data["auth"]
    methods = auth.get("methods")
    problems = []
    if not isinstance(methods, list) or not methods:
        problems.append("auth.methods must list at least one of " + ", ".join(sorted(AUTH_METHODS))
                        + "; with none, no agent command is ever accepted")
    else:
        problems += [f"auth.methods: unknown method {m!r}; use {', '.join(sorted(AUTH_METHODS))}"
                     for m in methods if m not in AUTH_METHODS]
    if auth.get("alignment") not in ("relaxed", "strict"):
        problems.append(f"auth.alignment {auth.get('alignment')!r}: use relaxed or strict")
    authserv_id = auth.get("authserv_id")
    if not isinstance(authserv_id, str) or any(c.isspace() or c == ";" for c in authserv_id):
        problems.append("auth.authserv_id must be your MTA's authserv-id as one word "
                        "(e.g. mx.posbalikpapan.example), or \"\" to trust no Authentication-Results")
    return problems


def _check_sla_policy(data: Mapping[str, Any]) -> list[str]:
    policy = data["sla_policy"]
    problems = []
    share = policy.get("warning_share")
    if not _number(share) or not 0 <= share < 1:
        problems.append("sla_policy.warning_share must be a number from 0 (no warnings) to below 1, e.g. 0.75")
    for key in ("on_response_breach", "on_resolution_breach"):
        if policy.get(key) not in BREACH_ACTIONS:
            problems.append(f"sla_policy.{key} {policy.get(key)!r}: use {', '.join(BREACH_ACTIONS)}")
    return problems


def _check_business_hours(data: Mapping[str, Any]) -> list[str]:
    hours = data["business_hours"]
    problems = []
    try:
        if not parse_weekdays(hours["days"]):
            problems.append("business_hours.days must name at least one weekday")
        if parse_clock_time(hours["closes"]) <= parse_clock_time(hours["opens"]):
            problems.append("business_hours.closes must be later than business_hours.opens")
        closed_dates(hours["closed_dates"])
    except (TypeError, ValueError) as exc:
        problems.append(f"business_hours: {exc}")
    if hours["timezone"]:
        try:
            ZoneInfo(str(hours["timezone"]))
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"business_hours.timezone {hours['timezone']!r} is not a known time zone")
    problems += [f"business_hours.around_the_clock names {p!r}, which has no [sla.{p}] row"
                 for p in hours["around_the_clock"] if p not in data["sla"]]
    if hours["enabled"] and hours["holiday_country"]:
        problems += _check_holidays(str(hours["holiday_country"]), str(hours["holiday_subdivision"]))
    return problems


def _check_holidays(country: str, subdivision: str) -> list[str]:
    import holidays  # only when business hours are on: the import is slow

    supported = holidays.list_supported_countries()
    if country not in supported:
        return [f"business_hours.holiday_country {country!r} is not a country the holidays package knows"]
    if subdivision and subdivision not in supported[country]:
        known = ", ".join(supported[country]) or "none"
        return [f"business_hours.holiday_subdivision {subdivision!r} is not a subdivision of "
                f"{country} (known: {known})"]
    return []


def _check_schedule(data: Mapping[str, Any]) -> list[str]:
    sched = data["schedule"]
    problems = [f"schedule.{key} must be a number of seconds above 0"
                for key in ("poll_seconds", "flush_seconds", "sla_seconds", "poll_lease_seconds")
                if not _number(sched.get(key)) or sched[key] <= 0]
    digest_at = sched.get("digest_at")
    if digest_at != "":
        try:
            parse_clock_time(str(digest_at))
        except ValueError:
            problems.append(f"schedule.digest_at {digest_at!r}: a time of day like 07:30, or \"\" for no digest")
    return problems


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_reports(data: Mapping[str, Any]) -> list[str]:
    """[report], [digest] and [problems]."""
    report, digest, rules = data["report"], data["digest"], data["problems"]
    problems = []
    if report.get("status") not in ("closed", "all"):
        problems.append(f"report.status {report.get('status')!r}: use closed or all")
    if report.get("format") not in ("html", "csv", "json"):
        problems.append(f"report.format {report.get('format')!r}: use html, csv or json")
    recipients = digest.get("recipients")
    if not isinstance(recipients, list) or not all(isinstance(r, str) and "@" in r for r in recipients):
        problems.append("digest.recipients must be a list of mail addresses")
    if not _whole(digest.get("oldest_open"), 0):
        problems.append("digest.oldest_open must be a whole number, 0 or more")
    roles = digest.get("roles")
    if not isinstance(roles, list) or not all(isinstance(r, str) and r in AGENT_ROLES for r in roles):
        problems.append(f"digest.roles must be a list of agent roles: {', '.join(sorted(AGENT_ROLES))}")
    if not _whole(rules.get("threshold"), 2):
        problems.append("problems.threshold must be a whole number of incidents, 2 or more")
    if not _whole(rules.get("window_days"), 1):
        problems.append("problems.window_days must be a whole number of days, 1 or more")
    return problems


def _whole(value: Any, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def _check_outbound(data: Mapping[str, Any]) -> list[str]:
    out, smtp = data["outbound"], data["outbound"]["smtp"]
    problems = []
    if out["transport"] not in ("files", "smtp"):
        problems.append(f"outbound.transport {out['transport']!r}: use files or smtp")
    if out["transport"] == "smtp" and not str(smtp["host"]).strip():
        problems.append("outbound.transport is smtp: set outbound.smtp.host")
    if smtp["security"] not in ("starttls", "tls", "plain"):
        problems.append(f"outbound.smtp.security {smtp['security']!r}: use starttls, tls or plain")
    for key, value, low in (("outbound.max_attempts", out["max_attempts"], 1),
                            ("outbound.acks_per_sender_per_hour", out["acks_per_sender_per_hour"], 0),
                            ("outbound.smtp.port", smtp["port"], 1)):
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            problems.append(f"{key} must be a whole number, {low} or more")
    timeout = smtp["timeout_seconds"]
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
        problems.append("outbound.smtp.timeout_seconds must be a number of seconds above 0")
    envelope = str(smtp["envelope_from"])
    if envelope not in ("", "<>") and "@" not in envelope:
        problems.append('outbound.smtp.envelope_from must be an address, "<>" (null sender) or "" (desk.address)')
    never = out["never_mail"]
    if not isinstance(never, list) or not all(isinstance(p, str) and p.strip() for p in never):
        problems.append('outbound.never_mail must be a list of address patterns, e.g. ["noreply@*"]')
    return problems


def _check_source(data: Mapping[str, Any]) -> list[str]:
    source = data["source"]
    problems = [f"source.{key} must be a whole number above 0" for key in
                ("batch_size", "batch_bytes", "max_message_bytes", "max_attachment_bytes", "max_attempts")
                if not isinstance(source.get(key), int) or isinstance(source.get(key), bool) or source[key] <= 0]
    if source.get("kind") not in ("maildir", "imap"):
        problems.append(f"source.kind {source.get('kind')!r}: use maildir or imap")
    imap = source.get("imap", {})
    if imap.get("security") not in ("tls", "starttls", "plain"):
        problems.append(f"source.imap.security {imap.get('security')!r}: use tls, starttls or plain")
    if source.get("kind") == "imap" and not (imap.get("host") and imap.get("username")):
        problems.append("source.kind is imap: set source.imap.host and source.imap.username")
    monitors = source.get("monitoring_senders")
    if not isinstance(monitors, list) or not all(isinstance(p, str) and p.strip() for p in monitors):
        problems.append('source.monitoring_senders must be a list of address patterns, e.g. ["zabbix@*"]')
    return problems


def _check_web(data: Mapping[str, Any]) -> list[str]:
    """[web]: the console's address, its links in mails, its sessions."""
    web = data["web"]
    problems = []
    base = web.get("base_url")
    if not isinstance(base, str) or (base and not (
            base.startswith(("https://", "http://")) and len(base.split("://", 1)[1].strip("/")) > 0
            and not any(c.isspace() or c in "?#" for c in base))):
        problems.append('web.base_url must be where agents open the console, e.g. '
                        '"https://servicedesk.posbalikpapan.example", or "" for the address the browser used')
    if not isinstance(web.get("host"), str) or not web["host"].strip():
        problems.append('web.host must be the address to listen on, e.g. "127.0.0.1"')
    port = web.get("port")
    if not _whole(port, 0) or port > 65535:
        problems.append("web.port must be a port number from 1 to 65535 (0: any free port)")
    for key, low in (("threads", 1), ("idle_minutes", 1), ("page_size", 1)):
        if not _whole(web.get(key), low):
            problems.append(f"web.{key} must be a whole number, {low} or more")
    if not isinstance(web.get("trusted_proxy"), str):
        problems.append('web.trusted_proxy must be the reverse proxy\'s address, e.g. "127.0.0.1", or ""')
    allow = web.get("metrics_allow")
    if not isinstance(allow, list) or not all(isinstance(a, str) and a.strip() for a in allow):
        problems.append('web.metrics_allow must be a list of client addresses, e.g. ["127.0.0.1", "::1"], or ["*"]')
    return problems


def _check_workflow(data: Mapping[str, Any]) -> list[str]:
    w = data["workflow"]
    allowed = AGENT_ROLES | {ASSIGNEE}
    roles = w.get("close_roles")
    if not isinstance(roles, list) or not roles or not all(isinstance(r, str) for r in roles):
        problems = ["workflow.close_roles must be a non-empty list of roles"]
    else:
        problems = [f"workflow.close_roles names {r!r}, not a role ({', '.join(sorted(allowed))})"
                    for r in roles if r not in allowed]
    for key in ("reopen", "confirmations", "thanks", "fillers"):
        value = w.get("closed_reply", {}).get(key)
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            problems.append(f"workflow.closed_reply.{key} must be a list of words")
    return problems
