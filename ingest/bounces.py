"""Delivery status notifications read: which recipients failed (flufl.bounce, which knows
RFC 3464 DSNs and the formats of many older mail servers), the DSN status and diagnostic,
and the Message-ID of the returned original, so the desk can tell which of its mails never
arrived. Never raises: a bounce it cannot read is just an automatic mail."""
from __future__ import annotations

import re
from email import message_from_bytes, message_from_string
from email.message import Message
from typing import Iterable, Iterator

import structlog
from flufl.bounce import all_failures

from ingest.charset import one_line
from workflow.bounces import Bounce

log = structlog.get_logger(__name__)

MSGID_LINE = re.compile(r"^Message-ID:[ \t]*(<[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)
MSGID = re.compile(r"<[^<>\s]+>")


def read_bounce(raw: bytes) -> Bounce:
    msg = message_from_bytes(raw)
    try:
        temporary, permanent = all_failures(msg)
    except Exception as exc:  # a detector tripping over odd mail must not lose the message
        log.info("bounce.unreadable", error=type(exc).__name__)
        temporary, permanent = frozenset(), frozenset()
    status, diagnostic = _first_status(msg)
    own = set(MSGID.findall(str(msg.get("Message-ID", ""))))
    return Bounce(permanent=_addresses(permanent), temporary=_addresses(temporary - permanent),
                  original_ids=tuple(i for i in dict.fromkeys(_original_ids(msg)) if i not in own),
                  status=status, diagnostic=diagnostic)


def _addresses(found: Iterable[bytes]) -> tuple[str, ...]:
    return tuple(sorted({a.decode("ascii", "replace").strip().lower() for a in found if b"@" in a}))


def _first_status(msg: Message) -> tuple[str, str]:
    for part in msg.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        blocks = part.get_payload()
        for block in blocks if isinstance(blocks, list) else []:
            if isinstance(block, Message) and block.get("Status"):
                return _squeeze(block["Status"])[:20], _squeeze(block.get("Diagnostic-Code", ""))[:300]
    return "", ""


def _original_ids(msg: Message) -> Iterator[str]:
    """The returned original's Message-ID: from a message/rfc822 or text/rfc822-headers
    part (RFC 3462), else from a Message-ID: line quoted in the text of older bounces."""
    quoted: list[str] = []
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            inner = part.get_payload()
            for original in inner if isinstance(inner, list) else []:
                if isinstance(original, Message):
                    yield from MSGID.findall(str(original.get("Message-ID", "")))
        elif ctype == "text/rfc822-headers":
            headers = message_from_string(_text(part))
            yield from MSGID.findall(str(headers.get("Message-ID", "")))
        elif ctype == "text/plain":
            quoted += MSGID_LINE.findall(_text(part))
    yield from quoted


def _text(part: Message) -> str:
    data = part.get_payload(decode=True)
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else str(part.get_payload())


def _squeeze(value: object) -> str:
    return " ".join(one_line(str(value)).split())
