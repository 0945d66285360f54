"""Configuration: built-in defaults (app/defaults.toml, the domain tables), overlaid by one
TOML file, with secrets from the environment. Everything is checked up front so that a
mistake is one clear message at start, not a traceback at 3 a.m."""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from app.checks import check as _check
from app.schema import DYNAMIC_TABLES, LIST_ITEM_KEYS
from app.sla_config import build_calendars
from workflow.commands import Vocabulary
from workflow.people import DirectoryEntry
from workflow.policy import Policy, SlaTarget
from workflow.triage import TriageRules

DEFAULTS = Path(__file__).with_name("defaults.toml")
ENV_OVERRIDES = {
    "INCIDENTDESK_DATABASE_URL": ("database", "url"),
    "INCIDENTDESK_IMAP_PASSWORD": ("source", "imap", "password"),
    "INCIDENTDESK_IMAP_OAUTH2_TOKEN": ("source", "imap", "oauth2_token"),
    "INCIDENTDESK_SMTP_PASSWORD": ("outbound", "smtp", "password"),
    "INCIDENTDESK_SECRET": ("desk", "secret"),
}
SECRET_KEYS = frozenset({"password", "secret", "oauth2_token"})


class ConfigError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Settings:
    raw: Mapping[str, Any]
    base_dir: Path
    policy: Policy
    triage: TriageRules
    directory: tuple[DirectoryEntry, ...]
    source: Mapping[str, Any]
    outbound: Mapping[str, Any]
    desk: Mapping[str, Any]
    database_url: str

    def path(self, value: str) -> Path:
        path = Path(value)
        return path if path.is_absolute() else self.base_dir / path

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.desk["timezone"])


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
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: not valid TOML: {exc}"]) from None


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
    return Settings(raw=data, base_dir=base, policy=build_policy(data), triage=build_triage(data),
                    directory=build_directory(data), source=data["source"],
                    outbound=data["outbound"], desk=data["desk"],
                    database_url=_database_url(data["database"]["url"], base))


def _database_url(url: str, base: Path) -> str:
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite:///:memory:":
        return prefix + str(base / url[len(prefix):])
    return url


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
                  acks_per_sender_per_hour=int(data["outbound"]["acks_per_sender_per_hour"]))


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
    agents = [DirectoryEntry(name=a["name"], addresses=tuple(x.lower() for x in a["addresses"]),
                             role=a["role"], level=a.get("level"), language=a.get("language"),
                             is_agent=True) for a in data.get("agents", [])]
    reporters = [DirectoryEntry(name=r.get("name", ""), addresses=(r["address"].lower(),),
                                role=r["role"], language=r.get("language"))
                 for r in data.get("reporters", [])]
    return tuple(reporters + agents)  # agents last: a head of office who reports stays an agent


def redacted(data: Mapping[str, Any]) -> dict[str, Any]:
    """The configuration with every secret replaced, for printing and logs."""
    return {k: redacted(v) if isinstance(v, dict) else ("***" if k in SECRET_KEYS and v else v)
            for k, v in data.items()}

