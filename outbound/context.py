"""Template context: tickets turned into plain, localised values. Templates never see ORM
objects, so rendering cannot lazy-load or change anything."""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any, Mapping

from models import Ticket
from outbound.render import format_local
from outbound.settings import DeskInfo
from workflow.command_grammar import help_text
from workflow.status import LABELS, Status

DESCRIPTION_LIMIT = 4000   # characters of the report quoted in a mail; the ticket keeps all


def local_time(desk: DeskInfo, moment: datetime | None) -> str:
    return format_local(moment, desk.timezone)


def excerpt(text: str | None, limit: int = DESCRIPTION_LIMIT) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[:limit].rstrip() + " [...]"


def ticket_view(desk: DeskInfo, ticket: Ticket, lang: str) -> dict[str, Any]:
    labels = desk.labels.get(lang, {})
    reporter, assignee = ticket.reporter, ticket.assignee
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
        "triage_confirmed": ticket.triage_confirmed,
        "reporter": reporter.address,
        "reporter_name": reporter.name,
        "assignee": assignee.address if assignee else "",
        "assignee_name": (assignee.name or assignee.address) if assignee else "",
        # the level shown beside the handler: the assignee's own level from the directory
        # (none for the heads), the ticket's escalation level while nobody is assigned
        "handler_level": handler_level(ticket),
        "created_local": local_time(desk, ticket.created_at),
        "response_due_local": local_time(desk, ticket.response_due),
        "resolution_due_local": local_time(desk, ticket.resolution_due),
        "closed_local": local_time(desk, ticket.closed_at) if ticket.closed_at else "",
        "escalation_level": ticket.escalation_level,
        "resolution": ticket.resolution or "",
        "description": excerpt(ticket.description),
    }


def handler_level(ticket: Ticket) -> int | None:
    """Why not the escalation level alone: Sari at level 3 assigned to a ticket escalated to
    level 2 is still level 3, and a mail saying "tingkat 2" sends people to the wrong team."""
    if ticket.assignee is not None:
        return ticket.assignee.support_level
    return ticket.escalation_level


def desk_view(desk: DeskInfo) -> dict[str, str]:
    return {"name": desk.name, "organisation": desk.organisation, "address": desk.address}


@lru_cache(maxsize=8)
def commands_help(lang: str) -> str:
    """The command grammar agents may reply with (workflow/command_grammar.py), in `lang`."""
    return help_text(lang if lang in ("en", "id") else "en")


def build_context(
    desk: DeskInfo, ticket: Ticket | None, lang: str, facts: Mapping[str, Any],
    reporter_link: str = "",
) -> dict[str, Any]:
    """Everything a template may use. `tz`, `lang` and `labels` also feed the filters of
    outbound/render.py (`local`, `status`, `label`). `reporter_link`: the signed link to the
    ticket's page, set only in mails to its reporter (outbound/outbox.py)."""
    return {
        "reporter_link": reporter_link,
        "desk": desk_view(desk),
        "ticket": ticket_view(desk, ticket, lang) if ticket is not None else None,
        "facts": dict(facts),
        "lang": lang,
        "tz": desk.timezone,
        "labels": dict(desk.labels.get(lang, {})),
        "services": dict(desk.service_names),
        "categories": dict(desk.category_names),
        "commands_help": commands_help(lang),
    }
