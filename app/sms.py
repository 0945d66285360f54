"""Sending the SMS of the outbox: the "sms" channel's flush, through the gateway of [sms]."""
from __future__ import annotations

from typing import Callable

from app.runtime import Runtime
from app.wiring import make_sms_transport
from outbound.flush import FlushResult, flush


def flush_sms(rt: Runtime, should_stop: Callable[[], bool] | None = None) -> FlushResult:
    """Send the SMS that are due, like mail (claims, lease, backoff) but over the SMS
    gateway and with sms.max_attempts; nothing when SMS are off."""
    transport = make_sms_transport(rt.settings)
    if transport is None:
        return FlushResult()
    return flush(rt.sessions, transport, clock=rt.clock, max_attempts=rt.settings.sms.max_attempts,
                 should_stop=should_stop, channel="sms")
