"""What a mailbox source gives the poller, whatever the protocol behind it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Protocol, Sequence, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Fetched:
    """One message. `key` is stable across restarts (mailbox, UIDVALIDITY, UID for IMAP);
    `raw` is None when the message is over the size limit and was not loaded."""

    key: str
    raw: bytes | None
    size: int


class MailSource(Protocol):
    name: str

    @property
    def uidvalidity(self) -> int | None:
        """IMAP: the folder's UIDVALIDITY at connect time (the poller records it per mailbox
        and logs a change); None for sources without one (Maildir). Read-only here, so a
        source whose value is always known (ImapSource: int) matches the protocol."""
        ...

    def batches(self, size: int) -> Iterator[list[Fetched]]:
        """The messages waiting now, oldest first, in batches of at most `size` messages
        and (except for one larger message alone) the source's byte budget."""
        ...

    def mark_processed(self, keys: Sequence[str]) -> None:
        """Move these messages to Processed once their outcomes are committed: one command
        for the lot where the protocol allows (an IMAP MOVE costs as much for one message as
        for a hundred). A message already gone is not an error."""
        ...

    def mark_quarantined(self, keys: Sequence[str]) -> None:
        ...

    def wait(self, timeout: float, should_stop: Callable[[], bool]) -> bool:
        """Block until new mail may be waiting (True), or `timeout` seconds passed or
        `should_stop` said so (False). `should_stop` is asked about once a second, so a
        shutdown or a lost lease never waits for the timeout."""
        ...

    def close(self) -> None:
        ...


def chunks(items: Iterable[tuple[T, int]], max_count: int, max_bytes: int) -> Iterator[list[T]]:
    """(item, size) pairs grouped so that a group holds at most `max_count` items and at
    most `max_bytes` bytes; an item larger than `max_bytes` forms a group alone. This is what
    keeps the poller's memory flat however large the mailbox or its messages are."""
    group: list[T] = []
    total = 0
    for item, size in items:
        if group and (len(group) >= max_count or total + size > max_bytes):
            yield group
            group, total = [], 0
        group.append(item)
        total += size
    if group:
        yield group
