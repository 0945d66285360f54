"""The composed service: settings turned into an engine, sessions, rules and renderers."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from models import Category, Service
from models.db import make_engine, read_session_factory, session_factory
from outbound.render import Renderer
from outbound.settings import DeskInfo
from workflow.people import sync_directory


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    readers: sessionmaker[Session]       # read-only work: listings and reports
    desk: DeskInfo
    renderer: Renderer
    clock: Callable[[], datetime] = field(default=utcnow)

    def close(self) -> None:
        self.engine.dispose()


def desk_info(settings: Settings) -> DeskInfo:
    raw = settings.raw
    return DeskInfo(
        name=settings.desk["name"], organisation=settings.desk["organisation"],
        address=settings.desk["address"].lower(), timezone=settings.timezone,
        language=settings.desk["language"], secret=settings.desk["secret"],
        labels=raw.get("labels", {}),
        service_names={s["code"]: s["name"] for s in raw["services"]},
        category_names={c["code"]: c.get("name", c["code"]) for c in raw["categories"]},
        priority_names={p: t.name for p, t in settings.policy.sla.items()},
        never_mail=tuple(str(p).lower() for p in settings.outbound["never_mail"]),
    )


def open_runtime(settings: Settings, clock: Callable[[], datetime] = utcnow) -> Runtime:
    engine = make_engine(settings.database_url,
                         busy_timeout=float(settings.raw["database"]["busy_timeout_seconds"]))
    return Runtime(settings=settings, engine=engine, sessions=session_factory(engine),
                   readers=read_session_factory(engine),
                   desk=desk_info(settings), renderer=Renderer(), clock=clock)


def sync_reference_data(rt: Runtime) -> None:
    """Mirror the configured services, categories and people into their tables."""
    with rt.sessions.begin() as session:
        _sync_codes(session, Service, {s["code"]: s["name"] for s in rt.settings.raw["services"]})
        _sync_codes(session, Category, {c["code"]: c.get("name", c["code"])
                                        for c in rt.settings.raw["categories"]})
        sync_directory(session, rt.settings.directory, rt.clock())


def _sync_codes(session: Session, model: type[Service] | type[Category], wanted: dict[str, str]) -> None:
    existing = {row.code: row for row in session.scalars(select(model))}
    for code, name in wanted.items():
        row = existing.get(code) or model(code=code, name=name)
        row.name, row.active = name, True
        session.add(row)
    for code, row in existing.items():
        if code not in wanted:
            row.active = False
