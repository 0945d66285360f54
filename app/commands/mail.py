"""poll and send: the inbound and outbound halves, one pass each."""
from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from app.commands.common import is_terminal, runtime_from
from app.poll import PollResult, poll
from app.sms import flush_sms
from app.wiring import make_source, make_transport
from outbound.flush import FlushResult, flush


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("poll", help="read the mailbox and turn waiting mail into tickets")
    p.add_argument("--once", action="store_true",
                   help="drain the mailbox once and exit (the default; `run` keeps polling)")
    p.set_defaults(handler=cmd_poll)
    p = sub.add_parser("send", help="send what the outbox holds, once")
    p.set_defaults(handler=cmd_send)


class Progress:
    """A count and a rate on a terminal, overwritten in place at most every 0.2 s; silent
    when piped (logs and cron output stay clean)."""

    INTERVAL = 0.2

    def __init__(self, label: str) -> None:
        self.label, self.start, self.enabled = label, time.monotonic(), is_terminal()
        self.shown, self.last = 0.0, None

    def __call__(self, result: Any) -> None:
        if not self.enabled:
            return
        self.last = result
        now = time.monotonic()
        if now - self.shown >= self.INTERVAL:
            self.shown = now
            self._show(result, now)

    def _show(self, result: Any, now: float) -> None:
        done = result.seen if isinstance(result, PollResult) else result.sent + result.failed + result.retried
        rate = done / max(now - self.start, 1e-6)
        sys.stderr.write(f"\r{self.label}: {done} ({rate:.0f}/s)")
        sys.stderr.flush()

    def end(self) -> None:
        if self.enabled:
            if self.last is not None:
                self._show(self.last, time.monotonic())
            sys.stderr.write("\n")


def cmd_poll(args: argparse.Namespace) -> int:
    rt = runtime_from(args)
    source = make_source(rt.settings)
    progress = Progress("messages")
    try:
        result = poll(rt, source, progress)
    finally:
        progress.end()
        source.close()
        rt.close()
    parts = ", ".join(f"{k} {v}" for k, v in sorted(result.outcomes.items())) or "nothing waiting"
    print(f"polled {result.seen} message(s): {parts}")
    return 0


def cmd_send(args: argparse.Namespace) -> int:
    rt = runtime_from(args)
    progress = Progress("mails")
    try:
        result: FlushResult = flush(rt.sessions, make_transport(rt.settings), clock=rt.clock,
                                    max_attempts=rt.settings.outbound.max_attempts,
                                    progress=progress)
        sms = flush_sms(rt)
    finally:
        progress.end()
        rt.close()
    print(f"sent {result.sent}, retrying {result.retried}, failed {result.failed}")
    if rt.settings.sms.enabled:
        print(f"SMS: sent {sms.sent}, retrying {sms.retried}, failed {sms.failed}")
    return 0
