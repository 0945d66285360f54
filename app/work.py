"""The unit of work, composed here once for every front door (mail, web, CLI): open the
transaction, plan -> apply, queue the mails the change causes (outbound.outbox.enqueue) in
the same transaction, record, commit. Nothing else opens a transaction that changes a ticket
and queues its mail.

- `in_transaction(session, rt, act, at)`: the steps inside a transaction the caller holds.
  The mail path (app/poll.py `_route`) holds one per batch, a savepoint per message, with
  the inbound record in it.
- `run(rt, act, at)`: the same in a transaction of its own, committed when `act` returns and
  rolled back when it raises (a refusal changes nothing).
- `agent_action(rt, action)`: a form of the web console, an agent's commands by another
  door: the same grammar (workflow/command_grammar.py parse_commands), the same checks
  (workflow/command_plan.py plan_commands) and the same changes and mails
  (workflow/command_apply.py apply_plan) as an authenticated agent's mail, so the refusals
  and the mails are the same. Only the answer differs: the page shows what changed or why
  not, where a mail gets a confirmation or rejected_command mail back.
- `reporter_action(rt, action)`: the reporter's page (a comment, a rating), through the
  same rules as the reporter's reply by mail."""
from __future__ import annotations

from datetime import datetime
from typing import Callable, Sequence

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.poll_errors import Progress, Stage
from app.runtime import Runtime
from models import Ticket
from outbound.outbox import enqueue
from web.services import ActResult, AgentAction, LogResult, ReporterAction, ReporterResult
from workflow.command_apply import apply_plan
from workflow.command_plan import plan_commands
from workflow.command_grammar import CommandError, parse_commands
from workflow.feedback import Rating, store_feedback
from workflow.history import record
from workflow.logged import LoggedReport, NotLogged, suggestion_for
from workflow.logged import log_report as log_logged_report
from workflow.inbound import handle_on_ticket
from workflow.notifications import Notification
from workflow.personal import Outcome, PersonalMail
from workflow.recipients import agent_by_address
from workflow.triage import Suggestion
from workflow.status import Status

log = structlog.get_logger(__name__)

Act = Callable[[Session], Outcome]


class Refusal(Exception):
    """The rules refused the request: the transaction rolls back, nothing changed."""

    def __init__(self, errors: Sequence[CommandError]) -> None:
        super().__init__("; ".join(e.message_en for e in errors))
        self.errors = tuple(errors)


def in_transaction(session: Session, rt: Runtime, act: Act, at: datetime,
                   progress: Progress | None = None) -> Outcome:
    """plan and apply (`act`), then the outbox rows of its notifications, in `session`.
    `progress` (the mail path's) learns when rendering starts, so a failure there is
    quarantined as the render stage's."""
    outcome = act(session)
    if progress is not None:
        progress.stage = Stage.RENDER
    queue_mail(rt, session, outcome.notifications, at)
    return outcome


def run(rt: Runtime, act: Act, at: datetime) -> Outcome:
    """`in_transaction` in a transaction of its own: commit, or roll back on any error."""
    with rt.sessions.begin() as session:
        return in_transaction(session, rt, act, at)


def queue_mail(rt: Runtime, session: Session, notifications: Sequence[Notification], at: datetime) -> int:
    """The one way a unit of work queues mail (the web's login links, the SLA sweep and the
    digest too); how many rows were queued."""
    return len(enqueue(session, rt.desk, rt.renderer, notifications, at))


def agent_action(rt: Runtime, action: AgentAction) -> ActResult:
    """One web form as an agent's commands; refused as a whole or applied as a whole."""
    at = rt.clock()
    changes: list[str] = []
    try:
        outcome = run(rt, lambda session: _act(session, rt, action, at, changes), at)
    except Refusal as refusal:
        log.info("web.commands_refused", ticket=action.number, agent=action.agent,
                 reasons=len(refusal.errors))
        _keep_refusal(rt, action, refusal.errors, at)
        return ActResult(refusals=refusal.errors)
    log.info("web.commands_applied", ticket=outcome.ticket.number, agent=action.agent,
             changes=len(changes), mails=len(outcome.notifications))
    return ActResult(changes=tuple(changes))


def log_report(rt: Runtime, report: LoggedReport) -> LogResult:
    """One logged report: the ticket and its mails committed together, or refused whole."""
    at = rt.clock()
    policy, rules = rt.settings.policy, rt.settings.triage
    changes: list[str] = []

    def act(session: Session) -> Outcome:
        logged = log_logged_report(session, policy, rules, report, at)
        changes.extend(logged.changes)
        return logged.outcome

    try:
        outcome = run(rt, act, at)
    except NotLogged as refused:
        log.info("log.refused", agent=report.agent, channel=report.channel, reasons=len(refused.errors))
        return LogResult(refusals=refused.errors)
    log.info("log.logged", ticket=outcome.ticket.number, agent=report.agent, channel=report.channel,
             mails=len(outcome.notifications))
    return LogResult(number=outcome.ticket.number, changes=tuple(changes))


def triage_suggestion(rt: Runtime, report: LoggedReport) -> Suggestion:
    """What the logging form shows before saving; reads only."""
    with rt.readers() as session:
        return suggestion_for(session, rt.settings.policy, rt.settings.triage, report)


def _keep_refusal(rt: Runtime, action: AgentAction, errors: Sequence[CommandError], at: datetime) -> None:
    """As a refused mail is kept (workflow/agent_mail.py): the history shows what was tried
    and why nothing changed, internal to the desk. Its own transaction: the refused one
    rolled back whole."""
    reasons = [{"line": e.line, "en": e.message_en, "id": e.message_id} for e in errors]
    with rt.sessions.begin() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == action.number))
        if ticket is not None:
            record(session, ticket, "comment", actor=action.agent, at=at,
                   note="\n".join(action.lines), data={"refused": reasons, "channel": "web"})


def _act(session: Session, rt: Runtime, action: AgentAction, at: datetime,
         changes: list[str]) -> Outcome:
    """What handle_agent_mail does for a proven agent mail (workflow/agent_mail.py): parse,
    plan, refuse with every reason or apply, the internal note as a comment. The ticket row
    is locked, so a mail acting on the same ticket waits for this one (PostgreSQL)."""
    policy = rt.settings.policy
    ticket = session.scalar(select(Ticket).where(Ticket.number == action.number)
                            .with_for_update(of=Ticket))
    agent = agent_by_address(session, action.agent)
    if ticket is None or agent is None:
        raise LookupError(f"no ticket {action.number} or agent {action.agent}")
    parsed = parse_commands("\n".join(action.lines), policy.vocabulary)
    if parsed.comment or parsed.reply is not None:   # a line the console built was not a command
        raise ValueError(f"not command lines: {action.lines!r}")
    plan, refused = plan_commands(session, policy, ticket, agent, parsed.commands, at)
    if parsed.errors or refused:
        raise Refusal([*parsed.errors, *refused])
    notes: list[Notification] = []
    if parsed.commands or action.reply.strip():
        applied = apply_plan(session, policy, ticket, agent, plan, at=at, inbound_id=None,
                             comment=action.description or action.note, note=action.note,
                             reply=action.reply or None)
        changes += applied.changes
        notes = applied.notifications
    if action.note.strip():   # internal: like the comment of an agent's mail
        record(session, ticket, "comment", actor=agent.address, at=at, note=action.note.strip())
        changes.append("Catatan internal dicatat" if (agent.language or policy.language) == "id"
                       else "Internal note recorded")
    return Outcome("event", ticket, notes)


def reporter_action(rt: Runtime, action: ReporterAction) -> ReporterResult:
    """The reporter's page (a signed link, no account): a comment, or a rating after
    closure, through the same rules as the reporter's mail (workflow/inbound.py
    handle_on_ticket: a status request, a comment, a reopen inside the window, a new
    ticket after it; workflow/feedback.py store_feedback: closed tickets only, one row per
    ticket, a later rating replaces the earlier). The reporter is the ticket's own."""
    at = rt.clock()
    try:
        outcome = run(rt, lambda session: _reporter_act(session, rt, action, at), at)
    except ReporterRefusal as refusal:
        log.info("web.reporter_refused", ticket=action.number, reason=refusal.reason)
        return ReporterResult(refused=refusal.reason)
    log.info("web.reporter_" + ("feedback" if action.rating is not None else "comment"),
             ticket=action.number, outcome=outcome.kind, new_ticket=outcome.ticket.number
             if outcome.ticket.number != action.number else None, mails=len(outcome.notifications))
    return ReporterResult(ticket=outcome.ticket.number)


class ReporterRefusal(Exception):
    """What the rules refuse on the reporter's page (a rating before closure, empty text)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _reporter_act(session: Session, rt: Runtime, action: ReporterAction, at: datetime) -> Outcome:
    ticket = session.scalar(select(Ticket).where(Ticket.number == action.number)
                            .with_for_update(of=Ticket))
    if ticket is None:
        raise LookupError(f"no ticket {action.number}")
    reporter = ticket.reporter
    if action.rating is not None:
        if ticket.status != Status.CLOSED:
            raise ReporterRefusal("not_closed")
        if not 1 <= action.rating <= 5:
            raise ReporterRefusal("bad_rating")
        store_feedback(session, ticket, Rating(action.rating, action.comment.strip()),
                       actor=reporter.address, at=at, inbound_id=None)
        return Outcome("event", ticket, [])
    text = action.comment.strip()
    if not text:
        raise ReporterRefusal("empty")
    mail = PersonalMail(sender=reporter.address, sender_name=reporter.name or "",
                        subject=f"[{ticket.number}] {ticket.subject}", text=text, new_text=text,
                        message_id=None, references=(), received_at=at)
    return handle_on_ticket(session, rt.settings.policy, rt.settings.triage, ticket, mail,
                            reporter=True)
