"""help commands: the agents' command grammar, as the desk reads it (workflow/command_grammar.py)."""
from __future__ import annotations

import argparse

from workflow.command_grammar import help_text

LANGUAGES = ("id", "en")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("help", help="reference for people who work by e-mail")
    p.add_argument("topic", choices=["commands"], help="commands: the command lines agents write in replies")
    p.add_argument("--lang", choices=LANGUAGES, help="one language (default: Indonesian, then English)")
    p.set_defaults(handler=cmd_help)


def cmd_help(args: argparse.Namespace) -> int:
    """Needs no configuration and no database: an agent can read it anywhere."""
    languages = (args.lang,) if args.lang else LANGUAGES
    print("\n".join(help_text(lang) for lang in languages), end="")
    return 0
