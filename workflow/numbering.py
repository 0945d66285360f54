"""Ticket numbers (`INC-000042`) and the subject tag that threads replies (`[INC-000042]`)."""
from __future__ import annotations

import re


def format_number(prefix: str, value: int, digits: int) -> str:
    return f"{prefix}{value:0{digits}d}"


def subject_tag(number: str) -> str:
    return f"[{number}]"


def find_ticket_number(subject: str, prefix: str) -> str | None:
    """The ticket number in a `[PREFIX000042]` tag anywhere in the subject, or None.
    Only the bracketed tag counts, never a bare number in the text."""
    match = re.search(r"\[(" + re.escape(prefix) + r"\d+)\]", subject or "", re.IGNORECASE)
    return match.group(1).upper() if match else None
