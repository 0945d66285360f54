"""Rendered parts -> one MIME message with the headers that thread it, mark it automatic
(RFC 3834) and bring replies back to the desk.

Every header value goes through outbound/headers.py: cleaned (no CR/LF can reach a header,
so nothing a reporter writes can add one), RFC 2047-encoded when not ASCII, folded. The
bodies are UTF-8 quoted-printable: Indonesian text stays readable in any client. The result
is CRLF-terminated wire format, ready for SMTP DATA or an .eml file."""
from __future__ import annotations

import binascii
import re
import secrets
from datetime import datetime
from email.utils import format_datetime
from typing import Sequence

from models.fit import clamp
from outbound.headers import fold, mailbox, unstructured, valid_message_id
from outbound.render import Rendered
from outbound.settings import DeskInfo
from workflow.tokens import message_id_local_part

MAX_REFERENCES = 10           # the reporter's original and the latest ones (RFC 5322 3.6.4)
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")


def new_message_id(desk: DeskInfo, kind: str, recipient: str) -> str:
    """Unique, and carrying the reply token for `recipient` (workflow/tokens.py)."""
    return f"<{message_id_local_part(kind, desk.secret, recipient)}@{desk.domain}>"


def compose(
    desk: DeskInfo,
    rendered: Rendered,
    *,
    recipient: str,
    recipient_name: str,
    message_id: str,
    thread: Sequence[str],
    auto_reply: bool,
    now: datetime,
    language: str = "",
) -> bytes:
    """The wire form of one mail. `thread` lists the Message-IDs it answers, oldest first
    (the reporter's original message first); ill-formed ones are left out."""
    headers = [
        ("From", mailbox(desk.name, desk.address)),
        ("To", mailbox(recipient_name, recipient)),
        ("Reply-To", mailbox(desk.name, desk.address)),
        ("Subject", unstructured(rendered.subject)),
        ("Date", [format_datetime(now.astimezone(desk.timezone))]),
        ("Message-ID", [message_id]),
    ]
    references = thread_references(thread)
    if references:
        headers += [("In-Reply-To", [references[-1]]), ("References", references)]
    headers += [
        # RFC 3834: an acknowledgement answers a person's mail; every other mail is a notice
        ("Auto-Submitted", ["auto-replied" if auto_reply else "auto-generated"]),
        ("X-Auto-Response-Suppress", ["All"]),          # no out-of-office replies (Exchange)
        ("X-Incidentdesk", ["1"]),                      # ingest knows its own mail by this
    ]
    if _LANGUAGE_TAG.fullmatch(language):
        headers.append(("Content-Language", [language]))
    head = "".join(f"{name}: {fold(name, tokens)}\r\n" for name, tokens in headers)
    return head.encode("ascii") + _alternative(rendered.text, rendered.html)


def _alternative(text: str, html: str) -> bytes:
    """multipart/alternative of the text and HTML parts, UTF-8 quoted-printable. Written
    here rather than with email.message: a tenth of the time, and the boundary `=_...` can
    never occur in quoted-printable (which writes "=" as "=3D")."""
    boundary = f"=_incidentdesk_{secrets.token_hex(12)}"
    # the CRLF before each delimiter belongs to the delimiter: the parts keep their last newline
    parts = [f"--{boundary}\r\n".encode("ascii") + _part("plain", text) + b"\r\n",
             f"--{boundary}\r\n".encode("ascii") + _part("html", html) + b"\r\n"]
    return (b"MIME-Version: 1.0\r\n"
            + f'Content-Type: multipart/alternative;\r\n boundary="{boundary}"\r\n\r\n'.encode("ascii")
            + b"".join(parts) + f"--{boundary}--\r\n".encode("ascii"))


def _part(subtype: str, content: str) -> bytes:
    """A text part in UTF-8; what UTF-8 cannot carry (a lone surrogate of undecodable mail,
    NUL) becomes U+FFFD, as in the database, so a reporter's bytes never fail a mail."""
    text = clamp(content, None).replace("\r\n", "\n").replace("\r", "\n")
    if not text.endswith("\n"):
        text += "\n"
    body = binascii.b2a_qp(text.encode("utf-8"), istext=True).replace(b"\n", b"\r\n")
    return (f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n").encode("ascii") + body


def thread_references(thread: Sequence[str]) -> list[str]:
    """Well-formed, unique Message-IDs, oldest first; the first and the latest kept when
    there are too many."""
    ids: list[str] = []
    for value in thread:
        valid = valid_message_id(value)
        if valid and valid not in ids:
            ids.append(valid)
    if len(ids) > MAX_REFERENCES:
        ids = ids[:1] + ids[-(MAX_REFERENCES - 1):]
    return ids


