"""Configuration: built-in defaults (app/defaults.toml, the domain tables), overlaid by one
TOML file, with secrets from the environment. Everything is checked up front so that a
mistake is one clear message at start, not a traceback at 3 a.m."""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from app import desk_secret
from app.checks import check as _check
from app.sections import (Catalog, DatabaseSettings, DeskSettings, DigestSettings, OutboundSettings,
                          ReportSettings, SmsSettings, SourceSettings, WebSettings, auth_settings, catalog,
                          database_settings, sms_settings,
                          database_url, desk_settings, digest_settings, outbound_settings,
                          problem_rules, report_settings, resolve, source_settings,
                          web_settings)
from app.sections import Schedule, build_calendars, schedule, sla_rules
from ingest.authentication import AuthenticationSettings
from workflow.closed_reply import ClosedReplyWords
from workflow.command_grammar import Vocabulary
from workflow.people import DirectoryEntry
from workflow.phones import normalise_phone
from workflow.policy import Policy, SlaTarget
from workflow.problems import ProblemRules
from workflow.sla_sweep import SlaRules
from workflow.triage import TriageRules

DEFAULTS = Path(__file__).with_name("defaults.toml")
ENV_OVERRIDES = {
    "INCIDENTDESK_DATABASE_URL": ("database", "url"),
    "INCIDENTDESK_IMAP_PASSWORD": ("source", "imap", "password"),
    "INCIDENTDESK_IMAP_OAUTH2_TOKEN": ("source", "imap", "oauth2_token"),
    "INCIDENTDESK_SMTP_PASSWORD": ("outbound", "smtp", "password"),
    "INCIDENTDESK_SECRET": ("desk", "secret"),
    "INCIDENTDESK_SMS_PASSWORD": ("sms", "kannel", "password"),
}
SECRET_KEYS = frozenset({"password", "secret", "oauth2_token"})
URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]*@", re.IGNORECASE)  # scheme://user:pw@


# tables whose keys are data (priority names, levels, languages), not settings
DYNAMIC_TABLES = frozenset({
    "sla", "priority.matrix", "labels", "triage.role_urgency", "triage.outage_words",
    "triage.impact_words",
})

LIST_ITEM_KEYS = {
    "services": frozenset({"code", "name", "aliases"}),
    "categories": frozenset({"code", "name", "keywords"}),
    "agents": frozenset({"name", "addresses", "level", "role", "language", "phone"}),
    "reporters": frozenset({"address", "name", "role", "language", "phone"}),
}


class ConfigError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Settings:
    """The configuration as typed sections, built and checked once at load. `raw` (the
    merged tables) is only for `check-config --print`: nothing else reads it."""

    raw: Mapping[str, Any]
    base_dir: Path
    desk: DeskSettings
    database: DatabaseSettings
    source: SourceSettings
    outbound: OutboundSettings
    sms: SmsSettings
    schedule: Schedule
    sla_rules: SlaRules
    policy: Policy
    triage: TriageRules
    problems: ProblemRules
    auth: AuthenticationSettings
    digest: DigestSettings
    report: ReportSettings
    web: WebSettings
    catalog: Catalog
    labels: Mapping[str, Mapping[str, str]]
    directory: tuple[DirectoryEntry, ...]

    def path(self, value: str | Path) -> Path:
        return resolve(self.base_dir, str(value))

    @property
    def timezone(self) -> ZoneInfo:
        return self.desk.timezone

    @property
    def database_url(self) -> str:
        return self.database.url


def config_path(explicit: str | None) -> Path | None:
    value = explicit or os.environ.get("INCIDENTDESK_CONFIG")
    if value:
        return Path(value)
    default = Path("incidentdesk.toml")
    return default if default.exists() else None


def load(path: Path | None) -> Settings:
    with DEFAULTS.open("rb") as fh:
        data = tomllib.load(fh)
    problems: list[str] = []
    base = Path.cwd()
    if path is not None:
        user = _read_user_file(path)
        problems += unknown_keys(user, data)
        data = merge(data, user)
    _apply_env(data)
    problems += _check(data)
    if problems:
        raise ConfigError(problems)
    return _build(data, base)


def _read_user_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError([f"config file {path} does not exist"]) from None
    except IsADirectoryError:
        raise ConfigError([f"config file {path} is a folder; give the path of the TOML file"]) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: not valid TOML: {exc}"]) from None
    except OSError as exc:
        raise ConfigError([f"config file {path} cannot be read: {exc.strerror or exc}"]) from None


def merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; arrays (services, agents, ...) replace the default whole,
    and so does any table whose keys are data (the matrix, the SLA rows, labels)."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key not in ("matrix", "sla"):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def unknown_keys(user: Mapping[str, Any], known: Mapping[str, Any], prefix: str = "") -> list[str]:
    problems = []
    for key, value in user.items():
        dotted = f"{prefix}{key}"
        if dotted in DYNAMIC_TABLES:
            continue
        if dotted in LIST_ITEM_KEYS:
            problems += _unknown_list_item_keys(dotted, value)
        elif key not in known:
            problems.append(f"unknown setting '{dotted}'")
        elif isinstance(value, dict) and isinstance(known[key], dict):
            problems += unknown_keys(value, known[key], dotted + ".")
    return problems


def _unknown_list_item_keys(dotted: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        return [f"'{dotted}' must be a list of tables ([[{dotted}]])"]
    allowed = LIST_ITEM_KEYS[dotted]
    return [f"unknown setting '{k}' in [[{dotted}]] #{i + 1}; known: {', '.join(sorted(allowed))}"
            for i, item in enumerate(value) for k in item if k not in allowed]


def _apply_env(data: dict[str, Any]) -> None:
    for name, path in ENV_OVERRIDES.items():
        if os.environ.get(name):
            node = data
            for part in path[:-1]:
                node = node.setdefault(part, {})
            node[path[-1]] = os.environ[name]


def _build(data: Mapping[str, Any], base: Path) -> Settings:
    raw, data = data, with_stored_secret(data, base)   # raw: what the operator configured
    return Settings(
        raw=raw, base_dir=base, desk=desk_settings(data, configured_secret=bool(raw["desk"]["secret"])),
        database=database_settings(data, base),
        source=source_settings(data, base), outbound=outbound_settings(data, base),
        sms=sms_settings(data),
        schedule=schedule(data), sla_rules=sla_rules(data), policy=build_policy(data),
        triage=build_triage(data), problems=problem_rules(data), auth=auth_settings(data),
        digest=digest_settings(data), report=report_settings(data), web=web_settings(data),
        catalog=catalog(data),
        labels=data.get("labels", {}), directory=build_directory(data))


def with_stored_secret(data: Mapping[str, Any], base: Path) -> Mapping[str, Any]:
    """desk.secret (or INCIDENTDESK_SECRET) when set, else the one `init` stored
    (app/desk_secret.py): every process of the desk signs and checks reply tokens with the
    same key, and desk_settings / build_policy read it from the tables as before."""
    if str(data["desk"]["secret"]):
        return data
    path = desk_secret.secret_path(database_url(data["database"]["url"], base), base)
    try:
        stored = desk_secret.read_stored(path)
    except desk_secret.StoredSecretError as exc:
        raise ConfigError([str(exc)]) from None
    return {**data, "desk": {**data["desk"], "secret": stored}} if stored else data


def build_policy(data: Mapping[str, Any]) -> Policy:
    matrix = {(u, i): p for u, row in data["priority"]["matrix"].items() for i, p in row.items()}
    sla = {p: SlaTarget(p, row.get("name", p), timedelta(minutes=row["response_minutes"]),
                        timedelta(minutes=row["resolution_minutes"]))
           for p, row in data["sla"].items()}
    desk, esc = data["desk"], data["escalation"]
    return Policy(levels=tuple(data["priority"]["levels"]), matrix=matrix, sla=sla,
                  ticket_prefix=desk["ticket_prefix"], ticket_digits=desk["ticket_digits"],
                  reopen_window=timedelta(days=desk["reopen_window_days"]),
                  escalation_levels=tuple(esc["levels"]),
                  head_of_office_priorities=frozenset(esc["head_of_office_priorities"]),
                  vocabulary=build_vocabulary(data), auth_methods=frozenset(data["auth"]["methods"]),
                  reply_secret=desk["secret"], language=desk["language"],
                  calendars=build_calendars(data),
                  acks_per_sender_per_hour=int(data["outbound"]["acks_per_sender_per_hour"]),
                  close_roles=frozenset(data["workflow"]["close_roles"]),
                  closed_reply=build_closed_reply(data),
                  phone_region=str(data["sms"]["default_region"]))


def build_closed_reply(data: Mapping[str, Any]) -> ClosedReplyWords:
    """[workflow.closed_reply], with the triage outage words counting as reopen words: "masih
    mati" and "mati lagi" both say the problem is back."""
    words = data["workflow"]["closed_reply"]
    outage = [w for level in data["triage"].get("outage_words", {}).values() for w in level]
    return ClosedReplyWords(reopen=tuple([*words["reopen"], *outage]),
                            confirmations=tuple(words["confirmations"]),
                            thanks=tuple(words["thanks"]), fillers=tuple(words["fillers"]))


def build_vocabulary(data: Mapping[str, Any]) -> Vocabulary:
    """What agents may name in command lines: services by code, name or alias; categories
    by code or name; escalation up to the highest configured level."""
    services = {alias.lower(): s["code"] for s in data["services"]
                for alias in [s["code"], s["name"], *s.get("aliases", [])]}
    categories = {name.lower(): c["code"] for c in data["categories"]
                  for name in [c["code"], c.get("name", c["code"])]}
    return Vocabulary(services, categories, max(data["escalation"]["levels"], default=1))


def build_triage(data: Mapping[str, Any]) -> TriageRules:
    t = data["triage"]
    return TriageRules(
        services={s["code"]: [a.lower() for a in [s["name"], *s.get("aliases", [])]] for s in data["services"]},
        categories={c["code"]: [k.lower() for k in c.get("keywords", [])] for c in data["categories"]},
        role_urgency=dict(t.get("role_urgency", {})), outage_words=dict(t.get("outage_words", {})),
        impact_words=dict(t.get("impact_words", {})), default_urgency=t["default_urgency"],
        default_impact=t["default_impact"])


def build_directory(data: Mapping[str, Any]) -> tuple[DirectoryEntry, ...]:
    region = str(data["sms"]["default_region"])
    agents = [DirectoryEntry(name=a["name"], addresses=tuple(x.lower() for x in a["addresses"]),
                             role=a["role"], level=a.get("level"), language=a.get("language"),
                             is_agent=True, phone=_phone(a, region)) for a in data.get("agents", [])]
    reporters = [DirectoryEntry(name=r.get("name", ""), addresses=(r["address"].lower(),),
                                role=r["role"], language=r.get("language"), phone=_phone(r, region))
                 for r in data.get("reporters", [])]
    return tuple(reporters + agents)  # agents last: a head of office who reports stays an agent


def _phone(entry: Mapping[str, Any], region: str) -> str | None:
    """A directory entry's `phone` in E.164 (app/checks.py refused any that is not valid)."""
    return normalise_phone(str(entry["phone"]), region) if entry.get("phone") else None


def redacted(data: Mapping[str, Any]) -> dict[str, Any]:
    """The configuration with every secret replaced, for printing and logs: secret keys, and
    the password inside a URL (postgresql+psycopg://desk:***@db/desk)."""
    return {k: redacted(v) if isinstance(v, dict) else ("***" if k in SECRET_KEYS and v else _masked(v))
            for k, v in data.items()}


def _masked(value: Any) -> Any:
    return URL_PASSWORD.sub(r"\1***@", value) if isinstance(value, str) else value

