"""Declarative base and the shared column types every table uses."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any

from sqlalchemy import BigInteger, DateTime, Integer, MetaData, String, Text, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, mapped_column


class UtcDateTime(TypeDecorator[datetime]):
    """Stores UTC, always returns an aware UTC datetime.

    SQLite has no time zone type and hands back naive values; normalising here keeps every
    comparison in the rules aware-vs-aware on both databases.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None or value.tzinfo is timezone.utc:  # the common case: nothing to do
            return value
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


# SQLite only makes INTEGER PRIMARY KEY an alias of its rowid; BigInteger elsewhere.
BigId = BigInteger().with_variant(Integer(), "sqlite")

intpk = Annotated[int, mapped_column(BigId, primary_key=True, autoincrement=True)]
utc = Annotated[datetime, mapped_column(UtcDateTime())]
str20 = Annotated[str, mapped_column(String(20))]
str200 = Annotated[str, mapped_column(String(200))]
text = Annotated[str, mapped_column(Text())]
# column info for keys, addresses and codes: models/fit.py cuts them without an ellipsis
IDENTIFIER = {"identifier": True}

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UtcDateTime(), str: String(200)}
