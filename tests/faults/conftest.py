"""Shared pieces of the fault tests: a desk configured on a real Dovecot mailbox."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.servers.dovecot import DovecotServer


def imap_tables(server: DovecotServer) -> dict[str, dict[str, Any]]:
    return {"source": {"kind": "imap", "batch_size": 25},
            "source.imap": {"host": server.host, "port": server.port, "security": "plain",
                            "username": server.user, "password": server.password}}


def numbered_report(n: int) -> bytes:
    """A realistic report; every seventh one is a follow-up to an earlier report's thread."""
    thread = f"In-Reply-To: <crash-{n - 7}@posbalikpapan.example>\r\n" if n % 7 == 0 and n > 7 else ""
    subject = f"Re: Ipos mati di loket {n - 7}" if thread else f"Ipos mati di loket {n}"
    return (f"From: Pelapor {n} <pelapor{n}@posbalikpapan.example>\r\n"
            f"To: servicedesk@posbalikpapan.example\r\nSubject: {subject}\r\n"
            f"Message-ID: <crash-{n}@posbalikpapan.example>\r\n{thread}"
            f"Date: Mon, 23 Nov 2026 08:{n % 60:02d}:00 +0800\r\n\r\n"
            f"Ipos di loket {n} tidak bisa dipakai sejak pagi.\r\n").encode()


def repo_root() -> Path:
    return Path(__file__).resolve().parents[2]
