"""An agent's mail on a ticket: command lines at the top (workflow/command_grammar.py), the rest a
comment. Commands count only when the mail is proven to be the agent's (authorization.py)
and only all together: one refused line and nothing is applied. Either way the mail stays
in the history as a comment, and the agent hears back: a confirmation listing what changed,
or a rejected_command mail, always to the directory's address for that agent (never to a
Reply-To a forger chose).

A `Balas:`/`Reply:` line starts the message to the reporter (workflow/command_grammar.py). It is
treated like a command: the desk writes to a reporter in its own name only for a mail proven
to be the agent's, and only when the rest of the mail is accepted. The comment before it is
an internal note; comments are never shown to the reporter."""
from __future__ import annotations

from email.utils import parseaddr
from typing import Callable

import structlog
from sqlalchemy.orm import Session

from models import Person, Ticket
from workflow.authorization import authentication_refusal, proven_by
from workflow.command_apply import apply_plan
from workflow.command_plan import Plan, plan_commands
from workflow.command_grammar import PHONE, REPORTER, CommandError, ParsedReply, parse_commands, starts_with_reporter
from workflow.history import record
from workflow.logged import LoggedReport, NotLogged, log_report
from workflow.notifications import Notification
from workflow.personal import Outcome, PersonalMail
from workflow.policy import Policy
from workflow.recipients import agent_addresses
from workflow.status_request import asks_for_status, status_report
from workflow.triage import TriageRules

log = structlog.get_logger(__name__)


def has_commands(policy: Policy, mail: PersonalMail) -> bool:
    """True when the new text starts with command lines (accepted or not)."""
    return _acts(parse_commands(mail.new_text, policy.vocabulary))


def _acts(parsed: ParsedReply) -> bool:
    """The mail asks the desk to do something: commands (accepted or not) or a message to
    the reporter. Such mail must be proven to be the agent's."""
    return bool(parsed.commands or parsed.errors or parsed.reply)


def handle_agent_mail(session: Session, policy: Policy, ticket: Ticket, agent: Person,
                      mail: PersonalMail) -> Outcome:
    parsed = parse_commands(mail.new_text, policy.vocabulary)
    if not _acts(parsed):
        return Outcome("event", ticket, _plain_comment(session, policy, ticket, agent, mail))
    refusal = authentication_refusal(policy, mail, agent_addresses(session, agent))
    if refusal is not None:
        log.warning("agent.unauthenticated", ticket=ticket.number, agent=agent.address)
        lines = sorted({*(c.line for c in parsed.commands), *(e.line for e in parsed.errors)},
                       key=lambda line: _position(mail.new_text, line))
        error = CommandError(" / ".join(lines), refusal.reason_en, refusal.reason_id)
        return Outcome("event", ticket, _refuse(session, ticket, agent, mail, [error], unauthenticated=True))
    plan, refused = plan_commands(session, policy, ticket, agent, parsed.commands, mail.received_at)
    errors = sorted([*parsed.errors, *refused], key=lambda e: _position(mail.new_text, e.line))
    if errors:   # every problem of the mail at once, in the order of its lines
        return Outcome("event", ticket, _refuse(session, ticket, agent, mail, errors))
    return Outcome("event", ticket, _accept(session, policy, ticket, agent, mail, parsed, plan))


def logs_report(mail: PersonalMail) -> bool:
    """A new mail whose first line is `Pelapor:`/`Reporter:`: a phone or walk-in report."""
    return starts_with_reporter(mail.new_text)


def handle_logged_mail(session: Session, policy: Policy, rules: TriageRules, agent: Person,
                       mail: PersonalMail, ordinary: Callable[[], Outcome]) -> Outcome:
    """An agent's new mail logging a report for the person on its `Pelapor:` line
    (workflow/logged.py), when the mail is proven to be the agent's. Otherwise, or when a
    line is refused, the mail is what it would be without that rule, an ordinary report by
    its sender (`ordinary`), and the agent's real address is told why it was not logged."""
    parsed = parse_commands(mail.new_text, policy.vocabulary, intake=True)
    refusal = authentication_refusal(policy, mail, agent_addresses(session, agent))
    if refusal is not None:
        log.warning("agent.unauthenticated", agent=agent.address, logging=True)
        lines = " / ".join(c.line for c in parsed.commands if c.name == REPORTER)
        return _not_logged(agent, mail, ordinary(), [CommandError(lines, refusal.reason_en, refusal.reason_id)],
                           unauthenticated=True)
    given = {c.name: c.value for c in parsed.commands if c.name in (REPORTER, PHONE)}
    name, address = parseaddr(given.get(REPORTER, ""))
    if "@" not in address:   # only a name (with a Telepon: line)
        name, address = given.get(REPORTER, ""), ""
    report = LoggedReport(agent=agent.address, channel="mail", name=name or address, address=address,
                          phone=given.get(PHONE, ""), subject=mail.subject, description=parsed.comment,
                          lines=tuple(c.line for c in parsed.commands if c.name not in (REPORTER, PHONE)))
    try:
        if parsed.errors:
            raise NotLogged(list(parsed.errors))
        logged = log_report(session, policy, rules, report, mail.received_at,
                            inbound_id=mail.inbound_id, message_id=mail.message_id)
    except NotLogged as refused:
        return _not_logged(agent, mail, ordinary(), sorted(
            refused.errors, key=lambda e: _position(mail.new_text, e.line)))
    confirmation = Notification("confirmation", agent.address, logged.outcome.ticket.id,
                                {"changes": logged.changes}, auto_reply=True, thread=_thread(mail))
    logged.outcome.notifications.append(confirmation)
    return logged.outcome


def _not_logged(agent: Person, mail: PersonalMail, outcome: Outcome, errors: list[CommandError],
                unauthenticated: bool = False) -> Outcome:
    reasons = [{"line": e.line, "en": e.message_en, "id": e.message_id} for e in errors]
    log.info("agent.report_not_logged", ticket=outcome.ticket.number, reasons=len(reasons))
    outcome.notifications.append(Notification(
        "rejected_command", agent.address, outcome.ticket.id,
        {"reasons": reasons, "unauthenticated": unauthenticated, "not_logged": True},
        auto_reply=True, thread=_thread(mail)))
    return outcome


def _plain_comment(session: Session, policy: Policy, ticket: Ticket, agent: Person,
                   mail: PersonalMail) -> list[Notification]:
    """No command lines: a comment; "status" on the first line also mails the status."""
    asked = asks_for_status(mail.new_text)
    lang = agent.language or policy.language
    notes = [status_report(ticket, agent.address, lang, _thread(mail), staff=True)] if asked else []
    record(session, ticket, "status_request" if asked else "comment", actor=mail.sender,
           at=mail.received_at, inbound_id=mail.inbound_id, note=mail.new_text or mail.text)
    return notes


def _refuse(session: Session, ticket: Ticket, agent: Person, mail: PersonalMail,
            errors: list[CommandError], unauthenticated: bool = False) -> list[Notification]:
    """Nothing applied: the mail becomes a comment, the agent's real address hears why."""
    reasons = [{"line": e.line, "en": e.message_en, "id": e.message_id} for e in errors]
    record(session, ticket, "comment", actor=mail.sender, at=mail.received_at,
           inbound_id=mail.inbound_id, note=mail.new_text or mail.text,
           data={"refused": reasons, "unauthenticated": unauthenticated})
    log.info("agent.commands_refused", ticket=ticket.number, reasons=len(reasons))
    facts = {"reasons": reasons, "unauthenticated": unauthenticated}  # the mail says what to fix
    return [Notification("rejected_command", agent.address, ticket.id, facts,
                         auto_reply=True, thread=_thread(mail))]


def _accept(session: Session, policy: Policy, ticket: Ticket, agent: Person, mail: PersonalMail,
            parsed: ParsedReply, plan: Plan) -> list[Notification]:
    applied = apply_plan(session, policy, ticket, agent, plan, at=mail.received_at,
                         inbound_id=mail.inbound_id, comment=parsed.comment, note=parsed.note,
                         reply=parsed.reply)
    if parsed.note:   # internal: the message to the reporter is its own (public) event
        record(session, ticket, "comment", actor=agent.address, at=mail.received_at,
               inbound_id=mail.inbound_id, note=parsed.note)
    method = proven_by(policy, mail, agent_addresses(session, agent))
    log.info("agent.commands_applied", ticket=ticket.number, changes=len(applied.changes), proof=method)
    changes = applied.changes or [_nothing_changed(agent.language or policy.language)]
    confirmation = Notification("confirmation", agent.address, ticket.id, {"changes": changes},
                                auto_reply=True, thread=_thread(mail))
    return applied.notifications + [confirmation]


def _position(text: str, line: str) -> int:
    at = text.find(line) if line else -1
    return at if at >= 0 else len(text)


def _nothing_changed(lang: str) -> str:
    return "Tidak ada perubahan: nilainya sudah demikian" if lang == "id" else \
        "Nothing changed: the ticket already had these values"


def _thread(mail: PersonalMail) -> tuple[str, ...]:
    return (mail.message_id,) if mail.message_id else ()
