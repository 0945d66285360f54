"""The embedded default source: a local Maildir (new/ and cur/), with Maildir++ subfolders
.Processed and .Quarantine. Works with no server, and with a Maildir that Postfix or
Dovecot delivers into."""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable, Iterator, Sequence

from ingest.source import Fetched, chunks

DEFAULT_BATCH_BYTES = 16 * 1024 * 1024


LOOK_EVERY = 1.0  # seconds: a local folder is cheap to look at


class MaildirSource:
    uidvalidity: int | None = None

    def __init__(self, root: Path, max_bytes: int, batch_bytes: int = DEFAULT_BATCH_BYTES) -> None:
        self.root = Path(root)
        self.name = f"maildir:{self.root}"
        self.max_bytes = max_bytes
        self.batch_bytes = batch_bytes
        self._paths: dict[str, Path] = {}  # key -> file read in this poll, so a move needs no search
        for folder in (self.root, self.root / ".Processed", self.root / ".Quarantine"):
            for sub in ("new", "cur", "tmp"):
                (folder / sub).mkdir(parents=True, exist_ok=True)

    def _waiting(self) -> list[tuple[Path, int]]:
        found = []
        for sub in ("new", "cur"):
            for entry in os.scandir(self.root / sub):
                if entry.is_file():
                    stat = entry.stat()
                    found.append((stat.st_mtime, entry.name, Path(entry.path), stat.st_size))
        found.sort()
        return [(path, self._loaded_size(size)) for _, _, path, size in found]

    def _loaded_size(self, size: int) -> int:
        return size if size <= self.max_bytes else 0  # over the limit: never read

    @staticmethod
    def _key(path: Path) -> str:
        return "maildir:" + path.name.split(":", 1)[0]

    def batches(self, size: int) -> Iterator[list[Fetched]]:
        for group in chunks(self._waiting(), size, self.batch_bytes):
            yield [fetched for fetched in map(self._read, group) if fetched is not None]

    def _read(self, path: Path) -> Fetched | None:
        try:
            length = path.stat().st_size
            raw = path.read_bytes() if length <= self.max_bytes else None
        except FileNotFoundError:  # moved by another poller since the listing
            return None
        key = self._key(path)
        self._paths[key] = path
        return Fetched(key=key, raw=raw, size=length)

    def _find(self, key: str) -> Path | None:
        stem = key.removeprefix("maildir:")
        for sub in ("new", "cur"):
            for path in (self.root / sub).glob(f"{stem}*"):
                if path.name.split(":", 1)[0] == stem:
                    return path
        return None

    def _move(self, key: str, folder: str) -> None:
        path = self._paths.pop(key, None)
        if path is None or not path.exists():
            path = self._find(key)
        if path is not None:
            try:
                os.replace(path, self.root / folder / "cur" / path.name)
            except FileNotFoundError:  # another poller moved it first
                pass

    def mark_processed(self, keys: Sequence[str]) -> None:
        for key in keys:
            self._move(key, ".Processed")

    def mark_quarantined(self, keys: Sequence[str]) -> None:
        for key in keys:
            self._move(key, ".Quarantine")

    def wait(self, timeout: float, should_stop: Callable[[], bool]) -> bool:
        """Look at new/ every second: delivery into a Maildir is a rename, seen at once."""
        deadline = time.monotonic() + timeout
        while not should_stop():
            if any(True for _ in os.scandir(self.root / "new")):
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(LOOK_EVERY, left))
        return False

    def close(self) -> None:
        pass


def deliver(root: Path, raw: bytes, name: str) -> Path:
    """Put a message into the Maildir the way an MDA does (tmp/ then rename into new/)."""
    for sub in ("new", "cur", "tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    tmp = root / "tmp" / name
    tmp.write_bytes(raw)
    final = root / "new" / name
    os.replace(tmp, final)
    return final
