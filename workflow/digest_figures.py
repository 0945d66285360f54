"""The daily management digest as data: every figure is a report (workflow/report_data.py)
over the covered day or the month so far, plus a few snapshots the report has no place for.

For the covered day D (normally yesterday) and the month from the 1st to D:
- reported: `incidentdesk report --status all` of that period (counts by priority, service and
  category, SLA compliance with open-but-late tickets counted as missed, escalation levels);
- closed:   `incidentdesk report --status closed` of that period (how many closed, mean and
  90th percentile time to respond and resolve against target, satisfaction);
- problems: the problem candidates among the incidents reported in the `window_days` days
  ending with D (what `incidentdesk report --status all --from D-(window_days-1) --to D` lists);
- breaches: deadlines that fell due on D and were missed (responded or closed late, or still
  not at the moment of the digest), with ticket numbers; escalations recorded on D;
- open now, by priority and status, and the oldest open tickets at the moment of the digest.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from models import Escalation, Person, Ticket
from workflow.period import Period
from workflow.people import normalise_address, people_with_role
from workflow.policy import Policy
from workflow.problems import ProblemCandidate, ProblemRules, find_candidates
from workflow.report_data import ReportData, Selection, build_report, in_period, load_reported
from workflow.status import Status

OPEN = (Status.NEW.value, Status.IN_PROGRESS.value)


@dataclass(frozen=True)
class Figures:
    """One period seen two ways: what was reported in it and what was closed in it."""

    reported: ReportData
    closed: ReportData


@dataclass(frozen=True)
class Breach:
    number: str
    priority: str
    clock: str                     # response | resolution
    due_at: datetime
    stopped_at: datetime | None    # when it was responded to / closed; None: still running


@dataclass(frozen=True)
class EscalationRecord:
    number: str
    at: datetime
    kind: str
    level: int
    handler: str


@dataclass(frozen=True)
class OpenTicket:
    number: str
    priority: str
    status: str
    created_at: datetime
    service: str | None
    subject: str
    handler: str | None


@dataclass(frozen=True)
class DigestData:
    day: date
    as_of: datetime
    yesterday: Figures
    month: Figures
    open_by_priority: dict[str, dict[str, int]]   # priority -> status -> count
    oldest_open: list[OpenTicket]
    breaches: list[Breach]
    escalations: list[EscalationRecord]
    problems: list[ProblemCandidate]


def build_digest(session: Session, day: date, tz: ZoneInfo, policy: Policy,
                 problem_rules: ProblemRules, oldest: int, as_of: datetime) -> DigestData:
    covered = Period(day, day, tz)
    month = Period(day.replace(day=1), day, tz)
    window = Period(day - timedelta(days=max(problem_rules.window.days, 1) - 1), day, tz)
    return DigestData(
        day=day, as_of=as_of,
        yesterday=_figures(session, covered, policy, as_of),
        month=_figures(session, month, policy, as_of),
        open_by_priority=open_by_priority(session, policy),
        oldest_open=oldest_open(session, oldest),
        breaches=breaches(session, covered, as_of),
        escalations=escalations(session, covered),
        problems=find_candidates(load_reported(session, window), problem_rules),
    )


def _figures(session: Session, period: Period, policy: Policy, as_of: datetime) -> Figures:
    return Figures(reported=build_report(session, Selection(period, "all"), policy, None, as_of),
                   closed=build_report(session, Selection(period, "closed"), policy, None, as_of))


def open_by_priority(session: Session, policy: Policy) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {p: {s: 0 for s in OPEN} for p in policy.priorities}
    query = (select(Ticket.priority, Ticket.status, func.count())
             .where(Ticket.status.in_(OPEN)).group_by(Ticket.priority, Ticket.status))
    for priority, status, count in session.execute(query):
        counts.setdefault(priority, {s: 0 for s in OPEN})[status] = count
    return counts


def oldest_open(session: Session, limit: int) -> list[OpenTicket]:
    if limit <= 0:
        return []
    query = (select(Ticket.number, Ticket.priority, Ticket.status, Ticket.created_at,
                    Ticket.service, Ticket.subject, Person.name, Person.address)
             .outerjoin(Person, Person.id == Ticket.assignee_id)
             .where(Ticket.status.in_(OPEN)).order_by(Ticket.created_at, Ticket.id).limit(limit))
    return [OpenTicket(number, priority, status, created, service, subject, name or address)
            for number, priority, status, created, service, subject, name, address
            in session.execute(query)]


def breaches(session: Session, period: Period, as_of: datetime) -> list[Breach]:
    """Deadlines inside the period that were missed, by the rule of workflow/metrics.verdict."""
    found: list[Breach] = []
    clocks = (("response", Ticket.response_due, response_stop()),
              ("resolution", Ticket.resolution_due, Ticket.closed_at))
    for clock, due, stop in clocks:
        late = or_(stop > due, and_(stop.is_(None), due < as_of))
        query = (select(Ticket.number, Ticket.priority, due, stop)
                 .where(in_period(due, period), late).order_by(due, Ticket.number))
        found += [Breach(number, priority, clock, due_at, stopped)
                  for number, priority, due_at, stopped in session.execute(query)]
    return sorted(found, key=lambda b: (b.due_at, b.number, b.clock))


def response_stop() -> ColumnElement[datetime]:
    """The earlier of responded_at and closed_at, as workflow/metrics.Incident.response_stop."""
    responded, closed = Ticket.responded_at, Ticket.closed_at
    return case((and_(closed.is_not(None), or_(responded.is_(None), closed < responded)), closed),
                else_=responded)


def escalations(session: Session, period: Period) -> list[EscalationRecord]:
    query = (select(Ticket.number, Escalation.at, Escalation.kind, Escalation.level,
                    Escalation.handler_name, Escalation.handler_address)
             .join(Ticket, Ticket.id == Escalation.ticket_id)
             .where(in_period(Escalation.at, period)).order_by(Escalation.at, Escalation.id))
    return [EscalationRecord(number, at, kind, level, name or address or "")
            for number, at, kind, level, name, address in session.execute(query)]



def refused_day(day: date, today: date) -> str | None:
    """Why the digest of `day` may not be sent, or None. Only a past day is complete: a digest
    of today (or later) would show half a day as "yesterday" and, being recorded as sent, keep
    the real one from ever going out. `today` is the desk's local date."""
    if day >= today:
        return (f"{day:%Y-%m-%d} is not over yet (today is {today:%Y-%m-%d}): only a past day's "
                "digest is sent")
    return None


def digest_recipients(session: Session, roles: list[str], configured: list[str]) -> list[str]:
    """Agents with one of `roles` ([digest] roles: by default the head of SOLTEK, the head of
    office and management), then the addresses listed in [digest] recipients; each address
    once, in that order."""
    people = [p.address for role in roles for p in people_with_role(session, role)]
    seen: dict[str, None] = {}
    for address in [*people, *configured]:
        seen.setdefault(normalise_address(address), None)
    return list(seen)
