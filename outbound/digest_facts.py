"""The digest's facts: workflow/digest.DigestData as plain, JSON-able values with local times,
ready for templates/<lang>/digest.*. `covers_yesterday`: the day is the one before the digest
was made, the only case the mail may call it "yesterday" (a digest made later for an earlier
day names the date instead). The period figures are report_render.summary_plain, the
very form `incidentdesk report --format json` prints, so the digest and the report agree."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from outbound.context import local_time
from outbound.report_formats import failed_plain, problem_plain, summary_plain
from outbound.settings import DeskInfo
from workflow.digest_figures import Breach, DigestData, EscalationRecord, Figures, OpenTicket


def digest_facts(data: DigestData, desk: DeskInfo) -> dict[str, Any]:
    yesterday, month = _figures(data.yesterday, desk), _figures(data.month, desk)
    return {
        "day": data.day.isoformat(),
        "day_local": f"{data.day:%d-%m-%Y}",
        "covers_yesterday": data.day == data.as_of.astimezone(desk.timezone).date() - timedelta(days=1),
        "month_from_local": f"{data.day.replace(day=1):%d-%m-%Y}",
        "generated_local": local_time(desk, data.as_of),
        "priorities": [{"code": p, "name": desk.priority_names.get(p, "")} for p in data.open_by_priority],
        "yesterday": yesterday,
        "month": month,
        "open": _open(data.open_by_priority),
        "oldest_open": [_open_ticket(t, desk, data.as_of) for t in data.oldest_open],
        "breaches": [_breach(b, desk) for b in data.breaches],
        "escalations": [_escalation(e, desk) for e in data.escalations],
        "problems": [problem_plain(c, desk) for c in data.problems],
        "by_service": _side_by_side(yesterday, month, "by_service"),
        "by_category": _side_by_side(yesterday, month, "by_category"),
    }


def _side_by_side(yesterday: dict[str, Any], month: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """Incidents reported per service (or category): the day next to the month so far (the
    month includes the day, so its list names every code the day has)."""
    day = {i["code"]: i["count"] for i in yesterday["reported"][key]}
    return [{"code": i["code"], "name": i["name"], "yesterday": day.get(i["code"], 0),
             "month": i["count"]} for i in month["reported"][key]]


def _figures(figures: Figures, desk: DeskInfo) -> dict[str, Any]:
    reported, closed = figures.reported, figures.closed
    return {"reported": summary_plain(reported.summary, desk, len(reported.failed_mails)),
            "closed": summary_plain(closed.summary, desk, len(closed.failed_mails)),
            "failed_mails": [failed_plain(m, desk) for m in reported.failed_mails]}


def _open(counts: dict[str, dict[str, int]]) -> dict[str, Any]:
    rows = [{"priority": p, "new": c.get("new", 0), "in_progress": c.get("in_progress", 0),
             "total": sum(c.values())} for p, c in counts.items()]
    return {"rows": rows, "new": sum(r["new"] for r in rows),
            "in_progress": sum(r["in_progress"] for r in rows), "total": sum(r["total"] for r in rows)}


def _open_ticket(t: OpenTicket, desk: DeskInfo, as_of: datetime) -> dict[str, Any]:
    hours = max(int((as_of - t.created_at).total_seconds() // 3600), 0)
    return {"number": t.number, "priority": t.priority, "status": t.status,
            "created_local": local_time(desk, t.created_at), "age_days": hours // 24,
            "age_hours": hours % 24, "service_name": desk.service_names.get(t.service or "", t.service),
            "subject": t.subject, "handler": t.handler}


def _breach(b: Breach, desk: DeskInfo) -> dict[str, Any]:
    return {"number": b.number, "priority": b.priority, "clock": b.clock,
            "due_local": local_time(desk, b.due_at),
            "stopped_local": local_time(desk, b.stopped_at) if b.stopped_at else None}


def _escalation(e: EscalationRecord, desk: DeskInfo) -> dict[str, Any]:
    return {"number": e.number, "at_local": local_time(desk, e.at), "kind": e.kind,
            "level": e.level, "handler": e.handler}
