"""Shared fixtures: a fresh database per test (SQLite always, PostgreSQL when
INCIDENTDESK_TEST_DATABASE_URL is set), settings written as a real TOML file, a runtime
with a controllable clock."""
from __future__ import annotations

import os
import secrets
import shutil
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from app import logs
from app.config import Settings, load
from app.runtime import Runtime, open_runtime, sync_reference_data, utcnow
from models.db import make_engine, upgrade
from tests.integration.support import World, world_settings
from tests.servers.dovecot import DovecotServer
from tests.servers.smtp import SmtpServer

logs.configure("INFO", json=True)

PG_URL = os.environ.get("INCIDENTDESK_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


class Clock:
    """The only mock the suite needs: time. Starts at a fixed Monday morning in WITA."""

    def __init__(self, start: datetime = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(autouse=True)
def work_in_a_folder_of_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs in its own folder: a relative `var/` (where a PostgreSQL desk keeps
    its stored reply-token secret) is never the checkout's, nor another test's."""
    monkeypatch.chdir(tmp_path)


def _admin() -> sa.Engine:
    assert PG_URL
    return sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")


def _pg_url(name: str) -> str:
    assert PG_URL
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _migrated(url: str) -> None:
    engine = make_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """One migrated database per run; each test copies it (CREATE DATABASE ... TEMPLATE),
    which is much faster than migrating every test's database from nothing."""
    name = f"incidentdesk_tpl_{os.getpid()}_{secrets.token_hex(4)}"
    admin = _admin()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        _migrated(_pg_url(name))
        yield name
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "desk.db"
    _migrated(f"sqlite:///{path}")  # dispose checkpoints the WAL into the main file
    return path


def _postgres_database(template: str | None) -> Iterator[str]:
    """A database of our own for this test, dropped afterwards: runs never see each other."""
    name = f"incidentdesk_t_{os.getpid()}_{secrets.token_hex(4)}"
    admin = _admin()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    try:
        yield _pg_url(name)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database of this test's own."""
    if request.param == "sqlite":
        shutil.copyfile(request.getfixturevalue("sqlite_template"), tmp_path / "desk.db")
        yield f"sqlite:///{tmp_path / 'desk.db'}"
    else:
        yield from _postgres_database(request.getfixturevalue("pg_template"))


@pytest.fixture(params=BACKENDS)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all, for the tests of `init` and migrations."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
    else:
        yield from _postgres_database(None)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def write_config(path: Path, tables: dict[str, dict[str, Any]], arrays: dict[str, list[dict[str, Any]]] | None = None) -> Path:
    """Write a TOML config: `tables` are dotted table names -> keys, `arrays` are [[name]] lists."""
    lines = []
    for table, keys in tables.items():
        lines.append(f"[{table}]")
        lines += [f"{k} = {toml_value(v)}" for k, v in keys.items()]
    for name, items in (arrays or {}).items():
        for item in items:
            lines.append(f"[[{name}]]")
            lines += [f"{k} = {toml_value(v)}" for k, v in item.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


AGENTS = [
    {"name": "Rina Service Desk", "addresses": ["rina@posbalikpapan.example"], "level": 1, "role": "service_desk"},
    {"name": "Agus Level Dua", "addresses": ["agus@posbalikpapan.example"], "level": 2, "role": "functional_support"},
    {"name": "Sari Level Tiga", "addresses": ["sari@posbalikpapan.example"], "level": 3, "role": "functional_support"},
    {"name": "Bambang Kepala SOLTEK", "addresses": ["bambang@posbalikpapan.example"], "role": "head_of_soltek"},
    {"name": "Hendra Kepala Kantor", "addresses": ["kepala.kantor@posbalikpapan.example"], "role": "head_of_office", "language": "id"},
]


@pytest.fixture
def make_settings(tmp_path: Path, db_url: str) -> Callable[..., Settings]:
    def build(tables: dict[str, dict[str, Any]] | None = None, arrays: dict[str, list[dict[str, Any]]] | None = None) -> Settings:
        base = {"database": {"url": db_url},
                "source": {"maildir": str(tmp_path / "maildir")},
                "outbound": {"outbox_dir": str(tmp_path / "outbox")}}
        for table, keys in (tables or {}).items():
            base.setdefault(table, {}).update(keys)
        config_arrays = {"agents": AGENTS}
        config_arrays.update(arrays or {})
        return load(write_config(tmp_path / "incidentdesk.toml", base, config_arrays))
    return build


@contextmanager
def migrated_runtime(settings: Settings, clock: Callable[[], datetime] = utcnow) -> Iterator[Runtime]:
    """A runtime on `settings` as `incidentdesk init` leaves the desk: schema at head, the
    configured catalogue and people in their tables; closed on leaving. The one way the suite
    opens a desk, so a new step of start-up is added here once, not in every test."""
    rt = open_runtime(settings, clock=clock)
    try:
        upgrade(rt.engine)
        sync_reference_data(rt)
        yield rt
    finally:
        rt.close()


class RuntimeFactory(Protocol):
    def __call__(self, tables: dict[str, dict[str, Any]] | None = None,
                 arrays: dict[str, list[dict[str, Any]]] | None = None, *,
                 settings: Settings | None = None, clock: Callable[[], datetime] | None = None) -> Runtime: ...


@pytest.fixture
def runtime_factory(make_settings: Callable[..., Settings], clock: Clock) -> Iterator[RuntimeFactory]:
    """Migrated runtimes on demand: on `make_settings(tables, arrays)` or on ready-made
    `settings`, with the test's clock unless told otherwise; all closed when the test ends
    (closing one earlier, to hand its database to the CLI, is harmless)."""
    test_clock = clock
    with ExitStack() as opened:
        def open_desk(tables: dict[str, dict[str, Any]] | None = None,
                      arrays: dict[str, list[dict[str, Any]]] | None = None, *,
                      settings: Settings | None = None, clock: Callable[[], datetime] | None = None) -> Runtime:
            chosen = settings if settings is not None else make_settings(tables, arrays)
            return opened.enter_context(migrated_runtime(chosen, clock if clock is not None else test_clock))
        yield open_desk


@pytest.fixture
def runtime(runtime_factory: RuntimeFactory) -> Runtime:
    return runtime_factory()


@pytest.fixture
def world(runtime_factory: RuntimeFactory, clock: Clock, dovecot: DovecotServer,
          smtp_server: SmtpServer) -> World:
    """The desk between a real Dovecot mailbox and a real SMTP server (end-to-end agent
    tests in integration/, forged-agent tests in faults/)."""
    return World(runtime_factory(world_settings(dovecot, smtp_server)), dovecot, smtp_server, clock)
