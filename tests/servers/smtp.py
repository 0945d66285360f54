"""A recording SMTP server (aiosmtpd) with fault injection, for tests.

Why: outbound mail code must be tested against a real SMTP dialogue
(smtplib error classes, retries, partial recipient failures, reconnects),
not a mocked ``smtplib.SMTP``.  Each ``SmtpServer`` listens on its own free
loopback port, records every accepted message, and can be told to answer
with temporary/permanent errors, to require AUTH, to offer STARTTLS, or to
be down for a while and come back on the *same* port.

All public methods are thread-safe: the SMTP dialogue runs in aiosmtpd's
event-loop thread, tests call from the main thread.
"""

from __future__ import annotations

import atexit
import email.policy
import errno
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from pathlib import Path
from typing import Any, Literal

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

HOST = "127.0.0.1"
Stage = Literal["MAIL", "RCPT", "DATA"]


@dataclass(frozen=True)
class ReceivedMessage:
    """One message accepted by the server (after DATA got 250)."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes
    message_id: str | None
    auth_user: str | None
    tls: bool

    def parsed(self) -> EmailMessage:
        """Full parse with the modern email policy (for header/body asserts)."""
        msg = BytesParser(policy=email.policy.default).parsebytes(self.data)
        assert isinstance(msg, EmailMessage)
        return msg


def _message_id(data: bytes) -> str | None:
    """Message-ID header, unfolded, or None; never raises on junk input."""
    headers = BytesHeaderParser(policy=email.policy.compat32).parsebytes(data)
    value = headers.get("Message-ID")
    return " ".join(str(value).split()) if value is not None else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class _Handler:
    """aiosmtpd hooks; all state lives in the owning SmtpServer."""

    def __init__(self, owner: "SmtpServer") -> None:
        self.owner = owner

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, mail_options: list[str]) -> str:
        if self.owner.auth and self.owner.require_auth and not session.authenticated:
            return "530 5.7.0 Authentication required"
        fault = self.owner._take_fault("MAIL")
        if fault:
            return fault
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        fault = self.owner._rejection(address) or self.owner._take_fault("RCPT")
        if fault:
            return fault
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        fault = self.owner._take_fault("DATA")
        if fault:
            return fault
        self.owner._record(session, envelope)
        return "250 2.0.0 Message accepted for delivery"


class SmtpServer:
    """Recording SMTP server on 127.0.0.1:<port>; start()/stop() reuse the port.

    ``auth=(user, password)`` enables AUTH PLAIN/LOGIN without TLS and, unless
    ``require_auth=False``, answers MAIL FROM with 530 before AUTH.
    ``starttls=True`` offers STARTTLS with a runtime self-signed certificate
    (trust it via ``client_tls_context()``).
    """

    host = HOST

    def __init__(self, *, port: int = 0, auth: tuple[str, str] | None = None,
                 require_auth: bool = True, starttls: bool = False,
                 require_starttls: bool = False, hostname: str = "smtp.test") -> None:
        self.port = port
        self.auth = auth
        self.require_auth = require_auth
        self.starttls = starttls
        self.require_starttls = require_starttls
        self.hostname = hostname
        self._cond = threading.Condition()
        self._messages: list[ReceivedMessage] = []
        self._faults: dict[str, deque[str]] = {"MAIL": deque(), "RCPT": deque(), "DATA": deque()}
        self._rejects: dict[str, str] = {}
        self._controller: Controller | None = None

    # ----------------------------------------------------------- lifecycle
    def __enter__(self) -> "SmtpServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> "SmtpServer":
        """Listen (again) on ``self.port``; picks a free port on first start."""
        if self._controller is not None:
            return self
        for attempt in range(3):
            pick = self.port == 0
            if pick:
                self.port = _free_port()
            try:
                self._controller = self._new_controller()
                self._controller.start()
                return self
            except OSError as exc:
                self._controller = None
                if not (pick and exc.errno == errno.EADDRINUSE) or attempt == 2:
                    raise
                self.port = 0
        raise AssertionError("unreachable")

    def stop(self) -> None:
        """Close the listener and open connections; recorded data is kept."""
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    def _new_controller(self) -> Controller:
        """A fresh Controller per start(): aiosmtpd closes its loop on stop()."""
        kwargs: dict[str, Any] = {"hostname": HOST, "port": self.port,
                                  "server_hostname": self.hostname}
        if self.auth:
            kwargs.update(authenticator=self._authenticate, auth_require_tls=False)
        if self.starttls:
            kwargs.update(tls_context=_server_tls_context(),
                          require_starttls=self.require_starttls)
        return Controller(_Handler(self), **kwargs)

    def _authenticate(self, server: SMTP, session: Session, envelope: Envelope,
                      mechanism: str, auth_data: Any) -> AuthResult:
        ok = (self.auth is not None and isinstance(auth_data, LoginPassword)
              and (auth_data.login.decode(), auth_data.password.decode()) == self.auth)
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    # ------------------------------------------------------ fault control
    def fail_next(self, n: int = 1, code: int = 451, text: str = "4.3.0 try again later",
                  stage: Stage = "DATA") -> None:
        """Answer the next ``n`` commands of ``stage`` with ``code text``.

        Queued: ``fail_next(1, 451)`` then ``fail_next(1, 554)`` fails the
        next two in that order.  For RCPT each recipient consumes one.
        """
        with self._cond:
            self._faults[stage].extend([f"{code} {text}"] * n)

    def reject_recipient(self, address: str, code: int = 550,
                         text: str = "5.1.1 no such user") -> None:
        """Permanently answer RCPT TO:<address> (case-insensitive) with an error."""
        with self._cond:
            self._rejects[address.lower()] = f"{code} {text}"

    def clear_faults(self) -> None:
        """Forget pending fail_next() answers and recipient rejections."""
        with self._cond:
            for queue in self._faults.values():
                queue.clear()
            self._rejects.clear()

    def _take_fault(self, stage: str) -> str | None:
        with self._cond:
            queue = self._faults[stage]
            return queue.popleft() if queue else None

    def _rejection(self, address: str) -> str | None:
        with self._cond:
            return self._rejects.get(address.lower())

    # ---------------------------------------------------------- recording
    def _record(self, session: Session, envelope: Envelope) -> None:
        data = envelope.original_content or b""
        auth_data = session.auth_data
        msg = ReceivedMessage(
            mail_from=envelope.mail_from or "", rcpt_tos=tuple(envelope.rcpt_tos),
            data=data, message_id=_message_id(data),
            auth_user=auth_data.login.decode() if isinstance(auth_data, LoginPassword) else None,
            tls=session.ssl is not None)
        with self._cond:
            self._messages.append(msg)
            self._cond.notify_all()

    @property
    def messages(self) -> list[ReceivedMessage]:
        """Snapshot (copy) of everything received so far, in arrival order."""
        with self._cond:
            return list(self._messages)

    def clear(self) -> None:
        """Forget recorded messages (faults are kept)."""
        with self._cond:
            self._messages.clear()

    def messages_by_message_id(self) -> dict[str | None, int]:
        """Message-ID -> how often it arrived; duplicates show up as count > 1."""
        return dict(Counter(m.message_id for m in self.messages))

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedMessage]:
        """Block until at least ``count`` messages arrived; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self._messages) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"expected {count} messages within {timeout}s, "
                                         f"got {len(self._messages)}")
                self._cond.wait(remaining)
            return list(self._messages)

    # --------------------------------------------------------------- TLS
    @staticmethod
    def client_tls_context() -> ssl.SSLContext:
        """Client context that trusts the test certificate (CN=localhost, IP 127.0.0.1)."""
        return ssl.create_default_context(cafile=str(_certificate()[0]))


_cert_lock = threading.Lock()
_cert_paths: tuple[Path, Path] | None = None


def _certificate() -> tuple[Path, Path]:
    """Self-signed (cert, key), generated once per process with ``openssl req``.

    The ``cryptography`` package is not a dependency, and one EC key per
    process keeps the cost (~10 ms) negligible.
    """
    global _cert_paths
    with _cert_lock:
        if _cert_paths is None:
            tmp = Path(tempfile.mkdtemp(prefix="idd-smtp-tls-"))
            atexit.register(shutil.rmtree, tmp, True)
            cert, key = tmp / "cert.pem", tmp / "key.pem"
            subprocess.run(
                ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                 "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                 "-subj", "/CN=localhost", "-addext",
                 "subjectAltName=DNS:localhost,IP:127.0.0.1",
                 "-keyout", str(key), "-out", str(cert)],
                check=True, capture_output=True, timeout=30)
            _cert_paths = (cert, key)
        return _cert_paths


def _server_tls_context() -> ssl.SSLContext:
    cert, key = _certificate()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx


def tls_available() -> str | None:
    """None if STARTTLS can be offered, else why not (no openssl binary)."""
    return None if shutil.which("openssl") else "openssl binary not found"
