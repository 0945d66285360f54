"""The production source: an IMAP mailbox (imapclient). TLS with certificate checks by
default; plain text only on loopback or when explicitly allowed. Messages are fetched in
bounded batches by UID and moved to Processed or Quarantine only after their outcome is
committed; the poller's key holds UIDVALIDITY so a renumbered mailbox is never mistaken
for the old one."""
from __future__ import annotations

import ipaddress
import socket
import ssl
from dataclasses import dataclass
from typing import Any, Iterator

import structlog
from imapclient import IMAPClient

from ingest.source import Fetched

log = structlog.get_logger(__name__)


class ImapConfigError(ValueError):
    """A setting that would make the connection unsafe or impossible."""


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    username: str
    password: str = ""
    oauth2_token: str = ""
    security: str = "tls"            # tls | starttls | plain
    allow_plain: bool = False        # plain text to a non-loopback host
    folder: str = "INBOX"
    processed_folder: str = "Processed"
    quarantine_folder: str = "Quarantine"
    max_bytes: int = 25 * 1024 * 1024
    timeout: float = 60.0
    ca_file: str = ""


def is_loopback(host: str) -> bool:
    try:
        return all(ipaddress.ip_address(info[4][0]).is_loopback
                   for info in socket.getaddrinfo(host, None))
    except (OSError, ValueError):
        return False


def connect(settings: ImapSettings) -> IMAPClient:
    if settings.security not in ("tls", "starttls", "plain"):
        raise ImapConfigError(f"source.imap.security {settings.security!r}: use tls, starttls or plain")
    if settings.security == "plain" and not (settings.allow_plain or is_loopback(settings.host)):
        raise ImapConfigError(f"refusing plain-text IMAP to {settings.host}: not a loopback address "
                              "(set source.imap.allow_plain = true to override)")
    context = ssl.create_default_context(cafile=settings.ca_file or None)
    client = IMAPClient(settings.host, port=settings.port, ssl=settings.security == "tls",
                        ssl_context=context, timeout=settings.timeout)
    if settings.security == "starttls":
        client.starttls(context)
    if settings.oauth2_token:
        client.oauth2_login(settings.username, settings.oauth2_token)
    else:
        client.login(settings.username, settings.password)
    return client


class ImapSource:
    def __init__(self, settings: ImapSettings, client: IMAPClient | None = None) -> None:
        self.settings = settings
        self.client = client or connect(settings)
        self.name = f"imap:{settings.username}@{settings.host}/{settings.folder}"
        self.uidvalidity = self._select()
        self._ensure_folders()

    def _select(self) -> int:
        info = self.client.select_folder(self.settings.folder)
        return int(info[b"UIDVALIDITY"])

    def _ensure_folders(self) -> None:
        for folder in (self.settings.processed_folder, self.settings.quarantine_folder):
            if not self.client.folder_exists(folder):
                self.client.create_folder(folder)
                log.info("imap.folder_created", folder=folder)

    def key(self, uid: int) -> str:
        return f"imap:{self.settings.folder}:{self.uidvalidity}:{uid}"

    def batches(self, size: int) -> Iterator[list[Fetched]]:
        uids = sorted(self.client.search(["UNDELETED"]))
        for start in range(0, len(uids), size):
            yield self._fetch(uids[start:start + size])

    def _fetch(self, uids: list[int]) -> list[Fetched]:
        sizes = {uid: int(data[b"RFC822.SIZE"]) for uid, data in
                 self.client.fetch(uids, ["RFC822.SIZE"]).items()}
        small = [uid for uid in uids if sizes.get(uid, 0) <= self.settings.max_bytes]
        bodies: dict[int, Any] = self.client.fetch(small, ["BODY.PEEK[]"]) if small else {}
        fetched = []
        for uid in uids:
            if uid not in sizes:
                continue  # expunged by someone else between SEARCH and FETCH
            raw = bodies.get(uid, {}).get(b"BODY[]") if uid in bodies else None
            fetched.append(Fetched(key=self.key(uid), raw=raw, size=sizes[uid]))
        return fetched

    def _uid(self, key: str) -> int | None:
        _, folder, validity, uid = key.rsplit(":", 3)
        if int(validity) != self.uidvalidity:
            log.warning("imap.uidvalidity_changed", key=key, now=self.uidvalidity)
            return None
        return int(uid)

    def _move(self, key: str, folder: str) -> None:
        uid = self._uid(key)
        if uid is None:
            return
        if self.client.has_capability("MOVE"):
            self.client.move([uid], folder)
        else:
            self.client.copy([uid], folder)
            self.client.delete_messages([uid])
            if self.client.has_capability("UIDPLUS"):
                self.client.uid_expunge([uid])
            else:
                self.client.expunge()

    def mark_processed(self, key: str) -> None:
        self._move(key, self.settings.processed_folder)

    def mark_quarantined(self, key: str) -> None:
        self._move(key, self.settings.quarantine_folder)

    def close(self) -> None:
        try:
            self.client.logout()
        except Exception:  # the connection may already be gone; nothing to save
            pass
