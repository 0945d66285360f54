"""quarantine: the mail the desk could not handle, listed with the reason, and run through
the path again once the cause is fixed. Replay works from the copy stored with the record
and updates that record: it never makes a second one and never touches the mailbox."""
from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy import select

from app.commands.common import count, print_json, runtime_from
from app.poll import replay
from app.runtime import Runtime
from models import InboundMessage


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("quarantine", help="list quarantined mail; `quarantine replay` runs it again")
    p.add_argument("--json", action="store_true", help="a JSON array (see README for the fields)")
    p.add_argument("--limit", type=count, default=0, help="at most this many, newest first")
    p.set_defaults(handler=cmd_list)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    r = actions.add_parser("replay", help="run quarantined mail through the path again")
    which = r.add_mutually_exclusive_group(required=True)
    which.add_argument("id", nargs="?", type=int, help="the quarantined message's id")
    which.add_argument("--all", action="store_true", help="every quarantined message that was stored")
    r.set_defaults(handler=cmd_replay)


def _rows(rt: Runtime, limit: int) -> list[dict[str, Any]]:
    """The listing reads no raw bytes: only whether a copy is stored."""
    query = (select(InboundMessage.id, InboundMessage.received_at, InboundMessage.sender,
                    InboundMessage.subject, InboundMessage.reason, InboundMessage.stage, InboundMessage.size,
                    InboundMessage.message_id, InboundMessage.source_key,
                    InboundMessage.raw.is_not(None).label("stored"))
             .where(InboundMessage.outcome == "quarantined")
             .order_by(InboundMessage.id.desc() if limit else InboundMessage.id))
    if limit:
        query = query.limit(limit)
    tz = rt.desk.timezone
    with rt.readers() as session:
        return [{"id": row.id, "received_at": row.received_at.astimezone(tz).isoformat(),
                 "sender": row.sender, "subject": row.subject, "stage": row.stage, "reason": row.reason,
                 "size": row.size, "message_id": row.message_id, "source_key": row.source_key,
                 "replayable": bool(row.stored)} for row in session.execute(query)]


def cmd_list(args: argparse.Namespace) -> int:
    rt = runtime_from(args)
    try:
        rows = _rows(rt, args.limit)
    finally:
        rt.close()
    if args.json:
        print_json(rows)
    elif not rows:
        print("nothing in quarantine")
    else:
        print(f"{'id':>6}  {'received':<16}  {'sender':<32}  {'subject':<40}  reason")
        for row in rows:
            mark = "" if row["replayable"] else " (not stored)"
            print(f"{row['id']:>6}  {row['received_at'][:16].replace('T', ' '):<16}  "
                  f"{(row['sender'] or '-')[:32]:<32}  {row['subject'][:40]:<40}  "
                  f"{row['reason'][:80]}{mark}")
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    rt = runtime_from(args)
    try:
        ids = _replayable_ids(rt) if args.all else [args.id]
        if not args.all and not _exists(rt, args.id):
            print(f"no inbound message #{args.id}")
            return 1
        counts: dict[str, int] = {}
        for record_id in ids:
            done = replay(rt, record_id)
            counts[done.outcome] = counts.get(done.outcome, 0) + 1
            print(f"#{record_id}: {done.outcome}" + (f" ({done.reason})" if done.reason else ""))
    finally:
        rt.close()
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing to replay"
    print(f"replayed {len(ids)} message(s): {summary}")
    return 0


def _replayable_ids(rt: Runtime) -> list[int]:
    with rt.sessions() as session:
        return list(session.scalars(select(InboundMessage.id).where(
            InboundMessage.outcome == "quarantined", InboundMessage.raw.is_not(None))
            .order_by(InboundMessage.id)))


def _exists(rt: Runtime, record_id: int) -> bool:
    with rt.sessions() as session:
        return session.get(InboundMessage, record_id) is not None
