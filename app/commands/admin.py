"""init and check-config."""
from __future__ import annotations

import argparse

from app.commands.common import runtime_from, settings_from
from app.config import redacted


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("init", help="create or upgrade the database schema (safe to run twice)")
    p.set_defaults(handler=cmd_init)
    p = sub.add_parser("check-config", help="check the configuration and print it, secrets hidden")
    p.add_argument("--print", action="store_true", help="print the merged configuration")
    p.set_defaults(handler=cmd_check_config)


def cmd_init(args: argparse.Namespace) -> int:
    rt = runtime_from(args)
    try:
        print(f"schema is current: {rt.engine.url.render_as_string(hide_password=True)}")
    finally:
        rt.close()
    return 0


def cmd_check_config(args: argparse.Namespace) -> int:
    settings = settings_from(args)  # raises ConfigError with every problem found
    if args.print:
        import json
        print(json.dumps(redacted(settings.raw), indent=2, ensure_ascii=False))
    print("configuration OK")
    return 0
