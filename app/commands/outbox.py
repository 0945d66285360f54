"""outbox: what the desk has sent, is sending or gave up on; and putting failed mail back."""
from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy import Select, select, update

from app.commands.common import count, print_json, runtime_from
from app.commands.tickets import iso
from app.runtime import Runtime
from models import OutboxMessage, Ticket
from outbound.outbox import rerender

STATES = ("queued", "sending", "sent", "failed")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("outbox", help="list outgoing mail and its delivery state; retry failed mail")
    p.add_argument("--state", choices=STATES, help="only mail in this state")
    p.add_argument("--json", action="store_true", help="a JSON array (see README for the fields)")
    p.add_argument("--limit", type=count, default=100, help="at most this many, newest first (0: all)")
    p.set_defaults(handler=cmd_outbox)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    r = actions.add_parser("retry", help="queue failed mail again, due now, with a fresh count of attempts "
                                           "(mail whose template failed is rendered again first)")
    r.add_argument("ids", nargs="*", type=int, metavar="ID", help="outbox ids (see `incidentdesk outbox`)")
    r.add_argument("--failed", action="store_true", help="every failed mail")
    r.set_defaults(handler=cmd_retry)


def listing(limit: int, state: str | None) -> Select[*tuple[Any, ...]]:
    query = (select(OutboxMessage.id, OutboxMessage.created_at, OutboxMessage.channel, OutboxMessage.kind, Ticket.number,
                    OutboxMessage.recipient, OutboxMessage.language, OutboxMessage.subject,
                    OutboxMessage.message_id, OutboxMessage.state, OutboxMessage.attempts,
                    OutboxMessage.next_attempt_at, OutboxMessage.sent_at, OutboxMessage.last_error)
             .outerjoin(Ticket, Ticket.id == OutboxMessage.ticket_id)
             .order_by(OutboxMessage.id.desc()))
    if state:
        query = query.where(OutboxMessage.state == state)
    return query.limit(limit) if limit > 0 else query


def row_json(row: Any, rt: Runtime) -> dict[str, Any]:
    tz = rt.desk.timezone
    waiting = row.state in ("queued", "sending")
    return {
        "id": row.id, "created_at": iso(row.created_at, tz), "channel": row.channel, "kind": row.kind,
        "ticket": row.number,
        "recipient": row.recipient, "language": row.language, "subject": row.subject,
        "message_id": row.message_id, "state": row.state, "attempts": row.attempts,
        "next_attempt_at": iso(row.next_attempt_at, tz) if waiting else None,
        "sent_at": iso(row.sent_at, tz), "last_error": row.last_error or None,
    }


def cmd_outbox(args: argparse.Namespace) -> int:
    rt = runtime_from(args)
    try:
        with rt.readers() as session:
            rows = [row_json(r, rt) for r in session.execute(listing(args.limit, args.state))]
    finally:
        rt.close()
    if args.json:
        print_json(rows)
    else:
        print_table(rows)
    return 0


def print_table(rows: list[dict[str, Any]]) -> None:
    if not rows:
        print("no mail")
        return
    print(f"{'id':>6} {'created':<16} {'kind':<16} {'ticket':<11} {'recipient':<30} {'state':<7} "
          f"{'tries':>5} {'next attempt':<16} last error")
    for r in rows:
        print(f"{r['id']:>6} {_short(r['created_at']):<16} {r['kind'][:16]:<16} {(r['ticket'] or '-'):<11} "
              f"{r['recipient'][:30]:<30} {r['state']:<7} {r['attempts']:>5} "
              f"{_short(r['next_attempt_at']):<16} {(r['last_error'] or '')[:60]}")


def _short(value: str | None) -> str:
    """`2026-11-23T09:00:00+08:00` -> `2026-11-23 09:00` (the table; JSON keeps the offset)."""
    return value[:16].replace("T", " ") if value else "-"


def cmd_retry(args: argparse.Namespace) -> int:
    if bool(args.ids) == bool(args.failed):
        print("name the mail to retry: outbox retry ID [ID ...] or outbox retry --failed")
        return 2
    rt = runtime_from(args)
    try:
        with rt.sessions.begin() as session:
            return _retry(session, rt, args.ids, args.failed)
    finally:
        rt.close()


def _retry(session: Any, rt: Runtime, ids: list[int], every_failed: bool) -> int:
    """Failed mail back to the queue, due now, with a fresh count of attempts. A mail that
    never rendered (its template was missing or broken) is rendered again first, from the
    notification its row kept: if the template is still wrong it stays failed, with the
    new reason, and the exit status is 1."""
    if not every_failed:
        found = {r.id: r for r in session.execute(
            select(OutboxMessage.id, OutboxMessage.state, OutboxMessage.raw, OutboxMessage.notification)
            .where(OutboxMessage.id.in_(ids)))}
        for wanted in ids:
            row = found.get(wanted)
            if row is None:
                print(f"no mail {wanted} in the outbox")
                return 1
            if row.state != "failed":
                print(f"mail {wanted} is {row.state}; only failed mail can be retried")
                return 2
            if not row.raw and row.notification is None:
                print(f"mail {wanted} was never rendered and keeps nothing to render it from; it cannot be sent")
                return 2
    now = rt.clock()
    chosen = [] if every_failed else [OutboxMessage.id.in_(ids)]
    unrendered = session.scalars(
        select(OutboxMessage).where(OutboxMessage.state == "failed", OutboxMessage.raw == b"",
                                    OutboxMessage.notification.is_not(None), *chosen)
        .order_by(OutboxMessage.id).with_for_update()).all()
    still = [row for row in unrendered if not rerender(session, rt.desk, rt.renderer, row, now)]
    session.flush()
    count = session.execute(update(OutboxMessage).where(
        OutboxMessage.state == "failed", OutboxMessage.raw != b"", *chosen).values(
        state="queued", attempts=0, next_attempt_at=now)).rowcount
    rendered = len(unrendered) - len(still)
    again = f" ({rendered} rendered again)" if rendered else ""
    print(f"{count + rendered} mail(s) queued again{again}; "
          "`incidentdesk send` (or the running service) sends them")
    for row in still:
        print(f"mail {row.id} still cannot be rendered: {row.last_error}")
    return 1 if still else 0
