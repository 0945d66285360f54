"""structlog set-up: one JSON event per line when stderr is not a terminal (or with
--log-json), else one line a person reads: the time in the desk's time zone, the level, the
event and its fields, an exception as one `error=` field (the JSON form keeps the traceback)."""
from __future__ import annotations

import json as jsonlib
import logging
import sys
import threading
import traceback
from datetime import datetime, timezone, tzinfo
from typing import Any, MutableMapping

import structlog

LEVEL_WIDTH = 7
_LOCK = threading.Lock()
_zone: tzinfo = timezone.utc   # until the configuration names the desk's zone


def configure(level: str = "INFO", json: bool | None = None) -> None:
    json = (not sys.stderr.isatty()) if json is None else json
    tail: list[Any] = ([structlog.processors.TimeStamper(fmt="iso", utc=True),
                        structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
                       if json else [render_line])
    structlog.configure(
        processors=[structlog.contextvars.merge_contextvars, structlog.processors.add_log_level, *tail],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level.upper(), logging.INFO)),
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )


def use_timezone(zone: tzinfo) -> None:
    """Terminal lines show times in the desk's zone; called once the configuration is read
    (the logger is configured before, so that a bad configuration can be logged)."""
    global _zone
    _zone = zone


def render_line(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> str:
    """`2026-11-23 09:00:05 WITA info    inbound.recorded outcome=ticket ticket=INC-000001`"""
    event = dict(event)
    moment = event.pop("timestamp", None)
    when = moment if isinstance(moment, datetime) else datetime.now(timezone.utc)
    level = str(event.pop("level", "info"))
    name = str(event.pop("event", ""))
    error = _one_line_error(event.pop("exc_info", None))
    event.pop("exception", None)
    if error:
        event["error"] = error
    fields = " ".join(f"{key}={_value(value)}" for key, value in event.items() if value is not None)
    stamp = when.astimezone(_zone).strftime("%Y-%m-%d %H:%M:%S %Z")
    return f"{stamp} {level:<{LEVEL_WIDTH}} {_value(name)}" + (f" {fields}" if fields else "")


def _value(value: Any) -> str:
    """Bare when it is one plain word, else quoted: a line break or a space in a value (a
    mail subject) never splits or fakes a log line."""
    if isinstance(value, str):
        plain = value and not any(ch.isspace() or ch in '"=\\' or not ch.isprintable() for ch in value)
        return value if plain else jsonlib.dumps(value, ensure_ascii=False)
    if isinstance(value, (dict, list, tuple)):
        return jsonlib.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return _value(str(value)) if not isinstance(value, (int, float, bool)) else str(value)


def _one_line_error(exc_info: Any) -> str | None:
    if not exc_info:
        return None
    if exc_info is True:
        exc_info = sys.exc_info()
    elif isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    kind, exc, tb = exc_info
    if kind is None:
        return None
    frames = traceback.extract_tb(tb) if tb is not None else []
    where = f" (at {frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno})" if frames else ""
    text = " ".join(str(exc).split())
    return f"{kind.__name__}: {text}{where}" if text else f"{kind.__name__}{where}"


class _StderrLogger:
    """Writes to sys.stderr looked up at each use, so a replaced stream (tests, daemons) is
    honoured; on a terminal a line first clears what a progress counter drew there."""

    def msg(self, message: str) -> None:
        stream = sys.stderr
        prefix = "\r\x1b[K" if stream.isatty() else ""
        with _LOCK:   # the service's jobs log from several threads
            print(prefix + message, file=stream, flush=True)

    log = debug = info = warn = warning = msg
    fatal = failure = err = error = critical = exception = msg


def _stderr_logger(*_args: object) -> _StderrLogger:
    return _StderrLogger()
