"""Reports out: the plain form of the figures (the JSON export, and the facts of the daily
digest, so both carry the very same numbers) and the CSV export. The printable HTML page is
outbound/report_html.py.

Times: JSON has ISO 8601 with the desk's UTC offset; CSV has local ISO dates
`YYYY-MM-DD HH:MM:SS` (which spreadsheets read as dates) and whole minutes (a decimal point
would be misread in locales that write decimal commas)."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any, Iterable, Iterator, NamedTuple

from outbound.context import local_time
from outbound.settings import DeskInfo
from workflow.report_metrics import Compliance, Durations, Incident, Summary
from workflow.policy import Policy
from workflow.problems import ProblemCandidate
from workflow.report_data import FailedMail, ReportData


def iso(moment: datetime | None, desk: DeskInfo) -> str | None:
    return moment.astimezone(desk.timezone).isoformat() if moment else None


# ---- the plain form: JSON export and digest facts ------------------------------------------

def compliance_plain(c: Compliance) -> dict[str, Any]:
    return {"met": c.met, "missed": c.missed, "pending": c.pending, "percent": c.percent}


def durations_plain(d: Durations) -> dict[str, Any]:
    return {"count": d.count, "mean_minutes": d.mean_minutes, "p90_minutes": d.p90_minutes,
            "target_minutes": d.target_minutes}


def _named(pairs: Iterable[tuple[str | None, int]], names: dict[str, str]) -> list[dict[str, Any]]:
    return [{"code": code, "name": names.get(code, code) if code else None, "count": count}
            for code, count in pairs]


def summary_plain(s: Summary, desk: DeskInfo, failed_mails: int) -> dict[str, Any]:
    return {
        "incidents": s.incidents,
        "by_priority": dict(s.by_priority),
        "by_service": _named(s.by_service, dict(desk.service_names)),
        "by_category": _named(s.by_category, dict(desk.category_names)),
        "by_day": [{"date": day.isoformat(), "count": n} for day, n in s.by_day],
        "sla": {p: {"response": compliance_plain(pair.response),
                    "resolution": compliance_plain(pair.resolution)} for p, pair in s.sla.items()},
        "times": {p: {"response": durations_plain(pair.response),
                      "resolution": durations_plain(pair.resolution)} for p, pair in s.times.items()},
        "satisfaction": {"count": s.satisfaction.count, "average": s.satisfaction.average,
                         "ratings": {str(k): v for k, v in s.satisfaction.ratings.items()}},
        "escalations": {"by_level": {str(k): v for k, v in s.escalations_by_level.items()},
                        "hierarchical": s.hierarchical_escalations},
        "failed_mails": failed_mails,
    }


class Row(NamedTuple):
    """An incident with what every export shows of it worked out once: local times, minutes,
    verdicts and targets."""

    incident: Incident
    reported: datetime                 # local (desk time zone) from here on
    responded: datetime | None
    closed: datetime | None
    response_minutes: float | None
    resolution_minutes: float | None
    response_sla: str                  # met | missed | pending
    resolution_sla: str
    response_target: float | None      # minutes
    resolution_target: float | None


def report_rows(data: ReportData, desk: DeskInfo, policy: Policy) -> Iterator[Row]:
    tz = desk.timezone
    targets = {p: (t.response.total_seconds() / 60, t.resolution.total_seconds() / 60)
               for p, t in policy.sla.items()}
    for m in data.measured:
        i = m.incident
        stop, closed = i.response_stop, i.closed_at
        response_target, resolution_target = targets.get(i.priority, (None, None))
        yield Row(
            i, i.created_at.astimezone(tz), stop.astimezone(tz) if stop else None,
            closed.astimezone(tz) if closed else None,
            None if m.response_minutes is None else round(m.response_minutes, 1),
            None if m.resolution_minutes is None else round(m.resolution_minutes, 1),
            m.response, m.resolution, response_target, resolution_target)


def incident_plain(r: Row) -> dict[str, Any]:
    i = r.incident
    return {
        "number": i.number, "status": i.status, "reported_at": r.reported.isoformat(),
        "reporter": i.reporter, "reporter_name": i.reporter_name, "service": i.service,
        "category": i.category, "urgency": i.urgency, "impact": i.impact, "priority": i.priority,
        "escalation_level": i.escalation_level, "handler": i.handler,
        "responded_at": r.responded.isoformat() if r.responded else None,
        "response_minutes": r.response_minutes, "response_target_minutes": r.response_target,
        "response_sla": r.response_sla,
        "closed_at": r.closed.isoformat() if r.closed else None,
        "resolution_minutes": r.resolution_minutes,
        "resolution_target_minutes": r.resolution_target, "resolution_sla": r.resolution_sla,
        "resolution": i.resolution, "satisfaction": i.rating,
    }


def problem_plain(c: ProblemCandidate, desk: DeskInfo) -> dict[str, Any]:
    return {"service": c.service, "service_name": desk.service_names.get(c.service, c.service),
            "category": c.category, "category_name": desk.category_names.get(c.category, c.category),
            "count": c.count, "numbers": list(c.numbers), "first_at": iso(c.first_at, desk),
            "last_at": iso(c.last_at, desk), "first_local": local_time(desk, c.first_at),
            "last_local": local_time(desk, c.last_at)}


def failed_plain(m: FailedMail, desk: DeskInfo) -> dict[str, Any]:
    return {"kind": m.kind, "recipient": m.recipient, "ticket": m.ticket_number,
            "queued_at": iso(m.created_at, desk), "queued_local": local_time(desk, m.created_at),
            "error": m.error}


def report_plain(data: ReportData, desk: DeskInfo, policy: Policy) -> dict[str, Any]:
    sel = data.selection
    return {
        "organisation": desk.organisation, "desk": desk.name,
        "period": {"from": sel.period.first.isoformat(), "to": sel.period.last.isoformat(),
                   "timezone": desk.timezone.key},
        "status": sel.status, "service": sel.service, "generated_at": iso(data.as_of, desk),
        "summary": summary_plain(data.summary, desk, len(data.failed_mails)),
        "incidents": [incident_plain(r) for r in report_rows(data, desk, policy)],
        "problems": [problem_plain(c, desk) for c in data.problems],
        "failed_mails": [failed_plain(m, desk) for m in data.failed_mails],
    }


def render_json(data: ReportData, desk: DeskInfo, policy: Policy) -> bytes:
    """Compact (no indentation): the C encoder is many times faster on a month of rows."""
    return (json.dumps(report_plain(data, desk, policy), ensure_ascii=False, separators=(",", ":"))
            + "\n").encode()


# ---- CSV ---------------------------------------------------------------------------------

CSV_COLUMNS = (
    "number", "status", "reported_at", "reporter", "reporter_name", "service", "category",
    "urgency", "impact", "priority", "escalation_level", "handler", "responded_at",
    "response_minutes", "response_target_minutes", "response_sla", "closed_at",
    "resolution_minutes", "resolution_target_minutes", "resolution_sla", "resolution",
    "satisfaction",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str | None) -> str:
    """A reporter's or agent's words: a spreadsheet must never run them as a formula."""
    if not value:
        return ""
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_row(r: Row) -> list[Any]:
    """The CSV_COLUMNS of one incident: local ISO times without the offset, whole minutes."""
    i = r.incident
    return [i.number, i.status, r.reported.isoformat(" ", "seconds")[:19], _text(i.reporter),
            _text(i.reporter_name), i.service or "", i.category or "", i.urgency, i.impact,
            i.priority, i.escalation_level, _text(i.handler),
            r.responded.isoformat(" ", "seconds")[:19] if r.responded else "",
            "" if r.response_minutes is None else round(r.response_minutes),
            "" if r.response_target is None else round(r.response_target), r.response_sla,
            r.closed.isoformat(" ", "seconds")[:19] if r.closed else "",
            "" if r.resolution_minutes is None else round(r.resolution_minutes),
            "" if r.resolution_target is None else round(r.resolution_target), r.resolution_sla,
            _text(i.resolution), "" if i.rating is None else i.rating]


def render_csv(data: ReportData, desk: DeskInfo, policy: Policy) -> bytes:
    """One row per incident, UTF-8 with a BOM so spreadsheet software detects the encoding."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_row(r) for r in report_rows(data, desk, policy))
    return out.getvalue().encode("utf-8-sig")
