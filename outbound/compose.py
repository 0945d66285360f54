"""Rendered parts -> one MIME message with the headers that thread it, mark it automatic
(RFC 3834) and bring replies back to the desk."""
from __future__ import annotations

from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from outbound.render import Rendered
from outbound.settings import DeskInfo
from workflow.tokens import message_id_local_part


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
    thread: tuple[str, ...],
    auto_reply: bool,
    now: datetime,
) -> bytes:
    msg = EmailMessage(policy=SMTP)
    msg["From"] = Address(display_name=desk.name, addr_spec=desk.address)
    msg["To"] = Address(display_name=recipient_name, addr_spec=recipient) if recipient_name else recipient
    msg["Reply-To"] = desk.address
    msg["Subject"] = rendered.subject
    msg["Date"] = format_datetime(now.astimezone(desk.timezone))
    msg["Message-ID"] = message_id
    if thread:
        msg["In-Reply-To"] = thread[-1]
        msg["References"] = " ".join(thread)
    msg["Auto-Submitted"] = "auto-replied" if auto_reply else "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    msg["X-Incidentdesk"] = "1"
    msg.set_content(rendered.text, charset="utf-8", cte="quoted-printable")
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8", cte="quoted-printable")
    return msg.as_bytes()
