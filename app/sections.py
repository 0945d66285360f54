"""The typed sections of the configuration, built once from the checked tables.

Downstream code reads `settings.source.batch_size`, never `settings.raw["source"]
["batch_size"]`: a value is converted and resolved (paths against the base folder, the
time zone as a ZoneInfo, secrets kept out of reprs) in exactly one place, here, and a
wrong type is found by the type checker instead of at 3 a.m. `Settings.raw` stays only
for `check-config --print`."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal, Mapping
from zoneinfo import ZoneInfo

from ingest.authentication import AuthenticationSettings
from ingest.imap_source import ImapSettings
from outbound.sms_transport import KannelSettings
from outbound.smtp_transport import SmtpSettings
from workflow.business_hours import BusinessHours, Calendar, PublicHolidays, parse_clock_time, parse_weekdays
from workflow.problems import ProblemRules
from workflow.sla_sweep import SlaRules


@dataclass(frozen=True)
class DeskSettings:
    name: str
    organisation: str
    address: str                       # lowercased
    timezone: ZoneInfo
    language: str
    secret: str = field(default="", repr=False)
    secret_configured: bool = False    # desk.secret / INCIDENTDESK_SECRET, not the one `init` stored


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = field(repr=False)       # may hold a password
    busy_timeout_seconds: float


@dataclass(frozen=True)
class SourceSettings:
    kind: str                          # maildir | imap
    maildir: Path
    batch_size: int
    batch_bytes: int
    max_message_bytes: int
    max_attachment_bytes: int
    max_attempts: int
    monitoring_senders: tuple[str, ...]
    imap: ImapSettings


@dataclass(frozen=True)
class OutboundSettings:
    transport: str                     # files | smtp
    outbox_dir: Path
    max_attempts: int
    acks_per_sender_per_hour: int
    never_mail: tuple[str, ...]
    smtp: SmtpSettings


@dataclass(frozen=True)
class SmsSettings:
    """[sms]: ticket notices by SMS as well (README "SMS notifications")."""

    transport: str                     # none | kannel
    max_attempts: int
    agent_priorities: frozenset[str]   # agents get SMS for tickets of these priorities
    default_region: str                # how a number without +country is read
    kannel: KannelSettings

    @property
    def enabled(self) -> bool:
        return self.transport != "none"


@dataclass(frozen=True)
class DigestSettings:
    recipients: tuple[str, ...]
    oldest_open: int
    roles: tuple[str, ...] = ("head_of_soltek", "head_of_office", "management")   # agents who receive it


@dataclass(frozen=True)
class ReportSettings:
    status: Literal["closed", "all"]   # checked by app/checks.py
    format: str                        # html | csv | json


@dataclass(frozen=True)
class WebSettings:
    """[web]: the console (`incidentdesk web`). base_url is what links in mails start with."""

    base_url: str                      # "" = the address the browser used; no trailing slash
    host: str
    port: int
    threads: int
    idle_minutes: int
    page_size: int
    trusted_proxy: str                 # "" = none; else the proxy whose X-Forwarded-* headers count
    metrics_allow: tuple[str, ...] = ("127.0.0.1", "::1")   # who may read /metrics ("*" = anyone)

    @property
    def secure(self) -> bool:
        """Cookies are Secure when the console is served over https."""
        return self.base_url.startswith("https://")


@dataclass(frozen=True)
class Catalog:
    """The configured services and categories: code -> name."""

    services: Mapping[str, str]
    categories: Mapping[str, str]


def resolve(base: Path, value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else base / path


def desk_settings(data: Mapping[str, Any], configured_secret: bool = True) -> DeskSettings:
    desk = data["desk"]
    return DeskSettings(name=desk["name"], organisation=desk["organisation"],
                        address=desk["address"].lower(), timezone=ZoneInfo(desk["timezone"]),
                        language=desk["language"], secret=desk["secret"],
                        secret_configured=configured_secret and bool(desk["secret"]))


def database_settings(data: Mapping[str, Any], base: Path) -> DatabaseSettings:
    db = data["database"]
    return DatabaseSettings(url=database_url(db["url"], base),
                            busy_timeout_seconds=float(db["busy_timeout_seconds"]))


def database_url(url: str, base: Path) -> str:
    """A relative SQLite path is relative to the base folder, like every other path."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite:///:memory:":
        return prefix + str(base / url[len(prefix):])
    return url


def source_settings(data: Mapping[str, Any], base: Path) -> SourceSettings:
    source = data["source"]
    return SourceSettings(
        kind=source["kind"], maildir=resolve(base, source["maildir"]),
        batch_size=int(source["batch_size"]), batch_bytes=int(source["batch_bytes"]),
        max_message_bytes=int(source["max_message_bytes"]),
        max_attachment_bytes=int(source["max_attachment_bytes"]),
        max_attempts=int(source["max_attempts"]),
        monitoring_senders=tuple(str(p).lower() for p in source.get("monitoring_senders", ())),
        imap=imap_settings(source))


def imap_settings(source: Mapping[str, Any]) -> ImapSettings:
    imap = source["imap"]
    return ImapSettings(
        host=imap["host"], port=int(imap["port"]), username=imap["username"],
        password=imap["password"], oauth2_token=imap["oauth2_token"], security=imap["security"],
        allow_plain=bool(imap["allow_plain"]), folder=imap["folder"],
        processed_folder=imap["processed_folder"], quarantine_folder=imap["quarantine_folder"],
        max_bytes=int(source["max_message_bytes"]), batch_bytes=int(source["batch_bytes"]),
        timeout=float(imap["timeout_seconds"]), ca_file=imap["ca_file"])


def outbound_settings(data: Mapping[str, Any], base: Path) -> OutboundSettings:
    out = data["outbound"]
    return OutboundSettings(
        transport=out["transport"], outbox_dir=resolve(base, out["outbox_dir"]),
        max_attempts=int(out["max_attempts"]),
        acks_per_sender_per_hour=int(out["acks_per_sender_per_hour"]),
        never_mail=tuple(str(p).lower() for p in out["never_mail"]),
        smtp=smtp_settings(out["smtp"], base))


def smtp_settings(smtp: Mapping[str, Any], base: Path) -> SmtpSettings:
    return SmtpSettings(
        host=smtp["host"], port=int(smtp["port"]), security=smtp["security"],
        username=smtp["username"], password=smtp["password"], allow_plain=bool(smtp["allow_plain"]),
        ca_file=str(resolve(base, smtp["ca_file"])) if smtp["ca_file"] else "",
        timeout=float(smtp["timeout_seconds"]), envelope_from=smtp["envelope_from"],
        helo_name=smtp["helo_name"])


def sms_settings(data: Mapping[str, Any]) -> SmsSettings:
    sms = data["sms"]
    kannel = sms["kannel"]
    return SmsSettings(
        transport=str(sms["transport"]), max_attempts=int(sms["max_attempts"]),
        agent_priorities=frozenset(sms["agent_priorities"]), default_region=str(sms["default_region"]),
        kannel=KannelSettings(
            sendsms_url=str(kannel["sendsms_url"]), username=str(kannel["username"]),
            password=str(kannel["password"]), sender=str(kannel["sender"]),
            dlr_url=str(kannel["dlr_url"]), dlr_mask=int(kannel["dlr_mask"]),
            timeout=float(kannel["timeout_seconds"])))


def auth_settings(data: Mapping[str, Any]) -> AuthenticationSettings:
    auth = data["auth"]
    return AuthenticationSettings(str(auth["authserv_id"]).strip(), frozenset(auth["methods"]),
                                  str(auth["alignment"]))


def problem_rules(data: Mapping[str, Any]) -> ProblemRules:
    rules = data["problems"]
    return ProblemRules(threshold=int(rules["threshold"]), window=timedelta(days=int(rules["window_days"])))


def digest_settings(data: Mapping[str, Any]) -> DigestSettings:
    digest = data["digest"]
    return DigestSettings(recipients=tuple(digest["recipients"]), oldest_open=int(digest["oldest_open"]),
                          roles=tuple(str(r) for r in digest["roles"]))


def report_settings(data: Mapping[str, Any]) -> ReportSettings:
    return ReportSettings(status=data["report"]["status"], format=data["report"]["format"])


def web_settings(data: Mapping[str, Any]) -> WebSettings:
    web = data["web"]
    return WebSettings(base_url=str(web["base_url"]).rstrip("/"), host=str(web["host"]),
                       port=int(web["port"]), threads=int(web["threads"]),
                       idle_minutes=int(web["idle_minutes"]), page_size=int(web["page_size"]),
                       trusted_proxy=str(web["trusted_proxy"]),
                       metrics_allow=tuple(str(a) for a in web["metrics_allow"]))


def catalog(data: Mapping[str, Any]) -> Catalog:
    return Catalog(services={s["code"]: s["name"] for s in data["services"]},
                   categories={c["code"]: c.get("name", c["code"]) for c in data["categories"]})


# [sla_policy], [business_hours] and [schedule]

@dataclass(frozen=True)
class Schedule:
    poll_seconds: float
    flush_seconds: float
    sla_seconds: float
    digest_at: str           # "HH:MM" in the desk's time zone, "" for no digest
    poll_lease_seconds: float


def build_calendars(data: Mapping[str, Any]) -> dict[str, Calendar]:
    """priority -> business-hours calendar; empty when business hours are off, and the
    around-the-clock priorities are left out (they default to wall-clock time)."""
    hours = data["business_hours"]
    if not hours["enabled"]:
        return {}
    calendar = BusinessHours(
        tz=ZoneInfo(hours["timezone"] or data["desk"]["timezone"]),
        weekdays=parse_weekdays(hours["days"]),
        opens=parse_clock_time(hours["opens"]), closes=parse_clock_time(hours["closes"]),
        closed_days=PublicHolidays(hours["holiday_country"], hours["holiday_subdivision"],
                                   extra=closed_dates(hours["closed_dates"]))
        if hours["holiday_country"] else frozenset(closed_dates(hours["closed_dates"])),
    )
    return {p: calendar for p in data["sla"] if p not in hours["around_the_clock"]}


def closed_dates(values: list[Any]) -> list[date]:
    """TOML dates or "YYYY-MM-DD" strings; raises ValueError on anything else."""
    return [v if isinstance(v, date) else date.fromisoformat(str(v)) for v in values]


def sla_rules(data: Mapping[str, Any]) -> SlaRules:
    policy = data["sla_policy"]
    return SlaRules(warning_share=float(policy["warning_share"]),
                    on_response_breach=policy["on_response_breach"],
                    on_resolution_breach=policy["on_resolution_breach"])


def schedule(data: Mapping[str, Any]) -> Schedule:
    s = data["schedule"]
    return Schedule(float(s["poll_seconds"]), float(s["flush_seconds"]), float(s["sla_seconds"]),
                    str(s["digest_at"]), float(s["poll_lease_seconds"]))
