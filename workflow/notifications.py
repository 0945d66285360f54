"""What the rules decide to tell whom, as plain data. outbound/ renders and queues it.

Kinds (a template pair `templates/<lang>/<kind>.txt|.html` exists for each) and the facts
each carries besides the ticket itself (datetimes are aware UTC; templates localise them):

- ack               to the reporter: the ticket number, priority and targets. facts: {}
- new_ticket        to the service desk agents: the report and the suggested triage.
                    facts: {suggested: {service, category, urgency, impact, reasons}}
- followup          to the assignee (or the service desk): the reporter added something.
                    facts: {author, text, closed?} (closed: on a Closed ticket, not reopened)
- status_changed    to the reporter. facts: {old, new, by, comment} (comment: the agent's
                    message to the reporter, after `Balas:`; never the internal note)
- agent_reply       to the reporter: an agent's message (`Balas:`) with no status mail to
                    carry it. facts: {by, message}
- assigned          to the new assignee, unless they assigned themselves. facts: {by, note}
- reopened          to the assignee / service desk. facts: {by, text}
- escalation        to the level's people or the heads. facts: {kind: functional|hierarchical,
                    level, handler_name, description, requested_by}
- sla_warning,
  sla_breach        to the assignee / service desk. facts: {clock: response|resolution,
                    due_at, used_percent}
- closure           to the reporter: resolution and the feedback request (reply 1-5).
                    facts: {resolution, closed_by, message}
- confirmation      to the agent who sent commands: what changed. facts: {changes: [str]}
- rejected_command  to the agent's real address: why nothing changed.
                    facts: {reasons: [{line, en, id}]}
- status_report     to the reporter who asked "status". facts: {events: [{at, kind, note}]}
- digest            to management, no ticket. facts: the digest figures.
- login_link        to an agent who asked on the web console's login page: a one-time
                    link. facts: {link, minutes}; no ticket
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping


@dataclass(frozen=True)
class Notification:
    kind: str                     # template name, one of the kinds above
    recipient: str                # mail address; for channel "sms" an E.164 number
    ticket_id: int | None
    facts: Mapping[str, Any] = field(default_factory=dict)
    language: str | None = None   # None: the recipient's setting, else the desk's default
    auto_reply: bool = False      # RFC 3834: answers a person's mail (vs. generated notice)
    # Message-IDs this mail answers and threads under, oldest first
    thread: tuple[str, ...] = ()
    # "mail", or "sms": the short text `templates/<lang>/sms_<kind>.txt` (workflow/sms.py
    # decides which mail notices also go by SMS)
    channel: str = "mail"
