"""Reply tokens: proof that a mail answers one the desk sent to that address.

Every Message-ID the desk generates carries a nonce and HMAC(secret, nonce + recipient).
An agent's reply echoes it in In-Reply-To/References; recomputing the HMAC for the reply's
From: address shows the sender really received that mail. A forger who only sets From:
cannot produce a valid token without the secret or the mail itself."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Iterable

TOKEN_RE = re.compile(r"^<[a-z_]+\.([0-9a-f]{20})\.([0-9a-f]{20})@")


def _mac(secret: str, nonce: str, recipient: str) -> str:
    message = f"{nonce}:{recipient.strip().lower()}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:20]


def message_id_local_part(kind: str, secret: str, recipient: str) -> str:
    """`kind.nonce.mac` (or `kind.nonce` without a secret): the part before the @."""
    nonce = secrets.token_hex(10)
    safe_kind = re.sub(r"[^a-z_]", "", kind.lower()) or "mail"
    return f"{safe_kind}.{nonce}.{_mac(secret, nonce, recipient)}" if secret else f"{safe_kind}.{nonce}"


def replies_to_mail_sent_to(secret: str, sender: str, references: Iterable[str]) -> bool:
    """True when one of the referenced Message-IDs was generated for `sender`."""
    if not secret:
        return False
    for message_id in references:
        match = TOKEN_RE.match(message_id or "")
        if match and hmac.compare_digest(match.group(2), _mac(secret, match.group(1), sender)):
            return True
    return False


# The reporter's page of one ticket (`/r/<NUMBER>/<mac>`): no account, the link is the key.
# The MAC binds the ticket number under its own purpose string, so it can never pass for a
# reply token (those sign "nonce:recipient") and a link opens only its own ticket.
_PAGE_PURPOSE = "reporter-page"
PAGE_MAC_LENGTH = 32        # hex characters: 128 bits, not guessable


def reporter_page_mac(secret: str, number: str) -> str:
    message = f"{_PAGE_PURPOSE}:{number.strip().upper()}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:PAGE_MAC_LENGTH]


def reporter_page_path(secret: str, number: str) -> str:
    """The path of the ticket's reporter page ("" without a secret: no link can be signed)."""
    return f"/r/{number}/{reporter_page_mac(secret, number)}" if secret else ""


def is_reporter_page_mac(secret: str, number: str, mac: str) -> bool:
    """True only for the MAC of this very ticket; compared in constant time."""
    if not secret or len(mac) != PAGE_MAC_LENGTH:
        return False
    return hmac.compare_digest(mac.lower(), reporter_page_mac(secret, number))
