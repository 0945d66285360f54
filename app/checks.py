"""Semantic checks of the merged configuration: each problem one sentence an operator can act on."""
from __future__ import annotations

from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from workflow.people import AGENT_ROLES, REPORTER_ROLES
from workflow.priority import matrix_problems


def check(data: Mapping[str, Any]) -> list[str]:
    problems = _check_sla(data) + _check_matrix(data) + _check_desk(data)
    problems += _check_people(data) + _check_catalog(data) + _check_triage(data)
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
