"""The production transport: SMTP with smtplib, one connection for a whole flush.

Security: STARTTLS (default) or implicit TLS, with the certificate checked against the
system's trust store (or `ca_file`); plain text only to a loopback address unless
`allow_plain`. AUTH when a username is set. The connection opens with the first mail, so a
flush with nothing to send never touches the server.

Failures map onto what the outbox does next (outbound/flush.py):
  5xx reply to MAIL, RCPT or DATA      -> PermanentFailure: the row fails now, with the text
  4xx reply                            -> TemporaryFailure: retried with backoff
  connection dropped before DATA       -> reconnect once and go on (an idle server may close)
  connection dropped during DATA       -> TemporaryFailure: the server may have the mail, so
                                          it waits for the backoff rather than going at once
  cannot connect / TLS / EHLO / AUTH   -> Unavailable: the batch waits, the flush stops"""
from __future__ import annotations

import ipaddress
import smtplib
import socket
import ssl
from dataclasses import dataclass, field

import structlog

from outbound.flush import PermanentFailure, TemporaryFailure, Unavailable

log = structlog.get_logger(__name__)

SECURITY = ("starttls", "tls", "plain")
NULL_SENDER = "<>"


class SmtpConfigError(ValueError):
    """A setting that would make sending unsafe or impossible."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    security: str = "starttls"        # starttls | tls | plain
    username: str = ""
    password: str = field(default="", repr=False)
    allow_plain: bool = False         # plain text to a host that is not loopback
    ca_file: str = ""                 # extra trust anchor (a private CA)
    timeout: float = 30.0
    envelope_from: str = ""           # MAIL FROM; "<>" for the null sender
    helo_name: str = ""               # EHLO name; "" lets smtplib use this host's FQDN


class _Dropped(Exception):
    """The connection went away before the message data was sent: safe to send again."""


def is_loopback(host: str) -> bool:
    """True when every address `host` resolves to is a loopback address. (ingest has the
    same check for IMAP; outbound may not import ingest.)"""
    try:
        return all(ipaddress.ip_address(info[4][0]).is_loopback for info in socket.getaddrinfo(host, None))
    except (OSError, ValueError):
        return False


def check(settings: SmtpSettings) -> None:
    if not settings.host:
        raise SmtpConfigError("outbound.transport is smtp: set outbound.smtp.host")
    if settings.security not in SECURITY:
        raise SmtpConfigError(f"outbound.smtp.security {settings.security!r}: use starttls, tls or plain")
    if settings.security == "plain" and not (settings.allow_plain or is_loopback(settings.host)):
        raise SmtpConfigError(f"refusing plain-text SMTP to {settings.host}: not a loopback address "
                              "(set outbound.smtp.allow_plain = true to override)")


def _trust(ca_file: str) -> ssl.SSLContext:
    """The system's trust store, plus `ca_file` when set; hostnames are always checked."""
    try:
        return ssl.create_default_context(cafile=ca_file or None)
    except (OSError, ssl.SSLError) as exc:
        raise SmtpConfigError(f"outbound.smtp.ca_file {ca_file!r} cannot be used: {exc}") from None


class SmtpTransport:
    name = "smtp"

    def __init__(self, settings: SmtpSettings, sender: str,
                 context: ssl.SSLContext | None = None) -> None:
        """`sender` is the envelope sender (MAIL FROM); "<>" or "" sends the null sender."""
        check(settings)
        self.settings = settings
        self.sender = "" if sender in ("", NULL_SENDER) else sender
        self._context = context
        if settings.security != "plain":   # a bad ca_file shows at start; plain skips the ~50 ms
            self._tls()
        self._smtp: smtplib.SMTP | None = None

    def open(self) -> None:
        """Nothing yet: the connection opens with the first mail."""

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    def send(self, row_id: int, kind: str, recipient: str, raw: bytes) -> None:
        smtp = self._connection()
        try:
            self._envelope(smtp, recipient)
        except _Dropped as exc:
            log.info("smtp.reconnect", outbox_id=row_id, reason=str(exc))
            self._discard()
            smtp = self._connection()
            try:
                self._envelope(smtp, recipient)
            except _Dropped as again:
                self._discard()
                raise TemporaryFailure(f"connection dropped twice: {again}") from None
        self._data(smtp, raw)

    # ------------------------------------------------------------------ one mail

    def _envelope(self, smtp: smtplib.SMTP, recipient: str) -> None:
        for stage, command in (("MAIL FROM", lambda: smtp.mail(self.sender)),
                               ("RCPT TO", lambda: smtp.rcpt(recipient))):
            try:
                code, reply = command()
            except (smtplib.SMTPServerDisconnected, OSError) as exc:
                raise _Dropped(f"{stage}: {exc}") from None
            if code == 421:   # the server is closing this session: a new one may work
                raise _Dropped(f"{stage}: {code} {_text(reply)}")
            if code not in (250, 251):
                self._reset(smtp)
                raise _refusal(stage, code, reply)

    def _data(self, smtp: smtplib.SMTP, raw: bytes) -> None:
        try:
            code, reply = smtp.data(raw)
        except smtplib.SMTPDataError as exc:           # DATA itself refused (no 354)
            self._reset(smtp)
            raise _refusal("DATA", exc.smtp_code, exc.smtp_error) from None
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self._discard()
            raise TemporaryFailure(f"connection dropped during DATA: {exc}") from None
        if code != 250:
            if code == 421:
                self._discard()
            raise _refusal("DATA", code, reply)

    def _reset(self, smtp: smtplib.SMTP) -> None:
        """RSET after a refused MAIL/RCPT so the connection can carry the next mail."""
        try:
            code, _ = smtp.rset()
            if code == 250:
                return
        except (smtplib.SMTPException, OSError):
            pass
        self._discard()

    # ---------------------------------------------------------------- connection

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            try:
                self._smtp = self._connect()
            except Unavailable:
                raise
            except (smtplib.SMTPException, OSError) as exc:   # ssl.SSLError is an OSError
                raise Unavailable(f"{self.settings.host}:{self.settings.port}: {_describe(exc)}") from None
            log.info("smtp.connected", host=self.settings.host, port=self.settings.port,
                     security=self.settings.security)
        return self._smtp

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        helo = s.helo_name or None
        smtp: smtplib.SMTP
        if s.security == "tls":
            smtp = smtplib.SMTP_SSL(s.host, s.port, local_hostname=helo, timeout=s.timeout,
                                    context=self._tls())
        else:
            smtp = smtplib.SMTP(s.host, s.port, local_hostname=helo, timeout=s.timeout)
        try:
            self._greet(smtp)
            if s.username:
                smtp.login(s.username, s.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _greet(self, smtp: smtplib.SMTP) -> None:
        code, reply = smtp.ehlo()
        if self.settings.security == "starttls":
            if code != 250 or not smtp.has_extn("starttls"):
                raise Unavailable(f"{self.settings.host} does not offer STARTTLS; refusing to send "
                                  "in plain text (security = \"plain\" on loopback only)")
            smtp.starttls(context=self._tls())
            code, reply = smtp.ehlo()
        if code != 250:
            code, reply = smtp.helo()
            if code != 250:
                raise Unavailable(f"{self.settings.host} refused HELO: {code} {_text(reply)}")

    def _tls(self) -> ssl.SSLContext:
        if self._context is None:
            self._context = _trust(self.settings.ca_file)
        return self._context

    def _discard(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())


def _refusal(stage: str, code: int, reply: bytes | str) -> Exception:
    message = f"{stage}: {code} {_text(reply)}"
    return PermanentFailure(message) if 500 <= code < 600 else TemporaryFailure(message)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"authentication failed: {exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"AUTH is not offered by the server (set no username, or use starttls/tls): {exc}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"certificate not trusted: {exc.verify_message} (set outbound.smtp.ca_file for a private CA)"
    return f"{type(exc).__name__}: {exc}"
