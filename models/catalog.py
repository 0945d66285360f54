"""IT services and incident categories, mirrored from configuration for reports and joins."""
from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import IDENTIFIER, Base, intpk


class Service(Base):
    __tablename__ = "services"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(60), info=IDENTIFIER, unique=True)
    name: Mapped[str]
    active: Mapped[bool] = mapped_column(default=True)


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(100), info=IDENTIFIER, unique=True)
    name: Mapped[str]
    active: Mapped[bool] = mapped_column(default=True)
