"""Operations: `/healthz` for a load balancer or a monitor, `/metrics` for Prometheus. No
login (a monitor has none); /metrics answers only the addresses in `web.metrics_allow`
(loopback by default), since queue sizes are the desk's business.

- /healthz: 200 when the database answers and every mailbox had a good poll (one that ended
  without a server failing: mailbox_state.last_poll_at, written by app/health.py) within
  `poll_stale_seconds`; else 503. JSON either way, with the reason.
- /metrics: open tickets by priority and status, open tickets past their response or
  resolution deadline, SLA breaches recorded, outbox rows queued and failed, seconds since
  the last good poll, inbound messages by outcome. Each scrape reads the database afresh
  (a handful of grouped counts), so several console processes report the same figures."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, Response, abort, jsonify, request
from flask.typing import ResponseReturnValue
from prometheus_client import CollectorRegistry, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from models import InboundMessage, MailboxState, OutboxMessage, Ticket, TicketEvent
from web.services import WebServices
from workflow.status import Status

ENDPOINTS = frozenset({"healthz", "metrics"})
OPEN = (Status.NEW.value, Status.IN_PROGRESS.value)


@dataclass(frozen=True)
class PollAge:
    """The oldest of the mailboxes' last good polls: one mailbox not read is enough to fail."""

    last: datetime | None
    seconds: float            # math.inf when a mailbox was never polled well (or none is known)


def poll_age(session: Session, now: datetime) -> PollAge:
    times = list(session.scalars(select(MailboxState.last_poll_at)))
    if not times or any(t is None for t in times):
        return PollAge(None, math.inf)
    oldest = min(t for t in times if t is not None)
    return PollAge(oldest, max(0.0, (now - oldest).total_seconds()))


def health(services: WebServices) -> tuple[dict[str, Any], int]:
    now = services.clock()
    try:
        with services.readers() as db:
            db.execute(select(1))
            age = poll_age(db, now)
    except SQLAlchemyError as exc:
        return {"status": "failing", "database": f"unavailable: {type(exc).__name__}"}, 503
    limit = services.config.poll_stale_seconds
    recent = age.seconds <= limit
    body: dict[str, Any] = {
        "status": "ok" if recent else "failing", "database": "ok",
        "last_poll_at": age.last.isoformat() if age.last else None,
        "seconds_since_poll": None if math.isinf(age.seconds) else round(age.seconds, 1),
        "poll_limit_seconds": limit}
    if not recent:
        body["reason"] = "no good poll yet" if age.last is None else "the last good poll is too old"
    return body, 200 if recent else 503


def metrics_text(session: Session, now: datetime) -> bytes:
    """The figures in the Prometheus text format, from one read-only transaction."""
    registry = CollectorRegistry()
    open_tickets = Gauge("incidentdesk_open_tickets", "Open tickets", ["priority", "status"], registry=registry)
    for priority, status, n in session.execute(
            select(Ticket.priority, Ticket.status, func.count()).where(Ticket.status.in_(OPEN))
            .group_by(Ticket.priority, Ticket.status)):
        open_tickets.labels(priority=priority, status=status).set(n)
    overdue = Gauge("incidentdesk_open_tickets_overdue",
                    "Open tickets past a deadline now (response: not yet answered)", ["deadline"],
                    registry=registry)
    overdue.labels(deadline="response").set(session.scalar(select(func.count()).select_from(Ticket).where(
        Ticket.status.in_(OPEN), Ticket.responded_at.is_(None), Ticket.response_due < now)) or 0)
    overdue.labels(deadline="resolution").set(session.scalar(select(func.count()).select_from(Ticket).where(
        Ticket.status.in_(OPEN), Ticket.resolution_due < now)) or 0)
    breaches = Gauge("incidentdesk_sla_breaches", "SLA breaches recorded (sla_breach events), all time",
                     registry=registry)
    breaches.set(session.scalar(select(func.count()).select_from(TicketEvent)
                                .where(TicketEvent.kind == "sla_breach")) or 0)
    outbox = Gauge("incidentdesk_outbox_messages", "Outbox rows by state", ["state"], registry=registry)
    for state in ("queued", "failed"):
        outbox.labels(state=state).set(0)
    for state, n in session.execute(select(OutboxMessage.state, func.count())
                                    .where(OutboxMessage.state.in_(("queued", "failed")))
                                    .group_by(OutboxMessage.state)):
        outbox.labels(state=state).set(n)
    since = Gauge("incidentdesk_seconds_since_last_good_poll",
                  "Seconds since the oldest mailbox's last good poll (+Inf: never)", registry=registry)
    since.set(poll_age(session, now).seconds)
    inbound = Gauge("incidentdesk_inbound_messages", "Inbound messages by outcome, all time", ["outcome"],
                    registry=registry)
    for outcome, n in session.execute(select(InboundMessage.outcome, func.count())
                                      .group_by(InboundMessage.outcome)):
        inbound.labels(outcome=outcome or "").set(n)
    return generate_latest(registry)


def may_read_metrics(allowed: tuple[str, ...], remote: str) -> bool:
    return "*" in allowed or remote in allowed


def register(app: Flask, services: WebServices) -> None:
    @app.route("/healthz")
    def healthz() -> ResponseReturnValue:
        body, code = health(services)
        return jsonify(body), code

    @app.route("/metrics")
    def metrics() -> ResponseReturnValue:
        if not may_read_metrics(services.config.metrics_allow, request.remote_addr or ""):
            abort(403)
        with services.readers() as db:
            text = metrics_text(db, services.clock())
        return Response(text, mimetype=CONTENT_TYPE_LATEST.split(";")[0],
                        headers={"Content-Type": CONTENT_TYPE_LATEST})
