"""Which kind of mail is this, before any ticket is looked at.

Rules are small named checks in a table (after Mailman's chain): the first that fires
decides, and its name and reason are recorded with the message."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ingest.mail import InboundMail

AUTOMATIC = "automatic"
REJECTED = "rejected"
PERSONAL = "personal"     # a person wrote it: new report, follow-up, command or feedback


@dataclass(frozen=True)
class Verdict:
    kind: str
    rule: str = ""
    reason: str = ""


Rule = Callable[[InboundMail], str | None]


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
    suppress = mail.headers.get("x-auto-response-suppress", "").lower()
    return "X-Auto-Response-Suppress: all" if "all" in suppress or "oof" in suppress else None


def _null_return_path(mail: InboundMail) -> str | None:
    return "empty Return-Path" if mail.headers.get("return-path", "").strip() == "<>" else None


def _delivery_report(mail: InboundMail) -> str | None:
    ctype = mail.headers.get("content-type", "").lower()
    if "multipart/report" in ctype or "delivery-status" in ctype:
        return "delivery status notification"
    return None


def _own_loop(mail: InboundMail) -> str | None:
    return "sent by this desk (X-Incidentdesk)" if mail.headers.get("x-incidentdesk") else None


AUTOMATIC_RULES: tuple[tuple[str, Rule], ...] = (
    ("own-mail", _own_loop),
    ("delivery-report", _delivery_report),
    ("auto-submitted", _auto_submitted),
    ("precedence", _precedence),
    ("mailing-list", _mailing_list),
    ("autoreply-header", _autoreply_headers),
    ("null-return-path", _null_return_path),
)


def classify(mail: InboundMail, *, desk_addresses: frozenset[str]) -> Verdict:
    if mail.defects and mail.defects[0].startswith("unparseable"):
        return Verdict(REJECTED, "unparseable", mail.defects[0])
    for name, rule in AUTOMATIC_RULES:
        reason = rule(mail)
        if reason:
            return Verdict(AUTOMATIC, name, reason)
    if not mail.sender:
        return Verdict(REJECTED, "no-sender", "no usable From: address")
    if mail.sender in desk_addresses:
        return Verdict(AUTOMATIC, "from-desk", f"From: is the desk's own address {mail.sender}")
    return Verdict(PERSONAL)
