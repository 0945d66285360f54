"""A report that came by phone or in person, logged by an agent (the paper's logging form,
fig. 13): the ticket's reporter is the person who called or came to the counter, the agent
is recorded as who logged it, and the response clock starts when it was logged.

Every door builds one `LoggedReport` and calls `log_report`: the CLI (`incidentdesk log`),
the console's logging form, and an authenticated agent's new mail whose first lines are
`Pelapor:`/`Reporter:` (workflow/agent_mail.py). Service, category, urgency, impact and any
other command travel as command lines in the grammar of workflow/command_grammar.py, so they are
read, checked and applied exactly as an agent's mail on the new ticket would be; what is
not typed is the triage suggestion (workflow/triage.py). All or nothing: one refused field
and no ticket, no person, no phone number is kept (a savepoint), with every reason.

Who the reporter is: the person with that address (from the directory, or new); without an
address, the reporter already known by that mobile number, else a new person whose address
is `tel:` + the number. The desk never mails a `tel:` address (outbound/outbox.py: not a
plain mail address), so such a reporter gets no acknowledgement by mail but an SMS when [sms]
is on (workflow/sms.py follows the ack notice to the reporter's phone). The number typed is
normalised (workflow/phones.py) and kept on the person, since the reporter said it to the
agent; an agent's number stays the directory's."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Person, Ticket
from workflow.command_apply import apply_plan
from workflow.command_plan import plan_commands
from workflow.command_grammar import Command, CommandError, keyword, parse_commands
from workflow.history import record
from workflow.intake import may_acknowledge, new_ticket, suggested, tell_service_desk
from workflow.notifications import Notification
from workflow.people import find_or_create_reporter, find_person, normalise_address
from workflow.personal import Outcome
from workflow.phones import normalise_phone
from workflow.policy import Policy
from workflow.recipients import agent_by_address
from workflow.triage import Suggestion, TriageRules, suggest

CHANNELS = ("phone", "walk_in", "mail")
PHONE_ONLY = "tel:"   # the address of a reporter known only by a mobile number
_ADDRESS = re.compile(r"[^@\s<>(),;:\"\[\]]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
MAX_SUBJECT = 500


@dataclass(frozen=True)
class LoggedReport:
    """What the agent was told, as typed: the form's fields, the CLI's options, or the lines
    of the agent's mail. `lines` are command lines (`Urgency: high`, `Layanan: Ipos`)."""

    agent: str                      # the address of the agent who logs it
    channel: str                    # phone | walk_in | mail
    name: str
    address: str = ""
    phone: str = ""
    subject: str = ""
    description: str = ""
    lines: tuple[str, ...] = ()
    lang: str = ""                  # the door's language for the answer; "" = the agent's


@dataclass(frozen=True)
class Logged:
    """The outcome (the new ticket, the mails it causes) and lines for the agent."""

    outcome: Outcome
    changes: list[str] = field(default_factory=list)


class NotLogged(Exception):
    """Refused as a whole: nothing was kept. `errors` says every reason, in both languages."""

    def __init__(self, errors: list[CommandError]) -> None:
        super().__init__("; ".join(f"{e.line}: {e.message_en}" for e in errors))
        self.errors = tuple(errors)


@dataclass(frozen=True)
class _Checked:
    address: str | None
    phone: str | None
    commands: tuple[Command, ...]


def _label(lang: str, name: str, value: str) -> str:
    return f"{keyword(lang, name)}: {value}".rstrip()


def check_report(policy: Policy, report: LoggedReport, lang: str) -> _Checked | list[CommandError]:
    """The report's fields checked without the database: every reason at once, or the
    normalised address, E.164 number and parsed commands. `lang` names the fields."""
    errors: list[CommandError] = []
    name, address, written = report.name.strip(), report.address.strip(), report.phone.strip()
    if report.channel not in CHANNELS:
        errors.append(CommandError(report.channel, f"unknown channel; use {', '.join(CHANNELS)}",
                                   f"saluran tidak dikenal; pilih {', '.join(CHANNELS)}"))
    if not name:
        errors.append(CommandError(_label(lang, "reporter", ""), "the reporter's name is missing",
                                   "nama pelapor belum diisi"))
    if address and not _ADDRESS.fullmatch(address):
        errors.append(CommandError(_label(lang, "reporter", address),
                                   f"'{address}' is not an e-mail address",
                                   f"'{address}' bukan alamat e-mail"))
    phone = normalise_phone(written, policy.phone_region) if written else None
    if written and phone is None:
        errors.append(CommandError(_label(lang, "phone", written),
                                   f"'{written}' is not a valid mobile number (the desk sends SMS to it)",
                                   f"'{written}' bukan nomor ponsel yang sah (desk mengirim SMS ke nomor itu)"))
    if not address and not written:
        errors.append(CommandError(_label(lang, "reporter", name),
                                   "give the reporter's e-mail address or mobile number, so the desk can tell them",
                                   "isi alamat e-mail atau nomor ponsel pelapor, agar desk dapat mengabarinya"))
    if not report.subject.strip():
        errors.append(CommandError("-", "the subject is missing", "subjek belum diisi"))
    parsed = parse_commands("\n".join(report.lines), policy.vocabulary)
    errors += parsed.errors
    if parsed.comment or parsed.reply is not None:
        errors.append(CommandError(parsed.comment.splitlines()[0] if parsed.comment else "-",
                                   "not a command line", "bukan baris perintah"))
    if errors:
        return errors
    return _Checked(normalise_address(address) if address else None, phone, parsed.commands)


def known_reporter(session: Session, address: str | None, phone: str | None) -> Person | None:
    """The person the report is for, when the desk knows them: by address, else by number."""
    if address:
        return find_person(session, address)
    if phone:
        return session.scalar(select(Person).where(Person.phone == phone, Person.is_agent.is_(False))
                              .order_by(Person.id).limit(1))
    return None


def suggestion_for(session: Session, policy: Policy, rules: TriageRules, report: LoggedReport) -> Suggestion:
    """The triage suggestion the logging form shows before saving: the same rules as for a
    mailed report, with the known reporter's role (a head of office reports at High)."""
    address = report.address.strip() or None
    phone = normalise_phone(report.phone, policy.phone_region) if report.phone.strip() else None
    person = known_reporter(session, address, phone)
    return suggest(rules, report.subject, report.description, person.role if person else "employee")


def log_report(session: Session, policy: Policy, rules: TriageRules, report: LoggedReport, at: datetime,
               *, inbound_id: int | None = None, message_id: str | None = None) -> Logged:
    """Open the logged ticket, or raise NotLogged with every reason and keep nothing."""
    agent = agent_by_address(session, report.agent)
    lang = report.lang or (agent.language if agent else None) or policy.language
    if agent is None:
        raise NotLogged([CommandError(report.agent, "only an agent of the directory may log a report",
                                      "hanya petugas dalam direktori yang dapat mencatat laporan")])
    checked = check_report(policy, report, lang)
    if isinstance(checked, list):
        raise NotLogged(checked)
    with session.begin_nested():   # a refused command below undoes the ticket and the person
        reporter = _reporter(session, checked, report.name.strip(), at)
        guess = suggest(rules, report.subject, report.description, reporter.role)
        ticket = new_ticket(session, policy, reporter, guess, report.subject.strip()[:MAX_SUBJECT],
                            report.description.strip(), at, message_id=message_id)
        record(session, ticket, "created", actor=agent.address, at=at, inbound_id=inbound_id,
               note=ticket.description, public=True,
               data={"suggested": suggested(ticket, guess), "linked_ticket_id": None,
                     "logged_by": agent.address, "channel": report.channel, "reporter": reporter.address})
        plan, refused = plan_commands(session, policy, ticket, agent, checked.commands, at)
        if refused:
            raise NotLogged(refused)
        changes: list[str] = []
        notes = tell_service_desk(session, ticket, agent.address, guess)
        if checked.commands:
            applied = apply_plan(session, policy, ticket, agent, plan, at=at, inbound_id=inbound_id,
                                 comment="")
            changes += applied.changes
            notes += applied.notifications
        changes.insert(0, _logged_line(lang, ticket, reporter))
    return Logged(Outcome("ticket", ticket, [*_acknowledgement(session, policy, ticket, reporter, at, inbound_id),
                                             *notes]), changes)


def _reporter(session: Session, checked: _Checked, name: str, at: datetime) -> Person:
    person = known_reporter(session, checked.address, checked.phone) or find_or_create_reporter(
        session, checked.address or PHONE_ONLY + (checked.phone or ""), name, at)
    if name and not person.name:
        person.name = name
    if checked.phone and not person.is_agent:   # an agent's number is the directory's alone
        person.phone = checked.phone
    return person


def _acknowledgement(session: Session, policy: Policy, ticket: Ticket, reporter: Person, at: datetime,
                     inbound_id: int | None) -> list[Notification]:
    """The ack the reporter is owed: by mail to an address (within the per-address limit);
    to a `tel:` reporter the same notice, which outbound never mails and [sms] texts."""
    if not reporter.address.startswith(PHONE_ONLY) and \
            not may_acknowledge(session, policy, ticket, reporter.address, at, inbound_id):
        return []
    return [Notification(kind="ack", recipient=reporter.address, ticket_id=ticket.id,
                         language=reporter.language, auto_reply=False)]


def _logged_line(lang: str, ticket: Ticket, reporter: Person) -> str:
    who = reporter.name or reporter.address
    return (f"Tiket {ticket.number} dicatat untuk {who} ({ticket.priority})" if lang == "id"
            else f"Ticket {ticket.number} logged for {who} ({ticket.priority})")
