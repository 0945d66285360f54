"""pytest plugin with real-server fixtures (``-p tests.servers.fixtures``).

Fixtures:

* ``dovecot`` -- a started :class:`DovecotServer` (user ``desk``/``secret``).
  **Function scope**: measured on Dovecot 2.3.19.1 a start (config, spawn,
  first successful LOGIN) takes ~0.07-0.1 s (max 0.11 s) and a stop ~0.05 s
  on average (max ~0.35 s), well below the 0.5 s budget, so every test gets
  its own server, temp dir and port: an empty INBOX, no state leaking
  between tests, and xdist/parallel runs just work.
* ``dovecot_factory`` -- ``make(users={...}, separator="/")`` for extra or
  differently configured servers; all are stopped after the test.
* ``smtp_server`` -- a started :class:`SmtpServer` (no AUTH, no TLS).
* ``smtp_server_factory`` -- ``make(auth=(u, p), starttls=True, ...)``.
* ``kannel`` -- a started :class:`KannelServer` (bearerbox + smsbox, Kannel's fake SMSC as
  the operator side; sendsms user ``desk``/``sms-secret``). Function scope: ~0.5 s a start.
* ``kannel_factory`` -- ``make(refuse_regex="^\\+62999")`` for a gateway whose lists refuse numbers.

Skipping policy: if a server cannot be started (binary missing, not root,
Dovecot 2.4 ...) the fixture skips with the reason -- unless
``INCIDENTDESK_REQUIRE_SERVERS=1`` is set, then it fails, so CI can never
go green by silently skipping the integration tests.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any, NoReturn

import pytest

from tests.servers.dovecot import DovecotError, DovecotServer, dovecot_available, dovecot_version
from tests.servers.kannel import KannelError, KannelServer, kannel_available
from tests.servers.smtp import SmtpServer, tls_available

REQUIRE_ENV = "INCIDENTDESK_REQUIRE_SERVERS"


def servers_required() -> bool:
    """True when CI demands real servers (skips become failures)."""
    return os.environ.get(REQUIRE_ENV, "").strip() == "1"


def server_unavailable(reason: str) -> NoReturn:
    """Skip, or fail when INCIDENTDESK_REQUIRE_SERVERS=1."""
    if servers_required():
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1 forbids skipping)", pytrace=False)
    pytest.skip(reason)


def pytest_report_header(config: pytest.Config) -> str:
    """Show in every run which real servers are usable, and why not."""
    reason = dovecot_available()
    status = "usable" if reason is None else f"UNAVAILABLE: {reason}"
    return (f"test servers: dovecot {dovecot_version() or '-'} {status}; "
            f"{REQUIRE_ENV}={os.environ.get(REQUIRE_ENV, '')!r}")


@pytest.fixture
def dovecot_factory() -> Iterator[Callable[..., DovecotServer]]:
    """Start DovecotServer(**kwargs) on demand; stop all at teardown."""
    started: list[DovecotServer] = []

    def make(**kwargs: Any) -> DovecotServer:
        reason = dovecot_available()
        if reason is not None:
            server_unavailable(reason)
        server = DovecotServer(**kwargs)
        started.append(server)
        try:
            return server.start()
        except DovecotError as exc:
            server_unavailable(f"Dovecot failed to start: {exc}")

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def dovecot(dovecot_factory: Callable[..., DovecotServer]) -> DovecotServer:
    """A fresh Dovecot (user desk/secret, empty INBOX) for this test only."""
    return dovecot_factory()


@pytest.fixture
def smtp_server_factory() -> Iterator[Callable[..., SmtpServer]]:
    """Start SmtpServer(**kwargs) on demand; stop all at teardown."""
    started: list[SmtpServer] = []

    def make(**kwargs: Any) -> SmtpServer:
        if kwargs.get("starttls") and (reason := tls_available()):
            server_unavailable(reason)
        server = SmtpServer(**kwargs)
        started.append(server)
        try:
            return server.start()
        except (OSError, RuntimeError) as exc:
            server_unavailable(f"SMTP test server failed to start: {exc!r}")

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def smtp_server(smtp_server_factory: Callable[..., SmtpServer]) -> SmtpServer:
    """A started recording SMTP server without AUTH/TLS, for this test only."""
    return smtp_server_factory()


@pytest.fixture
def kannel_factory() -> Iterator[Callable[..., KannelServer]]:
    """Start KannelServer(**kwargs) on demand; stop all at teardown."""
    started: list[KannelServer] = []

    def make(**kwargs: Any) -> KannelServer:
        reason = kannel_available()
        if reason is not None:
            server_unavailable(reason)
        server = KannelServer(**kwargs)
        started.append(server)
        try:
            return server.start()
        except KannelError as exc:
            server_unavailable(f"Kannel failed to start: {exc}")

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def kannel(kannel_factory: Callable[..., KannelServer]) -> KannelServer:
    """A fresh Kannel gateway with its fake SMSC, for this test only."""
    return kannel_factory()
