"""Semantic checks of the merged configuration: each problem one sentence an operator can act on."""
from __future__ import annotations

from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.sla_config import closed_dates
from workflow.calendar import parse_clock_time, parse_weekdays
from workflow.people import AGENT_ROLES, REPORTER_ROLES
from workflow.policy import AUTH_METHODS
from workflow.priority import matrix_problems
from workflow.sla_sweep import BREACH_ACTIONS


def check(data: Mapping[str, Any]) -> list[str]:
    problems = _check_sla(data) + _check_matrix(data) + _check_desk(data)
    problems += _check_people(data) + _check_catalog(data) + _check_triage(data)
    problems += _check_auth(data) + _check_source(data)
    problems += _check_outbound(data)
    problems += _check_sla_policy(data) + _check_business_hours(data) + _check_schedule(data)
    problems += _check_reports(data)
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
    if desk["language"] not in data.get("labels", {}):
        problems.append(f"desk.language {desk['language']!r} has no [labels.{desk['language']}] table")
    if not isinstance(desk["reopen_window_days"], int) or desk["reopen_window_days"] < 0:
        problems.append("desk.reopen_window_days must be a whole number of days, 0 or more")
    return problems


def _check_people(data: Mapping[str, Any]) -> list[str]:
    problems = []
    levels = set(data["escalation"]["levels"])
    for i, agent in enumerate(data.get("agents", []), 1):
        where = f"[[agents]] #{i} ({agent.get('name', '?')})"
        if not agent.get("name") or not agent.get("addresses"):
            problems.append(f"{where} needs a name and at least one address")
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
    return problems


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
                ("batch_size", "batch_bytes", "max_message_bytes", "max_attachment_bytes")
                if not isinstance(source.get(key), int) or isinstance(source.get(key), bool) or source[key] <= 0]
    if source.get("kind") not in ("maildir", "imap"):
        problems.append(f"source.kind {source.get('kind')!r}: use maildir or imap")
    imap = source.get("imap", {})
    if imap.get("security") not in ("tls", "starttls", "plain"):
        problems.append(f"source.imap.security {imap.get('security')!r}: use tls, starttls or plain")
    return problems
