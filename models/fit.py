"""Every value fits its column: clamped in one place, just before a row is written.

Mail brings display names of 10,000 characters, Message-IDs of 5,000 and NUL bytes.
SQLite stores them; PostgreSQL refuses the whole transaction, and the mail behind would
wait. Rather than trusting every writer to cut its own values, each string column is cut
here, on a character boundary, at flush time. Columns people read (subjects, names) end
with an ellipsis, so a cut is visible; identifiers are cut bare. NUL and lone surrogates
(text decoded with `surrogateescape`) become U+FFFD: no database takes them as text.
"""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import String, event
from sqlalchemy.orm import Mapper

from models.base import Base

ELLIPSIS = "\u2026"
UNWRITABLE = re.compile("[\x00\ud800-\udfff]")


def clamp(value: str, length: int | None, readable: bool = True) -> str:
    """`value` made writable and at most `length` characters long."""
    if UNWRITABLE.search(value):
        value = UNWRITABLE.sub("\ufffd", value)
    if length is None or len(value) <= length:
        return value
    return value[:length - 1] + ELLIPSIS if readable and length > 1 else value[:length]


def readable(column: Any) -> bool:
    """Columns marked `info={"identifier": True}` hold keys, addresses or codes: an
    ellipsis would only make a second wrong value out of them."""
    return not column.info.get("identifier", False)


def _fit_row(_mapper: Mapper[Any], _connection: Any, target: Any) -> None:
    for attr in target.__mapper__.column_attrs:
        value = target.__dict__.get(attr.key)
        if not isinstance(value, str):
            continue
        column = attr.columns[0]
        length = column.type.length if isinstance(column.type, String) else None
        fitted = clamp(value, length, readable(column))
        if fitted is not value and fitted != value:
            setattr(target, attr.key, fitted)


event.listen(Base, "before_insert", _fit_row, propagate=True)
event.listen(Base, "before_update", _fit_row, propagate=True)
