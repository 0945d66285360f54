"""Helpers of the tests against a real Dovecot: a desk's IMAP configuration, a numbered
report, one poll of the configured source (the `imap_runtime_factory` fixture is in
tests/integration/conftest.py)."""
from __future__ import annotations

from typing import Any

from app.poll import poll
from app.runtime import Runtime
from app.wiring import make_source
from tests.servers.dovecot import DovecotServer


def imap_tables(server: DovecotServer, **source: Any) -> dict[str, dict[str, Any]]:
    imap = {"host": server.host, "port": server.port, "security": "plain",
            "username": server.user, "password": server.password}
    imap.update(source.pop("imap", {}))
    return {"source": {"kind": "imap", **source}, "source.imap": imap}


def report(n: int, size: int = 0) -> bytes:
    padding = ("x" * 70 + "\r\n") * (size // 72)
    return (f"From: Pelapor {n} <pelapor{n}@posbalikpapan.example>\r\n"
            f"To: servicedesk@posbalikpapan.example\r\nSubject: Ipos mati di loket {n}\r\n"
            f"Message-ID: <imap-{n}@posbalikpapan.example>\r\nDate: Mon, 23 Nov 2026 08:{n % 60:02d}:00 +0800\r\n"
            f"\r\nIpos di loket {n} tidak bisa dipakai.\r\n{padding}").encode()


def run_poll(rt: Runtime) -> Any:
    source = make_source(rt.settings)
    try:
        return poll(rt, source)
    finally:
        source.close()
