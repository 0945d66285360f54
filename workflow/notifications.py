"""What the rules decide to tell whom, as plain data. outbound/ renders and queues it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping


@dataclass(frozen=True)
class Notification:
    kind: str                     # template name: ack, new_ticket, followup, closure, ...
    recipient: str                # mail address
    ticket_id: int | None
    facts: Mapping[str, Any] = field(default_factory=dict)
    language: str | None = None   # None: the desk's default
    auto_reply: bool = False      # RFC 3834: answers a person's mail (vs. generated notice)
    # Message-IDs this mail answers and threads under, oldest first
    thread: tuple[str, ...] = ()
