"""init and check-config."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app import desk_secret
from app.commands.common import prepare_desk, runtime_from, settings_from, sqlite_file
from app.config import ConfigError, Settings, config_path, redacted
from workflow.policy import DKIM, REPLY_TOKEN, SPF


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("init", help="create or upgrade the database schema (safe to run twice)")
    p.set_defaults(handler=cmd_init)
    p = sub.add_parser("check-config", help="check the configuration and print it, secrets hidden")
    p.add_argument("--print", action="store_true", help="print the merged configuration")
    p.set_defaults(handler=cmd_check_config)


def cmd_init(args: argparse.Namespace) -> int:
    for line in prepare_desk(settings_from(args)):
        print(line)
    rt = runtime_from(args)
    try:
        print(f"schema is current: {rt.engine.url.render_as_string(hide_password=True)}")
    finally:
        rt.close()
    return 0


def cmd_check_config(args: argparse.Namespace) -> int:
    path = config_path(args.config)
    source = (f"read {path.resolve()}" if path is not None else
              "read no config file ($INCIDENTDESK_CONFIG unset, no ./incidentdesk.toml): "
              "the built-in defaults")
    try:
        settings = settings_from(args)  # raises ConfigError with every problem found
    except ConfigError:
        print(source, file=sys.stderr)
        raise
    problem = agents_cannot_authenticate(settings)
    if problem:
        print(source, file=sys.stderr)
        raise ConfigError([problem])
    if args.print:
        print(json.dumps(redacted(settings.raw), indent=2, ensure_ascii=False))
    print(source)
    print(f"reply-token secret: {secret_origin(settings)}")
    database = sqlite_file(settings.database_url)
    if database is not None and not database.is_file():
        print(f"no database at {database} yet; run incidentdesk init")
    print("configuration OK")
    return 0


def agents_cannot_authenticate(settings: Settings) -> str | None:
    """With agents in the directory, at least one configured method must be able to prove
    an agent's mail; otherwise every agent command is refused, so the configuration is not OK."""
    agents = sum(1 for entry in settings.directory if entry.is_agent)
    methods = settings.policy.auth_methods
    token = REPLY_TOKEN in methods and bool(settings.policy.reply_secret)
    mta = bool(methods & {DKIM, SPF}) and bool(settings.auth.authserv_id)
    if not agents or token or mta:
        return None
    needs = []
    if REPLY_TOKEN in methods:
        needs.append("reply_token needs a secret: run `incidentdesk init` (it stores one) or set "
                     "INCIDENTDESK_SECRET")
    else:
        needs.append('add "reply_token" to auth.methods (and run `incidentdesk init`)')
    if methods & {DKIM, SPF}:
        needs.append(f"{' and '.join(sorted(methods & {DKIM, SPF}))} need auth.authserv_id, your "
                     "mail server's id in Authentication-Results")
    return (f"{agents} agent(s) in [[agents]], but no method in auth.methods "
            f"({', '.join(sorted(methods))}) can prove their mail is theirs, so every agent "
            f"command would be refused: {'; '.join(needs)}")


def secret_origin(settings: Settings) -> str:
    """Where the reply-token secret comes from (never the secret itself)."""
    if settings.desk.secret_configured:
        return "desk.secret (or INCIDENTDESK_SECRET)"
    stored: Path = desk_secret.secret_path(settings.database_url, settings.base_dir)
    if not settings.policy.reply_secret:
        return f"none (`incidentdesk init` stores one in {stored})"
    warning = "; WARNING: other users can read it, run chmod 600" if desk_secret.readable_by_others(stored) else ""
    return f"stored in {stored}{warning}"
