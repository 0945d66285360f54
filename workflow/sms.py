"""Which notices also go by SMS, to whom: the rule, as plain data (outbound sends it).

Why a second channel: counter and delivery staff read SMS on their phones more reliably
than office mail (the paper's fig. 10). An SMS costs money and interrupts, so only the
notices that need someone now go by SMS, each as one short text:

- to the reporter (the ticket's own reporter, with a phone): `ack` (ticket number,
  priority, response target) and `closure` (the resolution in short, how to rate);
- to an agent with a phone: `new_ticket` and `escalation`, and the SLA `sla_warning` and
  `sla_breach`, for tickets of the urgent priorities (sms.agent_priorities, P1 and P2).

The SMS follows the mail notice it shadows (same kind, ticket, facts and language); its
kind is `sms_<kind>`, the template name. Each (ticket, kind, number) is one SMS for good:
the outbox keys it so (outbound/outbox.py), a replay or a second warning never sends
another."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable

from sqlalchemy.orm import Session

from models import Person, Ticket
from workflow.notifications import Notification
from workflow.people import find_person

REPORTER_KINDS = frozenset({"ack", "closure"})
AGENT_KINDS = frozenset({"new_ticket", "escalation", "sla_warning", "sla_breach"})
PREFIX = "sms_"


@dataclass(frozen=True)
class SmsRules:
    """[sms] as the rule reads it; enabled is False when sms.transport is "none"."""

    enabled: bool = False
    agent_priorities: frozenset[str] = frozenset({"P1", "P2"})


def sms_kind(kind: str) -> str:
    return PREFIX + kind


def sms_notifications(session: Session, rules: SmsRules, notes: Iterable[Notification]) -> list[Notification]:
    """The SMS that the mail notices `notes` call for: one per notice whose recipient has a
    phone and whose kind and ticket the rule above picks."""
    if not rules.enabled:
        return []
    out: list[Notification] = []
    for note in notes:
        if note.channel != "mail" or note.ticket_id is None:
            continue
        if note.kind not in REPORTER_KINDS and note.kind not in AGENT_KINDS:
            continue
        person = find_person(session, note.recipient)
        ticket = session.get(Ticket, note.ticket_id)
        if person is None or not person.phone or ticket is None or not _wanted(rules, note.kind, person, ticket):
            continue
        out.append(replace(note, kind=sms_kind(note.kind), recipient=person.phone, channel="sms",
                           language=note.language or person.language, auto_reply=False, thread=()))
    return out


def _wanted(rules: SmsRules, kind: str, person: Person, ticket: Ticket) -> bool:
    if kind in REPORTER_KINDS:
        return person.id == ticket.reporter_id
    return person.is_agent and ticket.priority in rules.agent_priorities
