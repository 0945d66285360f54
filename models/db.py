"""Engine, sessions and schema upgrades."""
from __future__ import annotations

from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from models import resources

MIGRATIONS = resources.migrations()


def make_engine(url: str, *, busy_timeout: float = 30.0) -> Engine:
    """An engine for `url`. SQLite gets WAL and a busy timeout so a second process waits
    (up to `busy_timeout` seconds) instead of failing on a locked database; its folder is
    never created here (only `incidentdesk init` makes a database: a typo in a path must not
    become a new, empty desk). PostgreSQL connections are not pinged before each use (a round trip per
    transaction): a connection found dead raises once, the pool drops it, the caller's
    next unit of work reconnects."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_recycle=1800)
    engine = create_engine(url, connect_args={"timeout": busy_timeout})
    event.listen(engine, "connect", lambda conn, _record: _sqlite_pragmas(conn, busy_timeout))
    event.listen(engine, "begin", _sqlite_begin_immediate)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, busy_timeout: float) -> None:
    dbapi_connection.isolation_level = None  # let SQLAlchemy's "begin" hook issue BEGIN
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
    cursor.close()


def _sqlite_begin_immediate(connection: Any) -> None:
    """Take the write lock at BEGIN: two writers then queue on busy_timeout instead of one
    failing with 'database is locked' when it upgrades a read lock. Read-only sessions
    (read_session_factory) begin deferred, so a long report never blocks the poller."""
    readonly = connection.get_execution_options().get("incidentdesk_readonly", False)
    connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


def read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for reading only (listings, reports): no write lock on SQLite."""
    return sessionmaker(engine.execution_options(incidentdesk_readonly=True), expire_on_commit=False)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine) -> None:
    """Create or upgrade the schema to the newest revision; safe to run any number of times."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


class DatabaseUnavailable(Exception):
    """The database did not answer: the caller stops and leaves its work where it is."""


def database_answers(engine: Engine) -> bool:
    """Whether the database takes a query now. After a failed statement this tells an
    outage (stop the poll) from a statement the database refused (this message's fault)."""
    try:
        with engine.execution_options(incidentdesk_readonly=True).connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        return True
    except Exception:  # any failure to answer is the answer
        return False
