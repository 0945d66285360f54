"""Ticket numbers (`INC-000042`), drawn from a gapless counter that stays unique under
concurrent writers, and the subject tag that threads replies (`[INC-000042]`)."""
from __future__ import annotations

import re
from typing import cast

from sqlalchemy import Table, bindparam, update
from sqlalchemy.orm import Session

from models import Counter


def format_number(prefix: str, value: int, digits: int) -> str:
    return f"{prefix}{value:0{digits}d}"


def subject_tag(number: str) -> str:
    return f"[{number}]"


def find_ticket_number(subject: str, prefix: str) -> str | None:
    """The ticket number in a `[PREFIX000042]` tag anywhere in the subject, or None.
    Only the bracketed tag counts, never a bare number in the text."""
    match = re.search(r"\[(" + re.escape(prefix) + r"\d+)\]", subject or "", re.IGNORECASE)
    return match.group(1).upper() if match else None


# Core, on the table, built once: each new ticket runs it, and no Counter object is ever held
# in a session, so the ORM's bookkeeping of an ORM UPDATE buys nothing here.
_COUNTERS = cast(Table, Counter.__table__)
_INCREMENT = (update(_COUNTERS).where(_COUNTERS.c.name == bindparam("counter"))
              .values(value=_COUNTERS.c.value + 1).returning(_COUNTERS.c.value))


def next_value(session: Session, name: str) -> int:
    """Increment and return the counter. The UPDATE takes the row lock, so a second writer
    on PostgreSQL waits for the first transaction instead of reading the same value."""
    value = session.execute(_INCREMENT, {"counter": name}).scalar_one_or_none()
    if value is None:
        raise LookupError(f"counter {name!r} missing: run `incidentdesk init`")
    return int(value)
