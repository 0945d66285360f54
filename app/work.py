"""The unit of work, composed here once for every front door (mail, web, CLI): open the
transaction, plan -> apply, queue the mails the change causes (outbound.outbox.enqueue) in
the same transaction, record, commit. Nothing else opens a transaction that changes a ticket
and queues its mail.

- `in_transaction(session, rt, act, at)`: the steps inside a transaction the caller holds.
  The mail path (app/poll.py `_route`) holds one per message, with the inbound record in it:
  `outcome = in_transaction(session, rt, lambda s: handle_personal_mail(s, ...), at=received_at)`.
- `run(rt, act, at)`: the same in a transaction of its own, committed when `act` returns and
  rolled back when it raises (a refusal changes nothing).
- `agent_action(rt, action)`: a form of the web console, an agent's commands by another
  door: the same grammar (workflow/commands.py parse_commands), the same checks
  (workflow/command_plan.py plan_commands) and the same changes and mails
  (workflow/command_apply.py apply_plan) as an authenticated agent's mail, so the refusals
  and the mails are the same. Only the answer differs: the page shows what changed or why
  not, where a mail gets a confirmation or rejected_command mail back."""
from __future__ import annotations

from datetime import datetime
from typing import Callable, Sequence

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.runtime import Runtime
from models import Ticket
from outbound.outbox import enqueue
from web.services import ActResult, AgentAction
from workflow.command_apply import apply_plan
from workflow.command_plan import plan_commands
from workflow.commands import CommandError, parse_commands
from workflow.history import record
from workflow.notifications import Notification
from workflow.personal import Outcome
from workflow.recipients import agent_by_address

log = structlog.get_logger(__name__)

Act = Callable[[Session], Outcome]


class Refusal(Exception):
    """The rules refused the request: the transaction rolls back, nothing changed."""

    def __init__(self, errors: Sequence[CommandError]) -> None:
        super().__init__("; ".join(e.message_en for e in errors))
        self.errors = tuple(errors)


def in_transaction(session: Session, rt: Runtime, act: Act, at: datetime) -> Outcome:
    """plan and apply (`act`), then the outbox rows of its notifications, in `session`."""
    outcome = act(session)
    queue_mail(rt, session, outcome.notifications, at)
    return outcome


def run(rt: Runtime, act: Act, at: datetime) -> Outcome:
    """`in_transaction` in a transaction of its own: commit, or roll back on any error."""
    with rt.sessions.begin() as session:
        return in_transaction(session, rt, act, at)


def queue_mail(rt: Runtime, session: Session, notifications: Sequence[Notification], at: datetime) -> None:
    """The one way a front door queues mail (the web's login links too)."""
    enqueue(session, rt.desk, rt.renderer, notifications, at)


def agent_action(rt: Runtime, action: AgentAction) -> ActResult:
    """One web form as an agent's commands; refused as a whole or applied as a whole."""
    at = rt.clock()
    changes: list[str] = []
    try:
        outcome = run(rt, lambda session: _act(session, rt, action, at, changes), at)
    except Refusal as refusal:
        log.info("web.commands_refused", ticket=action.number, agent=action.agent,
                 reasons=len(refusal.errors))
        return ActResult(refusals=refusal.errors)
    log.info("web.commands_applied", ticket=outcome.ticket.number, agent=action.agent,
             changes=len(changes), mails=len(outcome.notifications))
    return ActResult(changes=tuple(changes))


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
