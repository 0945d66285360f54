"""Shared fixtures: a fresh database per test (SQLite always, PostgreSQL when
INCIDENTDESK_TEST_DATABASE_URL is set), settings written as a real TOML file, a runtime
with a controllable clock."""
from __future__ import annotations

import os
import secrets
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from app import logs
from app.config import Settings, load
from app.runtime import Runtime, open_runtime, sync_reference_data
from models.db import upgrade

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


def _postgres_database() -> Iterator[str]:
    """A database of our own for this test, dropped afterwards: runs never see each other."""
    assert PG_URL
    name = f"incidentdesk_t_{os.getpid()}_{secrets.token_hex(4)}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'desk.db'}"
    else:
        yield from _postgres_database()


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


@pytest.fixture
def runtime(make_settings: Callable[..., Settings], clock: Clock) -> Iterator[Runtime]:
    rt = open_runtime(make_settings(), clock=clock)
    upgrade(rt.engine)
    sync_reference_data(rt)
    yield rt
    rt.close()
