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


_TEXT_COLUMNS: dict[Mapper[Any], tuple[tuple[str, int | None, bool], ...]] = {}


def _text_columns(mapper: Mapper[Any]) -> tuple[tuple[str, int | None, bool], ...]:
    """(attribute, length, readable) of each column that may hold a string, worked out once
    per mapper: every row of every flush asks, and the mapping never changes."""
    cached = _TEXT_COLUMNS.get(mapper)
    if cached is None:
        cached = tuple((attr.key, attr.columns[0].type.length if isinstance(attr.columns[0].type, String)
                        else None, readable(attr.columns[0])) for attr in mapper.column_attrs)
        _TEXT_COLUMNS[mapper] = cached
    return cached


def _fit_row(_mapper: Mapper[Any], _connection: Any, target: Any) -> None:
    values = target.__dict__
    for key, length, keep_readable in _text_columns(target.__mapper__):
        value = values.get(key)
        if not isinstance(value, str):
            continue
        fitted = clamp(value, length, keep_readable)
        if fitted is not value and fitted != value:
            setattr(target, key, fitted)


event.listen(Base, "before_insert", _fit_row, propagate=True)
event.listen(Base, "before_update", _fit_row, propagate=True)
