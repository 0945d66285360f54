"""Raw bytes -> InboundMail. Never raises on bad mail: what could not be read becomes an
entry in `defects`, and the caller decides (usually: quarantine).

Built on the standard library's compat32 parser rather than mail-parser (which is built on
the same parser): mail-parser leaves ISO-2022-JP bodies undecoded, reads mislabelled
Windows-1252 as Latin-1, loses the body behind a wrong MIME boundary, holds every attachment
as a base64 string, and takes about twice as long (1.1 against 0.55 ms for a sample report).
Text is decoded by ingest/charset.py; a header block that lost its folding is mended first
(ingest/header_repair.py); the sender is read by ingest/sender.py, salvaged where one person
is clearly meant; large attachments never reach the parser (ingest/large_parts.py); the
others are hashed chunk by chunk."""
from __future__ import annotations

import binascii
import hashlib
import re
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from email.utils import getaddresses
from typing import Iterable, Iterator, cast

import structlog

from ingest.charset import (clean_text, decode_bytes, header_charset, header_text, one_line,
                            unescape_8bit)
from ingest.header_repair import repair_folding
from ingest.html_text import html_to_text
from ingest.large_parts import Elided, elide, hash_base64
from ingest.mail import Attachment, InboundMail
from ingest.quotes import split_reply
from ingest.sender import is_address, read_sender
from ingest.tnef import is_tnef, unpack

log = structlog.get_logger(__name__)

CLASSIFY_HEADERS = (
    "auto-submitted", "precedence", "list-id", "list-unsubscribe", "x-autoreply", "x-autorespond",
    "x-auto-response-suppress", "return-path", "content-type", "authentication-results",
    "x-loop", "x-incidentdesk", "delivered-to", "x-failed-recipients",
)
MSGID_RE = re.compile(r"<[^<>\s]+>")
MAX_DEPTH = 30                       # MIME nesting deeper than this is not walked
MAX_SUBJECT = 998                    # RFC 5322 line limit; longer subjects are cut
DEFAULT_ATTACHMENT_LIMIT = 25 * 1024 * 1024
_B64_CHUNK = 1 << 20                 # characters of base64 decoded at a time


def parse(raw: bytes, max_attachment_bytes: int = DEFAULT_ATTACHMENT_LIMIT) -> InboundMail:
    try:
        mended, repaired = repair_folding(raw)
        skeleton, elided = elide(mended, max_attachment_bytes)
        del mended
        msg = message_from_bytes(skeleton)
        del skeleton
        return _build(raw, msg, max_attachment_bytes, elided, [repaired] if repaired else [])
    except Exception as exc:  # RecursionError (absurd nesting) and the parser's own bugs too
        log.info("parse.failed", error=type(exc).__name__)
        return _unreadable(raw, f"unparseable: {type(exc).__name__}: {exc}"[:300])


def _build(raw: bytes, msg: Message, limit: int, elided: dict[str, Elided],
           defects: list[str]) -> InboundMail:
    body = _Body(limit, elided)
    body.walk(msg, 0, inside_message=False)
    defects += body.defects + _defect_names(msg)
    head = _Headers(msg)
    head.charset = header_charset(body.charset, (v for vs in head.values.values() for v in vs))
    who = read_sender(head.all("From"), head.all("Sender"), head.all("Reply-To"),
                      head.all("Return-Path"), head.text)
    if who.defect:
        defects.append(who.defect)
    plain = "\n".join(t for t in body.plain if t.strip()) or "\n".join(body.quoted_plain)
    html = "\n".join(body.html) or "\n".join(body.quoted_html)
    if "\x00" in plain or "\x00" in html:
        defects.append("NUL bytes in the body")
    text = clean_text(plain if plain.strip() else html_to_text(html)).strip()
    return InboundMail(
        message_id=_first_msgid(head.all("Message-ID")),
        sender=who.address,
        sender_name=who.name,
        recipients=_addresses(head, ("To", "Cc")),
        subject=header_text(head.first("Subject"), head.charset)[:MAX_SUBJECT],
        text=text,
        new_text=split_reply(text).new,
        html=clean_text(html),
        in_reply_to=tuple(_msgids(head.all("In-Reply-To"))),
        references=tuple(_msgids(head.all("References"))),
        headers=_classify_headers(head),
        attachments=tuple(body.attachments),
        body_hash=body_hash(raw),
        size=len(raw),
        defects=tuple(dict.fromkeys(defects)),
        raw=raw,
        date=header_text(head.first("Date"))[:200],
        sender_salvaged=who.salvaged,
    )


def body_hash(raw: bytes) -> str:
    """sha256 of what follows the header block, line endings normalised and trailing white
    space dropped: the same mail delivered twice (other Received: lines, LF stored instead
    of CRLF) hashes the same. Hashed a chunk at a time: a large mail is not copied."""
    digest, blank, cr = hashlib.sha256(), b"", b""
    for at in range(_body_start(raw), len(raw), _B64_CHUNK):
        chunk = cr + raw[at:at + _B64_CHUNK]
        chunk, cr = (chunk[:-1], b"\r") if chunk.endswith(b"\r") else (chunk, b"")  # CR LF split
        text = blank + chunk.replace(b"\r\n", b"\n")
        kept = text.rstrip()
        digest.update(kept)
        blank = text[len(kept):]  # white space: hashed only if something follows it
    return digest.hexdigest()


def _body_start(raw: bytes) -> int:
    for sep in (b"\r\n\r\n", b"\n\n"):
        at = raw.find(sep)
        if at >= 0:
            return at + len(sep)
    return len(raw)


def _unreadable(raw: bytes, reason: str) -> InboundMail:
    return InboundMail(message_id=None, sender=None, sender_name="", recipients=(), subject="",
                       text="", new_text="", html="", in_reply_to=(), references=(), headers={},
                       attachments=(), body_hash=body_hash(raw), size=len(raw),
                       defects=(reason,), raw=raw)


@dataclass
class _Body:
    """What a walk over the MIME tree finds: text of the mail itself, text of messages it
    carries (a forward, a returned original in a bounce: used only when there is no other),
    and attachments as metadata."""

    limit: int
    elided: dict[str, Elided]          # attachment bodies measured before parsing (large_parts)
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    quoted_plain: list[str] = field(default_factory=list)
    quoted_html: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    charset: str | None = None         # declared by the first text part: raw 8-bit headers are read with it

    def walk(self, part: Message, depth: int, inside_message: bool) -> None:
        if depth > MAX_DEPTH:
            self.defects.append(f"MIME nesting deeper than {MAX_DEPTH}: rest not read")
            return
        ctype = part.get_content_type()
        if ctype == "message/delivery-status" or ctype == "message/disposition-notification":
            return
        if part.get_content_maintype() == "multipart" or part.is_multipart():
            for child in _children(part, self.defects):
                self.walk(child, depth + 1, inside_message or ctype.startswith("message/"))
            return
        self._leaf(part, ctype, inside_message)

    def _leaf(self, part: Message, ctype: str, inside_message: bool) -> None:
        filename = header_text(_filename(part))
        disposition = (part.get_content_disposition() or "").lower()
        if is_tnef(ctype, filename):
            self._tnef(part, filename)
        elif ctype in ("text/plain", "text/html") and not filename and disposition != "attachment":
            text = self._text(part)
            target = (self.quoted_html if ctype == "text/html" else self.quoted_plain) if inside_message \
                else (self.html if ctype == "text/html" else self.plain)
            target.append(text)
        elif filename or disposition in ("attachment", "inline") or part.get_content_maintype() != "text":
            self._attachment(part, filename, ctype)

    def _text(self, part: Message) -> str:
        payload = part.get_payload()
        if isinstance(payload, str) and payload.strip() in self.elided:
            self.defects.append("a text part too large to read was skipped")
            return ""
        data = _payload(part, self.defects)
        label = part.get_content_charset()
        self.charset = self.charset or label
        text, defect = decode_bytes(data, label)
        if defect:
            self.defects.append(defect)
        return text

    def _attachment(self, part: Message, name: str, ctype: str) -> None:
        payload = part.get_payload()
        encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
        estimate = _base64_size(payload) if encoding == "base64" and isinstance(payload, str) else None
        name = (name or "unnamed")[:255]
        known = self.elided.get(payload.strip()) if isinstance(payload, str) else None
        if known is not None:
            self.attachments.append(Attachment(name, ctype, known.size, known.sha256, known.over_limit))
            return
        if estimate is not None and estimate > self.limit:
            self.attachments.append(Attachment(name, ctype, estimate, "", over_limit=True))
            return
        if estimate is not None and isinstance(payload, str):
            size, digest = _hash_base64(payload)
        else:
            data = _payload(part, self.defects)
            size, digest = len(data), hashlib.sha256(data).hexdigest()
        self.attachments.append(Attachment(name, ctype, size, digest, over_limit=size > self.limit))

    def _tnef(self, part: Message, filename: str) -> None:
        data = _payload(part, self.defects)
        content = unpack(data)
        if content is None:
            self.defects.append("winmail.dat (TNEF) could not be read; kept as an attachment")
            self.attachments.append(Attachment(filename or "winmail.dat", "application/ms-tnef",
                                               len(data), hashlib.sha256(data).hexdigest()))
            return
        if content.text.strip():
            self.plain.append(content.text)
        if content.html.strip():
            self.html.append(content.html)
        for item in content.files:
            self.attachments.append(Attachment(
                one_line(item.name)[:255] or "unnamed", item.content_type[:100], len(item.data),
                hashlib.sha256(item.data).hexdigest(), over_limit=len(item.data) > self.limit))


def _children(part: Message, defects: list[str]) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return cast("list[Message]", payload)  # a multipart's payload: its parts, all Messages
    recovered = _recover_parts(part, str(payload or ""))
    if recovered is not None:
        defects.append("MIME boundary did not match; parts recovered from the body")
        return recovered
    # a multipart whose parts cannot be found: its body is the only text there is
    text = Message()
    text.set_payload(str(payload or ""))
    return [text]


def _recover_parts(part: Message, payload: str) -> list[Message] | None:
    """A multipart whose declared boundary never occurs (a broken client or gateway): if
    the body has delimiter lines of another boundary, split on those."""
    found = re.search(r"^--([ -~]{1,70}?)[ \t]*\r?$", payload, re.MULTILINE)
    if not found:
        return None
    boundary = found.group(1).removesuffix("--")
    rebuilt = message_from_bytes(
        f'Content-Type: {part.get_content_type()}; boundary="{boundary}"\n\n'.encode()
        + payload.encode("ascii", "surrogateescape"))
    children = rebuilt.get_payload()
    return cast("list[Message]", children) if isinstance(children, list) and children else None


def _payload(part: Message, defects: list[str]) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except (ValueError, TypeError, binascii.Error) as exc:
        defects.append(f"undecodable part {part.get_content_type()}: {type(exc).__name__}")
        return b""
    if isinstance(data, bytes):
        return data
    return str(data or "").encode("ascii", "surrogateescape")


def _hash_base64(payload: str) -> tuple[int, str]:
    """Size and sha256 of a base64 payload, decoded a chunk at a time."""
    return hash_base64(payload[i:i + _B64_CHUNK].encode("ascii", "ignore")
                       for i in range(0, len(payload), _B64_CHUNK))


def _base64_size(payload: str) -> int:
    """The decoded size, near enough, without decoding."""
    return (len(payload) - payload.count("\n") - payload.count("\r") - payload.count("=")) * 3 // 4


def _filename(part: Message) -> str:
    try:
        return part.get_filename() or ""
    except (ValueError, TypeError, LookupError):
        return ""


class _Headers:
    """Every value of each header as received. Not msg.get_all(): for raw 8-bit values that
    gives a Header object whose text has lost the bytes."""

    def __init__(self, msg: Message) -> None:
        self.values: dict[str, list[str]] = {}
        self.charset: str | None = None     # for raw 8-bit bytes that are not UTF-8
        for name, value in msg.raw_items():
            self.values.setdefault(name.lower(), []).append(str(value))

    def text(self, value: str) -> str:
        """A value with raw 8-bit bytes read as text, encoded words left in place (they are
        decoded after addresses are split, so an encoded comma splits nothing)."""
        return unescape_8bit(value, self.charset)

    def all(self, name: str) -> list[str]:
        return self.values.get(name.lower(), [])

    def first(self, name: str) -> str | None:
        found = self.values.get(name.lower())
        return found[0] if found else None


def _defect_names(msg: Message) -> list[str]:
    names = []
    for part in msg.walk():
        names += [type(d).__name__ for d in getattr(part, "defects", ())]
    return sorted(set(names))


def _addresses(head: _Headers, names: tuple[str, ...]) -> tuple[str, ...]:
    values = [head.text(v) for name in names for v in head.all(name)]
    found = (one_line(a).lower() for _, a in getaddresses(values))
    return tuple(dict.fromkeys(a for a in found if is_address(a)))


def _eight_bit(value: object) -> str:
    """A Message-ID or References value with any raw 8-bit bytes read as text."""
    return unescape_8bit(str(value))


def _first_msgid(values: Iterable[object]) -> str | None:
    for value in values:
        found = MSGID_RE.findall(_eight_bit(value))
        if found:
            return one_line(found[0])[:998]
    return None


def _msgids(values: Iterable[object]) -> Iterator[str]:
    for value in values:
        for found in MSGID_RE.findall(_eight_bit(value)):
            yield one_line(found)[:998]


def _classify_headers(head: _Headers) -> dict[str, str]:
    found = {}
    for name in CLASSIFY_HEADERS:
        values = head.all(name)
        if values:
            found[name] = header_text(values[0], head.charset)[:2000]
    return found
