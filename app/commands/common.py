"""What every command needs: the settings and a runtime built from --config."""
from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any

from app.config import Settings, config_path, load
from app.runtime import Runtime, open_runtime, sync_reference_data
from models.db import upgrade


def settings_from(args: argparse.Namespace) -> Settings:
    return load(config_path(args.config))


def runtime_from(args: argparse.Namespace, *, migrate: bool = True) -> Runtime:
    """A runtime on an up-to-date schema: every command upgrades first (a no-op when
    current), so a fresh install and an upgraded one behave the same."""
    rt = open_runtime(settings_from(args))
    if migrate:
        upgrade(rt.engine)
        sync_reference_data(rt)
    return rt


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2, default=_json_default)
    sys.stdout.write("\n")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def is_terminal() -> bool:
    return sys.stderr.isatty()
