"""A desk for the agent/reporter rule tests: workflow.inbound on a real database (SQLite, and
PostgreSQL when configured), mail as PersonalMail values, notifications as plain data (the
`desk` fixture is in tests/integration/conftest.py)."""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.runtime import Runtime
from models import Escalation, Feedback, InboundMessage, Ticket
from tests.conftest import Clock
from workflow.inbound import PersonalMail, handle_personal_mail
from workflow.tokens import message_id_local_part

SECRET = "unit-test-secret"
DOMAIN = "posbalikpapan.example"
RINA = f"rina@{DOMAIN}"          # service desk, level 1
AGUS = f"agus@{DOMAIN}"          # functional support, level 2
SARI = f"sari@{DOMAIN}"          # functional support, level 3
BAMBANG = f"bambang@{DOMAIN}"    # head of SOLTEK
HENDRA = f"kepala.kantor@{DOMAIN}"   # head of office
REPORTER = f"dewi.loket@{DOMAIN}"


@dataclass(frozen=True)
class Sent:
    kind: str
    recipient: str
    facts: dict[str, Any]


@dataclass
class Result:
    kind: str
    number: str
    sent: list[Sent] = field(default_factory=list)

    def to(self, kind: str) -> list[Sent]:
        return [s for s in self.sent if s.kind == kind]

    def one(self, kind: str) -> Sent:
        found = self.to(kind)
        assert len(found) == 1, (kind, self.sent)
        return found[0]


class Desk:
    def __init__(self, rt: Runtime, clock: Clock) -> None:
        self.rt, self.clock = rt, clock
        self._ids = itertools.count(1)

    def token(self, address: str, kind: str = "new_ticket") -> str:
        """A Message-ID as the desk mints it for a mail to `address`."""
        return f"<{message_id_local_part(kind, SECRET, address)}@{DOMAIN}>"

    def mail(self, sender: str, body: str, *, subject: str = "", refs: tuple[str, ...] = (),
             authenticated_by: frozenset[str] = frozenset(), name: str = "", quoted: str = "") -> Result:
        """`quoted`: history the client quoted below `body` (the parser keeps it out of new_text)."""
        n = next(self._ids)
        with self.rt.sessions.begin() as session:
            inbound = InboundMessage(source_key=f"test:{n}", body_hash=str(n), received_at=self.clock(),
                                     outcome="event", sender=sender)
            session.add(inbound)
            session.flush()
            mail = PersonalMail(sender=sender, sender_name=name, subject=subject,
                                text=body + (f"\n\n{quoted}" if quoted else ""), new_text=body, message_id=f"<m{n}@client.example>", references=refs,
                                received_at=self.clock(), inbound_id=inbound.id,
                                authenticated_by=authenticated_by)
            outcome = handle_personal_mail(session, self.rt.settings.policy, self.rt.settings.triage, mail)
            return Result(outcome.kind, outcome.ticket.number,
                          [Sent(n.kind, n.recipient, dict(n.facts)) for n in outcome.notifications])

    def report(self, body: str = "Ipos mati, semua loket tidak bisa input kiriman",
               subject: str = "Ipos down", sender: str = REPORTER) -> str:
        return self.mail(sender, body, subject=subject).number

    def agent(self, sender: str, number: str, body: str, *, token: bool = True, **kwargs: Any) -> Result:
        """An agent's reply on the ticket, echoing a desk Message-ID sent to `sender` unless
        token=False (then only the subject tag finds the ticket)."""
        refs = (self.token(sender),) if token else ()
        return self.mail(sender, body, subject=f"Re: [{number}] Ipos down", refs=refs, **kwargs)

    def reply(self, number: str, body: str, sender: str = REPORTER, quoted: str = "") -> Result:
        return self.mail(sender, body, subject=f"Re: [{number}] Ipos down", quoted=quoted)

    def ticket(self, number: str) -> dict[str, Any]:
        with self.rt.sessions() as session:
            t = session.scalar(select(Ticket).where(Ticket.number == number))
            assert t is not None
            return {c: getattr(t, c) for c in (
                "status", "urgency", "impact", "priority", "service", "category", "triage_confirmed",
                "escalation_level", "resolution", "responded_at", "closed_at", "response_due",
                "resolution_due", "sla_next_check_at", "created_at", "reopen_count", "updated_at")} | {
                "assignee": t.assignee.address if t.assignee else None}

    def events(self, number: str) -> list[dict[str, Any]]:
        with self.rt.sessions() as session:
            t = session.scalar(select(Ticket).where(Ticket.number == number))
            assert t is not None
            return [{"kind": e.kind, "actor": e.actor, "at": e.at, "note": e.note, "data": e.data,
                     "inbound_id": e.inbound_id, "public": e.public} for e in t.events]

    def escalations(self, number: str) -> list[Escalation]:
        with self.rt.sessions() as session:
            t = session.scalar(select(Ticket).where(Ticket.number == number))
            assert t is not None
            rows = list(session.scalars(select(Escalation).where(Escalation.ticket_id == t.id)
                                        .order_by(Escalation.id)))
            session.expunge_all()
            return rows

    def feedback(self, number: str) -> Feedback | None:
        with self.rt.sessions() as session:
            t = session.scalar(select(Ticket).where(Ticket.number == number))
            assert t is not None
            row = session.scalar(select(Feedback).where(Feedback.ticket_id == t.id))
            session.expunge_all()
            return row
