"""Which kind of mail is this, before any ticket is looked at.

Rules are small named checks in a table (after Mailman's chain): the first that fires
decides, and its name and reason are recorded with the message. Automatic mail is recorded
and never answered; bounces of the desk's own mail are read (ingest/bounces.py); what a
person wrote (a new report, a follow-up, an agent's command, a feedback reply) is sorted
out by workflow/, which knows the tickets.

Monitoring systems (Zabbix, Nagios, a cloud status page) send automatic mail that is an
incident report all the same: mail from an address of `source.monitoring_senders` is read
as a report (rule "monitoring"), automatic headers or not, and the caller sends it no
acknowledgement: answering a robot starts a mail loop."""
from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Callable, Sequence

from ingest.mail import InboundMail

AUTOMATIC = "automatic"
BOUNCE = "bounce"         # a delivery status notification: automatic, and read for who bounced
REJECTED = "rejected"
PERSONAL = "personal"     # a person wrote it: new report, follow-up, command or feedback

MAIL_SYSTEM_SENDERS = frozenset({"mailer-daemon", "postmaster", "mail-daemon", "maildelivery"})


@dataclass(frozen=True)
class Verdict:
    kind: str
    rule: str = ""
    reason: str = ""


Rule = Callable[[InboundMail], str | None]


def _content_type(mail: InboundMail) -> str:
    return mail.headers.get("content-type", "").lower()


def _delivery_report(mail: InboundMail) -> str | None:
    ctype = _content_type(mail)
    if "multipart/report" in ctype and "disposition-notification" not in ctype:
        return "delivery status notification"
    if mail.headers.get("x-failed-recipients"):
        return "delivery failure (X-Failed-Recipients)"
    local = (mail.sender or "").partition("@")[0]
    return f"sent by the mail system ({local})" if local in MAIL_SYSTEM_SENDERS else None


def _read_receipt(mail: InboundMail) -> str | None:
    ctype = _content_type(mail)
    return "read receipt" if "disposition-notification" in ctype else None


def _auto_submitted(mail: InboundMail) -> str | None:
    value = mail.headers.get("auto-submitted", "").split(";")[0].strip().lower()
    return f"Auto-Submitted: {value}" if value and value != "no" else None


def _precedence(mail: InboundMail) -> str | None:
    value = mail.headers.get("precedence", "").strip().lower()
    return f"Precedence: {value}" if value in {"bulk", "junk", "list", "auto_reply"} else None


def _mailing_list(mail: InboundMail) -> str | None:
    return "List-Id present" if mail.headers.get("list-id") else None


def _autoreply_headers(mail: InboundMail) -> str | None:
    for name in ("x-autoreply", "x-autorespond"):
        if mail.headers.get(name):
            return f"{name} present"
    return None


def _null_return_path(mail: InboundMail) -> str | None:
    return "empty Return-Path" if mail.headers.get("return-path", "").strip() == "<>" else None


def _own_loop(mail: InboundMail) -> str | None:
    return "sent by this desk (X-Incidentdesk)" if mail.headers.get("x-incidentdesk") else None


def _monitoring(mail: InboundMail, patterns: Sequence[str]) -> str | None:
    """Why the mail counts as a monitoring system's report, None when it does not."""
    sender = (mail.sender or "").lower()
    pattern = next((p for p in patterns if sender and fnmatchcase(sender, p.strip().lower())), None)
    if pattern is None:
        return None
    automatic = next((reason for _, rule in AUTOMATIC_RULES if (reason := rule(mail))), None)
    return f"from a monitoring sender ({pattern})" + (f", automatic ({automatic})" if automatic else "")


# X-Auto-Response-Suppress is deliberately not a rule: it asks the receiver not to answer
# automatically; it does not say the mail is automatic (Outlook puts it on people's mail too).
AUTOMATIC_RULES: tuple[tuple[str, Rule], ...] = (
    ("own-mail", _own_loop),
    ("auto-submitted", _auto_submitted),
    ("precedence", _precedence),
    ("mailing-list", _mailing_list),
    ("autoreply-header", _autoreply_headers),
    ("read-receipt", _read_receipt),
    ("null-return-path", _null_return_path),
)


def classify(mail: InboundMail, *, desk_addresses: frozenset[str],
             monitoring_senders: Sequence[str] = ()) -> Verdict:
    """`monitoring_senders`: shell patterns (case-insensitive) of the addresses whose
    automatic mail reports incidents (source.monitoring_senders)."""
    if mail.defects and mail.defects[0].startswith("unparseable"):
        return Verdict(REJECTED, "unparseable", mail.defects[0])
    bounce = _delivery_report(mail)
    if bounce and not _own_loop(mail):
        return Verdict(BOUNCE, "delivery-report", bounce)
    monitor = _monitoring(mail, monitoring_senders)
    if monitor and not _own_loop(mail) and mail.sender not in desk_addresses:
        return Verdict(PERSONAL, "monitoring", monitor)
    for name, rule in AUTOMATIC_RULES:
        reason = rule(mail)
        if reason:
            return Verdict(AUTOMATIC, name, reason)
    if not mail.sender:
        return Verdict(REJECTED, "no-sender", "no usable From: address")
    if mail.sender in desk_addresses:
        return Verdict(AUTOMATIC, "from-desk", f"From: is the desk's own address {mail.sender}")
    return Verdict(PERSONAL)
