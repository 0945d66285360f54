"""`incidentdesk`: the command line. Each command group lives in app/commands/ and registers
its own sub-commands; this module only builds the parser and turns errors into messages."""
from __future__ import annotations

import argparse
import imaplib
import sys
from typing import Sequence

import structlog
from sqlalchemy.exc import OperationalError

from app import logs
from app.commands import COMMAND_MODULES
from app.config import ConfigError

log = structlog.get_logger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="incidentdesk",
        description="E-mail driven ITIL incident desk: tickets, SLA timers, escalation, mailers.",
    )
    parser.add_argument("--config", help="TOML file (default: $INCIDENTDESK_CONFIG or ./incidentdesk.toml)")
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING (default INFO)")
    parser.add_argument("--log-json", action="store_true", help="JSON log lines even on a terminal")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logs.configure(args.log_level, json=True if args.log_json else None)
    try:
        return int(args.handler(args) or 0)
    except ConfigError as exc:
        print("configuration problems:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    except OperationalError as exc:
        print(f"database unavailable: {exc.orig}", file=sys.stderr)
        return 3
    except (OSError, imaplib.IMAP4.error) as exc:
        print(f"mail server unavailable: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 4
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
