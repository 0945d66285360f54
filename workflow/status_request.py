"""A reporter (or an agent) asks "status": the ticket's current state and its recent history
come back by mail (the paper's "view handling activity")."""
from __future__ import annotations

import re
from typing import Any

from models import Ticket, TicketEvent
from workflow.status import LABELS, Status
from workflow.words import level_word
from workflow.notifications import Notification

# the first line of the new text, punctuation and case ignored
_ASKS = re.compile(r"^\s*(?:cek\s+|check\s+)?status(?:\s+tiket|\s+ticket)?\s*[?.!]*\s*$", re.IGNORECASE)
RECENT_EVENTS = 10
# what a reporter is not shown: refused command mail (it may be forged) and other requests
_HIDDEN_KINDS = frozenset({"status_request"})


def asks_for_status(new_text: str) -> bool:
    """True when the first non-blank line is "status" ("Status?", "cek status", ...)."""
    for line in new_text.splitlines():
        if line.strip():
            return bool(_ASKS.match(line))
    return False


def status_report(ticket: Ticket, recipient: str, language: str,
                  thread: tuple[str, ...]) -> Notification:
    """The status_report mail: the ticket view carries the current state, the facts the
    latest events (oldest first), at most RECENT_EVENTS of them, described in `language`."""
    shown = [e for e in ticket.events if _shown(e)][-RECENT_EVENTS:]
    return Notification(kind="status_report", recipient=recipient, ticket_id=ticket.id,
                        language=language, auto_reply=True, thread=thread,
                        facts={"events": [_event_fact(e, language) for e in shown]})


def _shown(event: TicketEvent) -> bool:
    return event.kind not in _HIDDEN_KINDS and not (event.data or {}).get("refused")


def _event_fact(event: TicketEvent, lang: str) -> dict[str, Any]:
    note = " ".join((event.note or _describe(event, lang)).split())
    return {"at": event.at, "kind": event.kind, "note": note[:300]}


def _describe(event: TicketEvent, lang: str) -> str:
    """A short note for events that carry only data (status moves, triage, escalations)."""
    data, indonesian = event.data or {}, lang == "id"
    if event.kind == "status":
        labels = LABELS.get(lang, LABELS["en"])
        return " -> ".join(labels[Status(data[k])] if data.get(k) in set(Status) else "-" for k in ("from", "to"))
    if event.kind in ("urgency", "impact"):
        return f"{level_word(data.get('from'), lang) or '-'} -> {level_word(data.get('to'), lang) or '-'}"
    if "from" in data and "to" in data:
        return f"{data['from'] or '-'} -> {data['to'] or '-'}"
    if event.kind == "triage_confirmed":
        return "triase dikonfirmasi" if indonesian else "triage confirmed"
    if event.kind == "escalated" and data.get("level"):
        return ("tingkat " if indonesian else "level ") + str(data["level"])
    return ""
