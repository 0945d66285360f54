"""People the desk knows: reporters (created on first mail) and agents (from configuration)."""
from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import IDENTIFIER, Base, intpk, str20, utc


class Person(Base):
    """One mail address. Agents and reporters share the table so one person can be both."""

    __tablename__ = "people"

    id: Mapped[intpk]
    address: Mapped[str] = mapped_column(String(320), info=IDENTIFIER, unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    # employee | head_of_department | head_of_office | service_desk | functional_support |
    # head_of_soltek | management
    role: Mapped[str20] = mapped_column(default="employee")
    support_level: Mapped[int | None]
    language: Mapped[str | None] = mapped_column(String(8))
    # E.164 mobile number (+6281234567890) for SMS notices; personal data, never logged
    phone: Mapped[str | None] = mapped_column(String(16), info=IDENTIFIER)
    is_agent: Mapped[bool] = mapped_column(default=False)
    # an agent's first configured address is where the desk writes; the others only let
    # their replies be recognised
    is_primary: Mapped[bool] = mapped_column(default=True)
    bouncing_since: Mapped[utc | None]
    created_at: Mapped[utc]
