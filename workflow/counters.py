"""Gapless counters (ticket numbers) that stay unique under concurrent writers."""
from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from models import Counter


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
