"""A reporter (or an agent) asks "status": the ticket's current state and its recent history
come back by mail (the paper's "view handling activity").

The reporter sees only the events marked `public` (their own mail, status moves, the desk's
messages to them, the resolution), with staff shown by name (data.by), never by address;
internal notes, refused commands, triage and escalation stay with the desk. An agent who
asks sees the whole history but the status requests."""
from __future__ import annotations

import re
from typing import Any

from models import Ticket, TicketEvent
from workflow.status import LABELS, Status
from workflow.command_grammar import level_word
from workflow.notifications import Notification

# the first line of the new text, punctuation and case ignored
_ASKS = re.compile(r"^\s*(?:cek\s+|check\s+)?status(?:\s+tiket|\s+ticket)?\s*[?.!]*\s*$", re.IGNORECASE)
RECENT_EVENTS = 10
# what nobody is shown: other status requests
_HIDDEN_KINDS = frozenset({"status_request"})


def asks_for_status(new_text: str) -> bool:
    """True when the first non-blank line is "status" ("Status?", "cek status", ...)."""
    for line in new_text.splitlines():
        if line.strip():
            return bool(_ASKS.match(line))
    return False


def status_report(ticket: Ticket, recipient: str, language: str,
                  thread: tuple[str, ...], *, staff: bool = False) -> Notification:
    """The status_report mail: the ticket view carries the current state, the facts the
    latest events (oldest first), at most RECENT_EVENTS of them, described in `language`.
    `staff`: an agent asked, who may see internal events too."""
    shown = [e for e in ticket.events if _shown(e, staff)][-RECENT_EVENTS:]
    return Notification(kind="status_report", recipient=recipient, ticket_id=ticket.id,
                        language=language, auto_reply=True, thread=thread,
                        facts={"events": [_event_fact(e, language) for e in shown]})


def _shown(event: TicketEvent, staff: bool) -> bool:
    if event.kind in _HIDDEN_KINDS:
        return False
    return not (event.data or {}).get("refused") if staff else bool(event.public)


def _event_fact(event: TicketEvent, lang: str) -> dict[str, Any]:
    """A status move is described ("Baru -> Dalam Proses"), whatever its note; the staff
    member who acted is named after it, or before a message of theirs."""
    by = str((event.data or {}).get("by") or "")
    text = _describe(event, lang) if event.kind == "status" else (event.note or _describe(event, lang))
    note = " ".join(text.split())
    if by and event.kind == "status":
        note = f"{note} ({by})"
    elif by and event.kind == "reply":
        note = f"{by}: {note}"
    return {"at": event.at, "kind": event.kind, "note": note[:300], "by": by}


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
