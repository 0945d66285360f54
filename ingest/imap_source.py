"""The production source: an IMAP mailbox (imapclient). TLS with certificate checks by
default; plain text only on loopback or when explicitly allowed. Messages are fetched in
bounded batches by UID (sizes first, so an oversized message is never downloaded) and moved
to Processed or Quarantine only after their outcome is committed; the key holds UIDVALIDITY
so a renumbered mailbox is never mistaken for the old one."""
from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Sequence

import structlog
from imapclient import IMAPClient

from ingest.source import Fetched, chunks

log = structlog.get_logger(__name__)

SECURITY_MODES = ("tls", "starttls", "plain")
PIECE = 4 * 1024 * 1024                # larger messages are fetched in partial FETCHes of this size
# One IDLE lasts at most this long (RFC 2177 asks for less than the server's 29 minutes). Ending
# it also reads what the server said meanwhile: an EXISTS that came in one packet with the
# server's go-ahead sits in imaplib's buffer, unseen by idle_check, until then.
IDLE_CYCLE = 30.0
IDLE_CHECK = 1.0                       # seconds between looks at the stop flag while IDLE waits


class ImapConfigError(ValueError):
    """A setting that would make the connection unsafe or impossible."""


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    username: str
    password: str = field(default="", repr=False)
    oauth2_token: str = field(default="", repr=False)
    security: str = "tls"            # tls | starttls | plain
    allow_plain: bool = False        # plain text to a non-loopback host
    folder: str = "INBOX"
    processed_folder: str = "Processed"
    quarantine_folder: str = "Quarantine"
    max_bytes: int = 25 * 1024 * 1024
    batch_bytes: int = 16 * 1024 * 1024
    timeout: float = 60.0
    ca_file: str = ""


def is_loopback(host: str) -> bool:
    """True only when every address the name resolves to is a loopback address."""
    try:
        infos = socket.getaddrinfo(host, None)
        return bool(infos) and all(ipaddress.ip_address(info[4][0]).is_loopback for info in infos)
    except (OSError, ValueError):
        return False


def check_security(settings: ImapSettings) -> None:
    """Refuse, before any byte is sent, a connection that would expose the password."""
    if settings.security not in SECURITY_MODES:
        raise ImapConfigError(f"source.imap.security {settings.security!r}: use tls, starttls or plain")
    if settings.security == "plain" and not (settings.allow_plain or is_loopback(settings.host)):
        raise ImapConfigError(f"refusing plain-text IMAP to {settings.host}: not a loopback address "
                              "(use security = \"tls\" or \"starttls\"; or set "
                              "source.imap.allow_plain = true if the network is trusted)")
    if not settings.password and not settings.oauth2_token:
        raise ImapConfigError("source.imap: no password (INCIDENTDESK_IMAP_PASSWORD) and no "
                              "OAuth2 token (INCIDENTDESK_IMAP_OAUTH2_TOKEN)")


def tls_context(settings: ImapSettings) -> ssl.SSLContext:
    """Certificates and host names verified (the default context), optionally against a
    private CA bundle."""
    return ssl.create_default_context(cafile=settings.ca_file or None)


def connect(settings: ImapSettings) -> IMAPClient:
    check_security(settings)
    context = tls_context(settings) if settings.security != "plain" else None
    client = IMAPClient(settings.host, port=settings.port, ssl=settings.security == "tls",
                        ssl_context=context, timeout=settings.timeout)
    try:
        if settings.security == "starttls":
            client.starttls(context)
        authenticate(client, settings)
    except BaseException:
        client.shutdown()
        raise
    log.info("imap.connected", host=settings.host, security=settings.security,
             auth="xoauth2" if settings.oauth2_token else "login")
    return client


def authenticate(client: Any, settings: ImapSettings) -> None:
    """XOAUTH2 when a token is configured (Microsoft 365, Google), else LOGIN."""
    if settings.oauth2_token:
        client.oauth2_login(settings.username, settings.oauth2_token)
    else:
        client.login(settings.username, settings.password)


class ImapSource:
    def __init__(self, settings: ImapSettings, client: IMAPClient | None = None) -> None:
        self.settings = settings
        self.client = client or connect(settings)
        self.name = f"imap:{settings.username}@{settings.host}/{settings.folder}"
        self.uidvalidity = self._select()
        self._ensure_folders()
        self._seen: set[int] = set()  # UIDs the last poll found (some may stay: tried again later)

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
        self._seen = set(uids)
        for start in range(0, len(uids), size):
            yield from self._fetch(uids[start:start + size])

    def _fetch(self, uids: list[int]) -> Iterator[list[Fetched]]:
        """Sizes of the whole batch first; then the bodies of those within the limit, in
        FETCHes of at most batch_bytes each (a message over PIECE alone, in pieces); over
        the limit: not fetched at all, recorded by size."""
        sizes = {uid: int(data[b"RFC822.SIZE"])
                 for uid, data in self.client.fetch(uids, ["RFC822.SIZE"]).items()}
        present = [uid for uid in uids if uid in sizes]  # others expunged since the SEARCH
        limit = self.settings.max_bytes
        loaded = ((uid, sizes[uid] if sizes[uid] <= limit else 0) for uid in present)
        for group in chunks(loaded, len(present) or 1, self.settings.batch_bytes):
            small = [uid for uid in group if sizes[uid] <= min(PIECE, limit)]
            wanted = [uid for uid in group if PIECE < sizes[uid] <= limit]
            bodies: dict[int, Any] = self.client.fetch(small, ["BODY.PEEK[]"]) if small else {}
            raws = {uid: _body(bodies.get(uid)) for uid in small if uid in bodies}
            del bodies
            raws.update((uid, self._fetch_in_pieces(uid, sizes[uid])) for uid in wanted)
            yield [Fetched(key=self.key(uid), raw=raws.get(uid), size=sizes[uid])
                   for uid in group if raws.get(uid) is not None or sizes[uid] > limit]
            del raws

    def _fetch_in_pieces(self, uid: int, size: int) -> bytes | None:
        """A large message in partial FETCHes: imaplib holds a literal about three times
        while reading it; in pieces the whole is held twice at most (pieces, then joined)."""
        pieces = []
        for offset in range(0, size, PIECE):
            data = self.client.fetch([uid], [f"BODY.PEEK[]<{offset}.{PIECE}>"]).get(uid) or {}
            piece = data.get(f"BODY[]<{offset}>".encode())
            if piece is None:
                return None  # expunged meanwhile
            pieces.append(piece)
        return b"".join(pieces)

    def _uids(self, keys: Sequence[str]) -> list[int]:
        """UIDs of keys from this session's UIDVALIDITY; others name messages that no longer
        exist under that number (the next poll sees them again, the dedup key makes them
        duplicates)."""
        uids = []
        for key in keys:
            _, _folder, validity, uid = key.rsplit(":", 3)
            if int(validity) == self.uidvalidity:
                uids.append(int(uid))
            else:
                log.warning("imap.uidvalidity_changed", key=key, now=self.uidvalidity)
        return uids

    def _move(self, keys: Sequence[str], folder: str) -> None:
        uids = self._uids(keys)
        if not uids:
            return
        if self.client.has_capability("MOVE"):
            self.client.move(uids, folder)
            return
        self.client.copy(uids, folder)
        self.client.delete_messages(uids)
        if self.client.has_capability("UIDPLUS"):
            self.client.uid_expunge(uids)
        else:
            self.client.expunge()

    def mark_processed(self, keys: Sequence[str]) -> None:
        self._move(keys, self.settings.processed_folder)

    def mark_quarantined(self, keys: Sequence[str]) -> None:
        self._move(keys, self.settings.quarantine_folder)

    def wait(self, timeout: float, should_stop: Callable[[], bool]) -> bool:
        """IMAP IDLE (RFC 2177): the server says EXISTS as mail arrives, and the poll runs at
        once. IDLE is re-issued before the server would drop it; a server without IDLE is
        looked at again when the timeout has passed. A dropped connection raises (the
        service reconnects with backoff)."""
        deadline = time.monotonic() + timeout
        if not self.client.has_capability("IDLE"):
            while not should_stop() and time.monotonic() < deadline:
                time.sleep(min(IDLE_CHECK, max(deadline - time.monotonic(), 0)))
            return False
        while not should_stop() and time.monotonic() < deadline:
            if self._unseen():
                return True
            if self._idle_once(min(deadline, time.monotonic() + IDLE_CYCLE), should_stop):
                return True
        return False

    def _unseen(self) -> bool:
        """Mail the last poll did not see. A message delivered while a command runs is
        announced with that command's answer (imapclient keeps such announcements to
        itself), so between IDLEs the folder is searched once: nothing waits longer than
        IDLE_CYCLE, however the announcements fell."""
        return bool(set(self.client.search(["UNDELETED"])) - self._seen)

    def _idle_once(self, until: float, should_stop: Callable[[], bool]) -> bool:
        self.client.idle()
        news = False
        try:
            while not news and not should_stop() and time.monotonic() < until:
                check = min(IDLE_CHECK, max(until - time.monotonic(), 0.01))
                news = any(_news(response) for response in self.client.idle_check(timeout=check))
        finally:
            _, said = self.client.idle_done()
        return news or any(_news(response) for response in said)

    def close(self) -> None:
        try:
            self.client.logout()
        except Exception:  # the connection may already be gone; nothing to save
            pass


def _news(response: Any) -> bool:
    """An untagged EXISTS or RECENT during IDLE: something was delivered."""
    return isinstance(response, tuple) and len(response) > 1 and response[1] in (b"EXISTS", b"RECENT")


def _body(data: Any) -> bytes | None:
    if not data:
        return None
    raw = data.get(b"BODY[]")
    return bytes(raw) if raw is not None else None
