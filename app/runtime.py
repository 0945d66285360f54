"""The composed service: settings turned into an engine, sessions, rules and renderers."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Mapping, TypeVar

from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from models import Category, OutboxMessage, Service
from models.db import make_engine, read_session_factory, session_factory
from outbound.render import Renderer
from outbound.settings import DeskInfo
from workflow.people import sync_directory
from workflow.sms import SmsRules


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
    # set when a committed unit of work queued mail (or SMS): this process's sender wakes at once
    mail_queued: threading.Event = field(default_factory=threading.Event)
    sms_queued: threading.Event = field(default_factory=threading.Event)

    def close(self) -> None:
        self.engine.dispose()


def desk_info(settings: Settings) -> DeskInfo:
    desk = settings.desk
    return DeskInfo(
        name=desk.name, organisation=desk.organisation, address=desk.address,
        timezone=desk.timezone, language=desk.language, secret=desk.secret,
        base_url=settings.web.base_url,
        labels=settings.labels, service_names=dict(settings.catalog.services),
        category_names=dict(settings.catalog.categories),
        priority_names={p: t.name for p, t in settings.policy.sla.items()},
        never_mail=settings.outbound.never_mail,
        sms=SmsRules(enabled=settings.sms.enabled, agent_priorities=settings.sms.agent_priorities),
    )


def open_runtime(settings: Settings, clock: Callable[[], datetime] = utcnow) -> Runtime:
    engine = make_engine(settings.database_url,
                         busy_timeout=settings.database.busy_timeout_seconds)
    rt = Runtime(settings=settings, engine=engine, sessions=session_factory(engine),
                 readers=read_session_factory(engine),
                 desk=desk_info(settings), renderer=Renderer(), clock=clock)
    _signal_queued_mail(rt)
    return rt


def _signal_queued_mail(rt: Runtime) -> None:
    """Whatever unit of work queues mail (a poll, an agent's web form, the SLA sweep), the
    sender hears of it when that unit commits, not at its next interval."""
    def flushed(session: Session, _context: object) -> None:
        for row in session.new:
            if isinstance(row, OutboxMessage):
                session.info.setdefault("queued", set()).add(row.channel)

    def committed(session: Session) -> None:
        if session.in_nested_transaction():  # a savepoint released: nothing visible to others yet
            return
        channels = session.info.pop("queued", set())
        if "mail" in channels:
            rt.mail_queued.set()
        if "sms" in channels:
            rt.sms_queued.set()

    event.listen(rt.sessions, "after_flush", flushed)  # a rolled-back row wakes the sender for nothing: harmless
    event.listen(rt.sessions, "after_commit", committed)


def sync_reference_data(rt: Runtime) -> None:
    """Mirror the configured services, categories and people into their tables."""
    with rt.sessions.begin() as session:
        _sync_codes(session, Service, rt.settings.catalog.services)
        _sync_codes(session, Category, rt.settings.catalog.categories)
        sync_directory(session, rt.settings.directory, rt.clock())


CodeRow = TypeVar("CodeRow", Service, Category)  # the code tables: code, name, active


def _sync_codes(session: Session, model: type[CodeRow], wanted: Mapping[str, str]) -> None:
    existing = {row.code: row for row in session.scalars(select(model))}
    for code, name in wanted.items():
        row = existing.get(code) or model(code=code, name=name)
        row.name, row.active = name, True
        session.add(row)
    for code, row in existing.items():
        if code not in wanted:
            row.active = False
