"""What every command needs: the settings and a runtime built from --config."""
from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any

from pathlib import Path

import structlog
from sqlalchemy.engine import make_url

from app import desk_secret, logs
from app.config import Settings, config_path, load
from app.runtime import Runtime, open_runtime, sync_reference_data
from models.db import upgrade

log = structlog.get_logger(__name__)

# the commands that may make a desk where there is none: init, and demo (a fresh desk from
# the sample reports); every other one on a missing SQLite file stops and says so
CREATES_DATABASE = frozenset({"init", "demo"})


class NoDatabase(Exception):
    """The configured SQLite file does not exist: a typo or a wrong working directory, never
    a reason to start an empty desk."""


def settings_from(args: argparse.Namespace) -> Settings:
    return load(config_path(args.config))


def runtime_from(args: argparse.Namespace, *, migrate: bool = True) -> Runtime:
    """A runtime on an up-to-date schema: every command upgrades first (a no-op when
    current), so a fresh install and an upgraded one behave the same. Only init and demo
    create the database (and the desk's stored secret); the others need it to exist."""
    settings = settings_from(args)
    if getattr(args, "command", None) in CREATES_DATABASE:
        if prepare_desk(settings):
            settings = settings_from(args)      # now with the stored secret
    else:
        require_database(settings)
    logs.use_timezone(settings.timezone)
    rt = open_runtime(settings)
    if migrate:
        upgrade(rt.engine)
        sync_reference_data(rt)
    return rt


def sqlite_file(database_url: str) -> Path | None:
    """The database file of a SQLite URL (None for a server database or :memory:)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def require_database(settings: Settings) -> None:
    path = sqlite_file(settings.database_url)
    if path is not None and not path.is_file():
        raise NoDatabase(f"no database at {path}; run incidentdesk init")


def prepare_desk(settings: Settings) -> list[str]:
    """What `init` makes besides the schema: the SQLite folder, and the reply-token secret
    when the configuration has none. Returns one line per thing made (never the secret)."""
    made = []
    path = sqlite_file(settings.database_url)
    if path is not None and not path.parent.is_dir():
        path.parent.mkdir(parents=True)
        made.append(f"created folder {path.parent}")
    if not settings.desk.secret_configured:
        secret_file = desk_secret.secret_path(settings.database_url, settings.base_dir)
        if desk_secret.ensure_stored(secret_file):
            log.info("desk.secret_created", path=str(secret_file))
            made.append(f"created the reply-token secret in {secret_file} (mode 0600)")
    return made


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2, default=_json_default)
    sys.stdout.write("\n")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def is_terminal() -> bool:
    return sys.stderr.isatty()

def count(value: str) -> int:
    """A --limit: a whole number, 0 (no limit) or more."""
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number, 0 (no limit) or more")
    return number
