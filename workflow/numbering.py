"""Ticket numbers (`INC-000042`), drawn from a gapless counter that stays unique under
concurrent writers, and the subject tag that threads replies (`[INC-000042]`)."""
from __future__ import annotations

import re

from sqlalchemy import update
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


def next_value(session: Session, name: str) -> int:
    """Increment and return the counter. The UPDATE takes the row lock, so a second writer
    on PostgreSQL waits for the first transaction instead of reading the same value."""
    value = session.execute(
        update(Counter).where(Counter.name == name).values(value=Counter.value + 1)
        .returning(Counter.value)
    ).scalar_one_or_none()
    if value is None:
        raise LookupError(f"counter {name!r} missing: run `incidentdesk init`")
    return value
