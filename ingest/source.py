"""What a mailbox source gives the poller, whatever the protocol behind it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Protocol


@dataclass(frozen=True)
class Fetched:
    """One message. `key` is stable across restarts (mailbox, UIDVALIDITY, UID for IMAP);
    `raw` is None when the message is over the size limit and was not loaded."""

    key: str
    raw: bytes | None
    size: int


class MailSource(Protocol):
    name: str

    def batches(self, size: int) -> Iterator[list[Fetched]]:
        """The messages waiting now, in bounded batches, oldest first."""
        ...

    def mark_processed(self, key: str) -> None:
        """Move the message out of the way once its outcome is committed."""
        ...

    def mark_quarantined(self, key: str) -> None:
        ...

    def close(self) -> None:
        ...
