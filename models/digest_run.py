"""The record that a day's management digest was queued: one row per covered day, so sending
the digest again (a restart, a second `run` process, `incidentdesk digest` by hand) never
mails management twice."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, intpk, utc


class DigestRun(Base):
    __tablename__ = "digest_runs"

    id: Mapped[intpk]
    # the local date (desk time zone) the digest covers; unique: the idempotency key
    day: Mapped[date] = mapped_column(Date(), unique=True)
    created_at: Mapped[utc]
    recipients: Mapped[int] = mapped_column(default=0)
