"""Raw bytes -> InboundMail with mail-parser. Never raises on bad mail: what could not be
read becomes an entry in `defects`, and the caller decides (usually: quarantine)."""
from __future__ import annotations

import base64
import hashlib
import re
from email.header import decode_header, make_header
from email.utils import getaddresses
from typing import Any

import mailparser
import structlog

from ingest.html_text import html_to_text
from ingest.mail import Attachment, InboundMail
from ingest.quotes import split_reply

log = structlog.get_logger(__name__)

CLASSIFY_HEADERS = (
    "auto-submitted", "precedence", "list-id", "list-unsubscribe", "x-autoreply", "x-autorespond",
    "x-auto-response-suppress", "return-path", "content-type", "authentication-results",
    "x-loop", "x-incidentdesk", "delivered-to",
)
MSGID_RE = re.compile(r"<[^<>\s]+>")


def body_hash(raw: bytes) -> str:
    """sha256 of what follows the header block: the same mail delivered twice (with other
    Received: lines) hashes the same."""
    for sep in (b"\r\n\r\n", b"\n\n"):
        at = raw.find(sep)
        if at >= 0:
            return hashlib.sha256(raw[at + len(sep):]).hexdigest()
    return hashlib.sha256(b"").hexdigest()


def parse(raw: bytes) -> InboundMail:
    defects: list[str] = []
    try:
        parsed = mailparser.parse_from_bytes(raw)
    except Exception as exc:  # mail-parser raises on mail that the email package cannot read
        log.info("parse.failed", error=type(exc).__name__)
        return _unreadable(raw, f"unparseable: {type(exc).__name__}: {exc}"[:300])
    defects += sorted(str(d) for d in getattr(parsed, "defects_categories", ()) or ())
    text, html = _bodies(parsed, defects)
    sender_name, sender = _sender(parsed.message.get_all("From") or [], defects)
    return InboundMail(
        message_id=_first_msgid(_header(parsed, "Message-ID")),
        sender=sender,
        sender_name=sender_name,
        recipients=_addresses(parsed, ("To", "Cc")),
        subject=_clean_line(parsed.subject or ""),
        text=text,
        new_text=split_reply(text).new,
        html=html,
        in_reply_to=tuple(MSGID_RE.findall(_header(parsed, "In-Reply-To"))),
        references=tuple(MSGID_RE.findall(_header(parsed, "References"))),
        headers={name: _header(parsed, name) for name in CLASSIFY_HEADERS if _header(parsed, name)},
        attachments=_attachments(parsed.attachments, defects),
        body_hash=body_hash(raw),
        size=len(raw),
        defects=tuple(defects),
        raw=raw,
    )


def _unreadable(raw: bytes, reason: str) -> InboundMail:
    return InboundMail(None, None, "", (), "", "", "", "", (), (), {}, (), body_hash(raw),
                       len(raw), (reason,), raw)


def _header(parsed: Any, name: str) -> str:
    value = parsed.message.get(name)
    return "" if value is None else _clean_line(str(value))


def _clean_line(value: str) -> str:
    """One line: folded or injected CR/LF and NULs never survive into a header we reuse."""
    return re.sub(r"[\x00-\x1f\x7f]+", " ", value).strip()


def _first_msgid(value: str) -> str | None:
    found = MSGID_RE.findall(value)
    return found[0][:998] if found else None


def _sender(values: list[Any], defects: list[str]) -> tuple[str, str]:
    pairs = getaddresses([str(v) for v in values])
    name, address = pairs[0] if pairs else ("", "")
    address = _clean_line(address).lower()
    if len(pairs) != 1 or "@" not in address or " " in address:
        defects.append("no usable From: address")
        return _clean_line(name), ""
    return _decoded_name(name), address


def _decoded_name(name: str) -> str:
    try:
        return _clean_line(str(make_header(decode_header(name))))
    except Exception:
        return _clean_line(name)


def _addresses(parsed: Any, names: tuple[str, ...]) -> tuple[str, ...]:
    values = [str(v) for name in names for v in (parsed.message.get_all(name) or [])]
    return tuple(a.lower() for _, a in getaddresses(values) if "@" in a)


def _bodies(parsed: Any, defects: list[str]) -> tuple[str, str]:
    plain = "\n".join(parsed.text_plain or [])
    html = "\n".join(parsed.text_html or [])
    if "\x00" in plain or "\x00" in html:
        defects.append("NUL bytes in the body")
        plain, html = plain.replace("\x00", ""), html.replace("\x00", "")
    text = plain if plain.strip() else html_to_text(html)
    return text.replace("\r\n", "\n").strip(), html


def _attachments(items: list[dict[str, Any]], defects: list[str]) -> tuple[Attachment, ...]:
    found = []
    for item in items:
        data = _payload_bytes(item, defects)
        name = _clean_line(str(item.get("filename") or "unnamed"))[:255]
        found.append(Attachment(name=name, content_type=str(item.get("mail_content_type", "")),
                                size=len(data), sha256=hashlib.sha256(data).hexdigest()))
    return tuple(found)


def _payload_bytes(item: dict[str, Any], defects: list[str]) -> bytes:
    payload = item.get("payload") or ""
    if not item.get("binary"):
        return payload.encode("utf-8", "replace")
    try:
        return base64.b64decode(payload, validate=False)
    except (ValueError, TypeError):
        defects.append(f"undecodable attachment {item.get('filename')!r}")
        return payload.encode("ascii", "replace")

