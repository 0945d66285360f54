"""log: a report that came by phone or in person, logged by an agent (the paper's fig. 13).
The description comes from --description, else from stdin (typed at a terminal, ended by
Ctrl-D, or piped); the unit of work is app/work.py log_report, as for the console's form."""
from __future__ import annotations

import argparse
import sys

from app import work
from app.commands.common import runtime_from
from workflow.command_grammar import keyword
from workflow.logged import LoggedReport

CHANNELS = {"phone": "phone", "telepon": "phone", "walk-in": "walk_in", "walk_in": "walk_in",
            "langsung": "walk_in"}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("log", help="log a phone or walk-in report for someone (see README \"Commands\")")
    p.add_argument("--agent", default="", help="your address: the agent who logs the report")
    p.add_argument("--name", default="", help="the reporter's name")
    p.add_argument("--address", default="", help="the reporter's e-mail address (acknowledged there)")
    p.add_argument("--phone", default="", help="the reporter's mobile number (for SMS)")
    p.add_argument("--channel", default="phone", choices=sorted(CHANNELS),
                   help="how the report came: phone (default) or walk-in")
    p.add_argument("--subject", default="", help="the subject of the ticket")
    p.add_argument("--description", help="the report; default: read from stdin")
    for name in ("service", "category", "urgency", "impact"):
        p.add_argument(f"--{name}", default="", help=f"{name} (default: the triage suggestion)")
    p.set_defaults(handler=cmd_log)


def cmd_log(args: argparse.Namespace) -> int:
    description = args.description if args.description is not None else sys.stdin.read()
    lines = tuple(f"{keyword('en', name)}: {' '.join(value.split())}"
                  for name in ("service", "category", "urgency", "impact")
                  if (value := getattr(args, name)).strip())
    report = LoggedReport(agent=args.agent, channel=CHANNELS[args.channel], name=args.name,
                          address=args.address, phone=args.phone, subject=args.subject,
                          description=description, lines=lines, lang="en")
    rt = runtime_from(args)
    try:
        result = work.log_report(rt, report)
    finally:
        rt.close()
    if result.refusals:
        reasons = "; ".join(f"{e.line}: {e.message_en}" if e.line not in ("", "-") else e.message_en
                            for e in result.refusals)
        print(f"not logged: {reasons}", file=sys.stderr)
        return 2
    for change in result.changes:
        print(change)
    return 0
