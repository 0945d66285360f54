"""Template context: tickets turned into plain, localised values. Templates never see ORM
objects, so rendering cannot lazy-load or change anything."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from models import Ticket
from outbound.settings import DeskInfo
from workflow.status import LABELS, Status


def local_time(desk: DeskInfo, moment: datetime | None) -> str:
    if moment is None:
        return "-"
    local = moment.astimezone(desk.timezone)
    return f"{local:%d-%m-%Y %H:%M} {local.tzname()}"


def ticket_view(desk: DeskInfo, ticket: Ticket, lang: str) -> dict[str, Any]:
    labels = desk.labels.get(lang, {})
    return {
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status,
        "status_label": LABELS.get(lang, LABELS["en"])[Status(ticket.status)],
        "priority": ticket.priority,
        "priority_name": desk.priority_names.get(ticket.priority, ""),
        "urgency": labels.get(ticket.urgency, ticket.urgency),
        "impact": labels.get(ticket.impact, ticket.impact),
        "service_name": desk.service_names.get(ticket.service or "", ticket.service or ""),
        "category_name": desk.category_names.get(ticket.category or "", ticket.category or ""),
        "reporter": ticket.reporter.address,
        "reporter_name": ticket.reporter.name,
        "created_local": local_time(desk, ticket.created_at),
        "response_due_local": local_time(desk, ticket.response_due),
        "resolution_due_local": local_time(desk, ticket.resolution_due),
        "closed_local": local_time(desk, ticket.closed_at),
        "escalation_level": ticket.escalation_level,
        "resolution": ticket.resolution or "",
        "description": ticket.description,
    }


def desk_view(desk: DeskInfo) -> dict[str, str]:
    return {"name": desk.name, "organisation": desk.organisation, "address": desk.address}
