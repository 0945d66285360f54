"""What the composition root (app/) hands the console: the desk's facts, database sessions
for reading, and the callables that change things. The console acts on tickets only through
`act` (app/work.py: the same plan -> apply -> outbox path as an agent's mail) and queues mail
only through `queue_mail`; it never imports app/, ingest/ or outbound/."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Callable, Mapping, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from workflow.command_grammar import CommandError, Vocabulary
from workflow.logged import LoggedReport
from workflow.notifications import Notification
from workflow.triage import Suggestion


@dataclass(frozen=True)
class AgentAction:
    """One form on the ticket page, as an agent's mail would say it: command lines in the
    grammar of workflow/command_grammar.py (built by the console from the form's fields, one value
    per line), and the free text kept apart so that nothing typed in a text box is ever read
    as a command."""

    number: str
    agent: str                          # the logged-in agent's address
    lines: tuple[str, ...] = ()
    note: str = ""                      # internal, never shown to the reporter
    reply: str = ""                     # the message to the reporter (`Balas:` in a mail)
    description: str = ""               # the escalation form's description of the handling


@dataclass(frozen=True)
class ActResult:
    """What the action did (lines for the agent, in their language), or every reason it was
    refused (then nothing changed)."""

    changes: tuple[str, ...] = ()
    refusals: tuple[CommandError, ...] = ()

    @property
    def refused(self) -> bool:
        return bool(self.refusals)


@dataclass(frozen=True)
class ReporterAction:
    """What a reporter did on their ticket's page (web/public.py): a comment, or, with a
    rating 1-5, the feedback form of a closed ticket (the comment rides with it)."""

    number: str
    comment: str = ""
    rating: int | None = None


@dataclass(frozen=True)
class ReporterResult:
    ticket: str = ""          # the ticket the comment landed on (a new one after the reopen window)
    refused: str = ""         # why not: not_closed | bad_rating | empty


@dataclass(frozen=True)
class ReportFile:
    """A management report (app/report_request.py make_report) as the browser gets it."""

    body: bytes
    media_type: str
    filename: str


@dataclass(frozen=True)
class LogResult:
    """A logged phone or walk-in report (app/work.py log_report): the new ticket's number
    and lines for the agent, or every reason it was refused (then nothing was kept)."""

    number: str | None = None
    changes: tuple[str, ...] = ()
    refusals: tuple[CommandError, ...] = ()


@dataclass(frozen=True)
class DeskFacts:
    name: str
    organisation: str
    timezone: ZoneInfo
    language: str
    services: Mapping[str, str]         # code -> name
    categories: Mapping[str, str]
    levels: tuple[str, ...]             # urgency/impact levels (high, medium, low)
    priorities: tuple[str, ...]         # P1..P5, as configured in [sla]
    labels: Mapping[str, Mapping[str, str]]
    escalation_levels: tuple[int, ...]
    vocabulary: Vocabulary


@dataclass(frozen=True)
class WebConfig:
    base_url: str                       # "" = the address the browser used
    secret_key: bytes = field(repr=False)
    secure_cookies: bool
    idle_minutes: int
    page_size: int
    link_secret: str = field(default="", repr=False)   # signs reporter links (workflow/tokens.py)
    metrics_allow: tuple[str, ...] = ("127.0.0.1", "::1")
    poll_stale_seconds: float = 300.0   # /healthz fails when no poll ended well for this long


@dataclass(frozen=True)
class WebServices:
    desk: DeskFacts
    config: WebConfig
    sessions: sessionmaker[Session]     # writes of the console's own rows (logins, sessions)
    readers: sessionmaker[Session]      # pages
    act: Callable[[AgentAction], ActResult]
    queue_mail: Callable[[Session, Sequence[Notification], datetime], int]   # rows queued
    clock: Callable[[], datetime]
    # the logging form (fig. 13): save through app/work.py log_report, suggest before saving
    log_report: Callable[[LoggedReport], LogResult] | None = None
    suggest: Callable[[LoggedReport], Suggestion] | None = None
    reporter_act: Callable[[ReporterAction], ReporterResult] | None = None
    # management: the report of a period (first, last, status, service, format, language)
    # and the digest of a past day as the mail's HTML (day, language)
    report: Callable[[date, date, str, str, str, str], ReportFile] | None = None
    digest_html: Callable[[date, str], str] | None = None
