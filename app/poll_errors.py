"""What a failure while handling one message means (after Zulip's gateway and Mailman's
shunt queue). Three answers, and only the first two stop a poll:

- OUTAGE: the database does not answer. Stop; the mail stays where it is.
- BUSY: the database answers but will not take this work now (a lock timeout, a deadlock,
  a serialization failure). Stop as for an outage, and count the try against the message,
  so a message that always runs into it is set aside after `source.max_attempts`.
- MESSAGE: this message cannot be stored or handled (a value the database refuses, a
  constraint, an encoding error, a bug in a rule). Roll back this message only, quarantine
  it with the stage that failed, and go on with the next one.

IMAP and socket errors never reach here: they happen outside a message's handling, in the
source, and stop the poll where they happen."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from models.db import database_answers


class Stage(StrEnum):
    """Where one message's handling was when it failed; recorded with its quarantine."""

    PARSE = "parse"
    CLASSIFY = "classify"
    RULES = "rules"
    RENDER = "render"
    STORE = "store"


class Failure(StrEnum):
    OUTAGE = "outage"
    BUSY = "busy"
    MESSAGE = "message"


@dataclass
class Progress:
    """The stage a message has reached, updated as it goes."""

    stage: Stage = Stage.PARSE


def failure_of(exc: BaseException, engine: Engine) -> Failure:
    """Which of the three a failure is. A database error is an outage only when the
    database then fails to answer a trivial query: a dropped connection looks the same
    as a refused value until one asks."""
    if not isinstance(exc, DBAPIError):
        return Failure.MESSAGE
    if exc.connection_invalidated or not database_answers(engine):
        return Failure.OUTAGE
    return Failure.BUSY if isinstance(exc, OperationalError) else Failure.MESSAGE


def describe_error(exc: BaseException) -> str:
    """One line for a person: the type and the first line of the message (a database
    error's text carries the statement and its parameters after that: mail content)."""
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".strip()
