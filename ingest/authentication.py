"""Authentication-Results (RFC 8601) read for one fact: did our own MTA verify that this mail
really comes from the From: address's domain?

Only the header written by the configured authserv-id counts, and of those only the topmost
(the MTA prepends its own; anything below it was there when the mail arrived, and a sender can
write whatever it likes there). A method counts when its result is `pass` and the domain it
verified is aligned with the From: domain:

- dkim: `header.d` (or the domain of `header.i`) equals the From: domain, or with relaxed
  alignment is a parent of it (mail.posbalikpapan.example signed by posbalikpapan.example);
- spf:  the domain of `smtp.mailfrom`, aligned the same way.

A header that cannot be parsed proves nothing. The result is facts, not a decision: the
workflow decides whether the sender is an agent and whether that is enough."""
from __future__ import annotations

from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from email.policy import compat32
from typing import Any, Iterable

import authres
import structlog

from workflow.authorization import NO_TRUSTED_SERVER

log = structlog.get_logger(__name__)

DKIM, SPF = "dkim", "spf"
HEADER_LIMIT = 1024 * 1024          # Authentication-Results sit in the header block, near the top


@dataclass(frozen=True)
class AuthenticationSettings:
    authserv_id: str = ""                         # "" trusts no Authentication-Results at all
    methods: frozenset[str] = frozenset({DKIM, SPF})
    alignment: str = "relaxed"                    # relaxed | strict


@dataclass(frozen=True)
class SenderAuthentication:
    passed: frozenset[str] = field(default_factory=frozenset)   # methods that passed, aligned
    detail: str = ""                                            # why, in words for people


def authenticate_sender(raw: bytes, sender: str, settings: AuthenticationSettings) -> SenderAuthentication:
    """Which of the configured methods passed, aligned with `sender`'s domain, according to
    the topmost Authentication-Results of the trusted authserv-id."""
    wanted = settings.methods & {DKIM, SPF}
    if not settings.authserv_id or not wanted:
        return SenderAuthentication(detail=NO_TRUSTED_SERVER)
    header = _trusted_header(_header_values(raw), settings.authserv_id.lower())
    if header is None:
        return SenderAuthentication(detail=f"no Authentication-Results from {settings.authserv_id}")
    from_domain = sender.rsplit("@", 1)[-1].lower()
    passed, notes = set(), []
    for result in header.results:
        method = str(result.method).lower()
        if method not in wanted or str(result.result).lower() != "pass":
            continue
        domain = _verified_domain(method, result)
        if domain and aligned(domain, from_domain, settings.alignment == "strict"):
            passed.add(method)
        else:
            notes.append(f"{method}=pass for {domain or 'an unknown domain'}, not {from_domain}")
    detail = ", ".join(sorted(passed)) + " pass" if passed else "; ".join(notes) or \
        f"no aligned {' or '.join(sorted(wanted))} pass from {settings.authserv_id}"
    return SenderAuthentication(frozenset(passed), detail)


def aligned(verified: str, from_domain: str, strict: bool) -> bool:
    """DMARC-style identifier alignment without a public-suffix list: relaxed accepts a parent
    domain of the From: domain, which only its owner can sign for or publish SPF for."""
    verified, from_domain = verified.lower().rstrip("."), from_domain.lower().rstrip(".")
    if verified == from_domain:
        return True
    return not strict and "." in verified and from_domain.endswith("." + verified)


def _header_values(raw: bytes) -> list[str]:
    head = raw[:HEADER_LIMIT]                         # the body is never read: mail can be large
    crlf = head.find(b"\r\n\r\n")
    lf = head.find(b"\n\n", 0, crlf if crlf >= 0 else len(head))
    end = lf if lf >= 0 else crlf
    block = head[:end + 2] if end >= 0 else head
    try:
        headers = BytesHeaderParser(policy=compat32).parsebytes(block)
    except Exception:  # unreadable headers prove nothing
        return []
    return [" ".join(str(v).split()) for v in headers.get_all("Authentication-Results") or []]


def _trusted_header(values: Iterable[str], authserv_id: str) -> Any | None:
    """The first (topmost) parseable header whose authserv-id is ours."""
    for value in values:
        try:
            header = authres.AuthenticationResultsHeader.parse_value(value)
        except Exception:  # authres.AuthResError and anything odd: not trusted
            if value.split(";", 1)[0].strip().lower().split(" ")[0] == authserv_id:
                log.info("auth.unparseable_results", authserv_id=authserv_id)
                return None
            continue
        if str(header.authserv_id).lower() == authserv_id:
            return header
    return None


def _verified_domain(method: str, result: Any) -> str | None:
    props = {(str(p.type).lower(), str(p.name).lower()): str(p.value) for p in result.properties}
    if method == DKIM:
        domain = props.get(("header", "d")) or props.get(("header", "i"), "").rpartition("@")[2]
    else:
        domain = props.get(("smtp", "mailfrom"), "").rpartition("@")[2]
    return domain.strip().strip('"').lower() or None
