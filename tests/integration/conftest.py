"""Fixtures shared by the integration tests (the suite-wide ones are in tests/conftest.py)."""
from __future__ import annotations

from typing import Any, Callable

import pytest

from app.runtime import Runtime
from tests.conftest import Clock, RuntimeFactory
from tests.integration.agent_support import SECRET, Desk
from tests.integration.imap_support import imap_tables
from tests.servers.dovecot import DovecotServer


@pytest.fixture
def imap_runtime_factory(runtime_factory: RuntimeFactory, dovecot: DovecotServer) -> Callable[..., Runtime]:
    """Migrated desks polling the test's Dovecot, the `source` keys (and `imap=` keys) as given."""
    def make(**source: Any) -> Runtime:
        return runtime_factory(imap_tables(dovecot, **source))
    return make


@pytest.fixture
def desk(runtime_factory: RuntimeFactory, clock: Clock) -> Desk:
    """The rules of workflow.inbound on a migrated database, with the desk secret the tests'
    reply tokens are minted with."""
    return Desk(runtime_factory({"desk": {"secret": SECRET}}), clock)
