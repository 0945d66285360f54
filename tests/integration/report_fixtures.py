"""A hand-made month of incidents for the report and digest tests, built directly with the
models (no mail), every time given in WITA (UTC+8). The expected figures in the tests are
worked out by hand from this table.

 #  pri service/category        reported (WITA)   responded  closed            rating  notes
 1  P1  ipos hardware/server    23-11 08:00       08:05      23-11 08:50       5
 2  P2  ipos hardware/server    23-11 09:00       09:40 (!)  23-11 11:30       3       functional esc. to 2 at 09:45
 3  P3  pgm  infra/network      23-11 10:00       10:30      23-11 19:00 (!)   -       hierarchical esc. at 18:00
 4  P4  sik  hardware/computer  22-11 15:00       15:31      23-11 09:00 (!)   4
 5  P3  ipos hardware/server    23-11 13:00       13:20      open (in progress, resolution due 21:00 passed)
 6  P5  website infra/network   23-11 20:00       -          open (new; response due 24-11 04:00 passed)
 7  P2  epod hardware/cable     10-11 09:00       09:10      10-11 10:00       4
 8  P1  ipos hardware/server    31-10 23:30       23:35      01-11 00:20       2
 9  P3  ipos hardware/server    23-11 23:00       23:10      24-11 00:30       -
(!) = late. "Now" is 24-11-2026 07:30 WITA, the morning digest of 23-11.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy.orm import Session

from app.runtime import Runtime
from models import Escalation, Feedback, OutboxMessage, Person, Ticket
from workflow.sla_clocks import deadlines

WITA = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 24, 7, 30, tzinfo=WITA)
LEVELS = {"P1": ("high", "high"), "P2": ("high", "medium"), "P3": ("medium", "medium"),
          "P4": ("medium", "low"), "P5": ("low", "low")}


def wita(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=WITA).astimezone(timezone.utc)


TICKETS: list[dict[str, Any]] = [
    dict(n=1, priority="P1", service="ipos", category="hardware/server", reported=wita(23, 8),
         responded=wita(23, 8, 5), closed=wita(23, 8, 50), rating=5),
    dict(n=2, priority="P2", service="ipos", category="hardware/server", reported=wita(23, 9),
         responded=wita(23, 9, 40), closed=wita(23, 11, 30), rating=3, level=2),
    dict(n=3, priority="P3", service="pgm", category="infrastructure/network", reported=wita(23, 10),
         responded=wita(23, 10, 30), closed=wita(23, 19)),
    dict(n=4, priority="P4", service="sik", category="hardware/computer", reported=wita(22, 15),
         responded=wita(22, 15, 31), closed=wita(23, 9), rating=4),
    dict(n=5, priority="P3", service="ipos", category="hardware/server", reported=wita(23, 13),
         responded=wita(23, 13, 20)),
    dict(n=6, priority="P5", service="website", category="infrastructure/network", reported=wita(23, 20)),
    dict(n=7, priority="P2", service="epod", category="hardware/cable", reported=wita(10, 9),
         responded=wita(10, 9, 10), closed=wita(10, 10), rating=4),
    dict(n=8, priority="P1", service="ipos", category="hardware/server", reported=wita(31, 23, 30, month=10),
         responded=wita(31, 23, 35, month=10), closed=wita(1, 0, 20), rating=2),
    dict(n=9, priority="P3", service="ipos", category="hardware/server", reported=wita(23, 23),
         responded=wita(23, 23, 10), closed=wita(24, 0, 30)),
]


def number(n: int) -> str:
    return f"INC-{n:06d}"


def build_month(rt: Runtime) -> None:
    """Insert the table above, two escalations and two outbox rows (one failed)."""
    with rt.sessions.begin() as session:
        reporter = Person(address="budi@posbalikpapan.example", name="Budi Loket", role="employee",
                          created_at=wita(1, 8))
        session.add(reporter)
        session.flush()
        rina = session.query(Person).filter_by(address="rina@posbalikpapan.example").one()
        ids = {spec["n"]: add_ticket(session, rt, reporter, rina, **spec) for spec in TICKETS}
        session.add(Escalation(ticket_id=ids[2], at=wita(23, 9, 45), kind="functional", level=2,
                               status="in_progress", handler_name="Agus Level Dua",
                               requested_by="rina@posbalikpapan.example"))
        session.add(Escalation(ticket_id=ids[3], at=wita(23, 18), kind="hierarchical", level=1,
                               status="in_progress", handler_name="Bambang Kepala SOLTEK",
                               requested_by="sla-timer"))
        for state, message in (("failed", "<f1@x>"), ("sent", "<s1@x>")):
            session.add(OutboxMessage(created_at=wita(23, 12), ticket_id=ids[1], kind="closure",
                                      recipient="budi@posbalikpapan.example", language="id",
                                      subject="s", message_id=message, raw=b"x", state=state,
                                      attempts=8, next_attempt_at=wita(23, 12),
                                      last_error="SMTPRecipientsRefused: 550 no such user\nmore"))


def add_ticket(session: Session, rt: Runtime, reporter: Person, handler: Person, *, n: int,
               priority: str, service: str, category: str, reported: datetime,
               responded: datetime | None = None, closed: datetime | None = None,
               rating: int | None = None, level: int = 1) -> int:
    due = deadlines(rt.settings.policy, priority, reported)
    urgency, impact = LEVELS[priority]
    status = "closed" if closed else ("in_progress" if responded else "new")
    ticket = Ticket(number=number(n), status=status, subject=f"Gangguan {service} #{n}",
                    description="", reporter_id=reporter.id,
                    assignee_id=handler.id if responded else None, service=service,
                    category=category, urgency=urgency, impact=impact, priority=priority,
                    triage_confirmed=True, created_at=reported, updated_at=closed or reported,
                    response_due=due.response_due, resolution_due=due.resolution_due,
                    responded_at=responded, closed_at=closed, escalation_level=level,
                    resolution=f"Selesai #{n}" if closed else None)
    session.add(ticket)
    session.flush()
    if rating is not None:
        session.add(Feedback(ticket_id=ticket.id, rating=rating, created_at=closed or reported,
                             updated_at=closed or reported))
    return ticket.id
