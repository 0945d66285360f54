"""`incidentdesk`: the command line. Each command group lives in app/commands/ and registers
its own sub-commands; this module only builds the parser and turns errors into messages."""
from __future__ import annotations

import argparse
import imaplib
import sys
from typing import NoReturn, Sequence

import structlog
from sqlalchemy.exc import OperationalError

from app import logs
from app.commands import COMMAND_MODULES
from app.commands.common import NoDatabase
from app.config import ConfigError
from models.db import DatabaseUnavailable

log = structlog.get_logger(__name__)


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class Parser(argparse.ArgumentParser):
    """Bad arguments are one line on stderr and exit 2, not the usage block: the operator
    sees what was wrong (`--help` has the rest). Sub-command parsers are of this class too."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def log_level(value: str) -> str:
    if value.upper() not in LOG_LEVELS:
        raise argparse.ArgumentTypeError(f"unknown log level {value!r}; use {', '.join(LOG_LEVELS)}")
    return value.upper()


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="incidentdesk",
        description="E-mail driven ITIL incident desk: tickets, SLA timers, escalation, mailers.",
    )
    parser.add_argument("--config", help="TOML file (default: $INCIDENTDESK_CONFIG or ./incidentdesk.toml)")
    parser.add_argument("--log-level", default="INFO", type=log_level,
                        help="DEBUG, INFO, WARNING or ERROR (default INFO)")
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
    except DatabaseUnavailable as exc:
        print(f"database unavailable: {exc}", file=sys.stderr)
        return 3
    except NoDatabase as exc:
        print(exc, file=sys.stderr)
        return 3
    except (OSError, imaplib.IMAP4.error) as exc:
        print(f"mail server unavailable: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 4
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
