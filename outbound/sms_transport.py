"""The SMS sender: Kannel's HTTP sendsms interface (smsbox), one GET per SMS.

Why Kannel: it is the free SMS gateway Debian packages; it speaks SMPP to an operator's
account, or AT commands to a GSM modem, and queues on its own side. The desk only needs
"accepted" from it; what reaches the phone afterwards is Kannel's work (with the optional
delivery-report callback, `dlr_url`, Kannel tells a URL of the operator's choosing).

How answers map onto the outbox (outbound/flush.py):
- 202 (`0: Accepted for delivery`, `3: Queued for later delivery`): sent.
- 403 (`Authorization failed`, or this host is not allowed): Unavailable; no SMS can go
  until the account is mended, so the batch waits instead of failing one by one.
- other 4xx (`Number(s) has/have been denied by white- and/or black-lists.`, a bad
  parameter): PermanentFailure; that SMS fails now, `outbox retry` can put it back.
- 5xx: TemporaryFailure, retried with backoff.
- no connection, a timeout: Unavailable; the flush stops and retries later.

Phone numbers are personal data: none is in an error text this module makes, and any run of
digits a gateway echoes back is masked before it reaches the row or a log line."""
from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.client import HTTPException

from outbound.flush import PermanentFailure, TemporaryFailure, Unavailable
from outbound.sms_text import needs_ucs2

_DIGITS = re.compile(r"\+?\d[\d ()-]{5,}\d")
ANSWER_LIMIT = 300     # characters of Kannel's answer kept in an error


class SmsConfigError(Exception):
    """[sms.kannel] cannot work as given (a missing URL or user)."""


@dataclass(frozen=True)
class KannelSettings:
    sendsms_url: str                   # http://127.0.0.1:13013/cgi-bin/sendsms
    username: str
    password: str = field(repr=False)
    sender: str                        # the desk's sender id ("" = Kannel's global-sender)
    dlr_url: str = ""                  # Kannel calls it with the delivery report; "" = none
    dlr_mask: int = 3                  # Kannel's dlr-mask: 1 delivered + 2 failed
    timeout: float = 30.0


def masked(text: str) -> str:
    """`text` with every phone-like run of digits replaced, for errors and logs."""
    return _DIGITS.sub("<number>", text)


class KannelTransport:
    """Transport (outbound/flush.py) for the "sms" channel: `raw` is the UTF-8 text."""

    name = "kannel"

    def __init__(self, settings: KannelSettings) -> None:
        scheme = urllib.parse.urlsplit(settings.sendsms_url).scheme
        if scheme not in ("http", "https"):
            raise SmsConfigError("sms.kannel.sendsms_url must be an http:// or https:// URL of smsbox's sendsms")
        if not settings.username:
            raise SmsConfigError("sms.kannel.username is empty: give the sendsms-user of kannel.conf")
        self.settings = settings

    def open(self) -> None:
        """Nothing to open: each SMS is one HTTP request (smsbox keeps no session)."""

    def close(self) -> None:
        """Nothing to close."""

    def send(self, row_id: int, kind: str, recipient: str, raw: bytes) -> None:
        text = raw.decode("utf-8")
        request = urllib.request.Request(self.url(recipient, text), method="GET")
        try:
            with urllib.request.urlopen(request, timeout=self.settings.timeout) as answer:
                status, body = answer.status, answer.read(4096)
        except urllib.error.HTTPError as exc:
            status, body = exc.code, exc.read(4096)
        except (urllib.error.URLError, OSError, HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            raise Unavailable(f"Kannel sendsms cannot be reached: {masked(str(reason))}") from None
        self._outcome(status, masked(body.decode("utf-8", "replace").strip())[:ANSWER_LIMIT])

    def url(self, recipient: str, text: str) -> str:
        """The sendsms request: UTF-8 text, coding 0 (GSM 7-bit) or 2 (UCS-2) by content."""
        s = self.settings
        params = {"username": s.username, "password": s.password, "to": recipient, "text": text,
                  "charset": "UTF-8", "coding": "2" if needs_ucs2(text) else "0"}
        if s.sender:
            params["from"] = s.sender
        if s.dlr_url:
            params |= {"dlr-mask": str(s.dlr_mask), "dlr-url": s.dlr_url}
        separator = "&" if "?" in s.sendsms_url else "?"
        return s.sendsms_url + separator + urllib.parse.urlencode(params)

    @staticmethod
    def _outcome(status: int, answer: str) -> None:
        if status in (200, 202):
            return
        if status == 403:
            raise Unavailable(f"Kannel refused the sendsms account (HTTP 403: {answer})")
        if 400 <= status < 500:
            raise PermanentFailure(f"Kannel refused the SMS (HTTP {status}: {answer})")
        raise TemporaryFailure(f"Kannel could not take the SMS now (HTTP {status}: {answer})")
