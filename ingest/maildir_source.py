"""The embedded default source: a local Maildir (new/ and cur/), with Maildir++ subfolders
.Processed and .Quarantine. Works with no server, and with a Maildir that Postfix or
Dovecot delivers into."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

from ingest.source import Fetched


class MaildirSource:
    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = Path(root)
        self.name = f"maildir:{self.root}"
        self.max_bytes = max_bytes
        for folder in (self.root, self.root / ".Processed", self.root / ".Quarantine"):
            for sub in ("new", "cur", "tmp"):
                (folder / sub).mkdir(parents=True, exist_ok=True)

    def _waiting(self) -> list[Path]:
        files = [p for sub in ("new", "cur") for p in (self.root / sub).iterdir() if p.is_file()]
        return sorted(files, key=lambda p: (p.stat().st_mtime, p.name))

    @staticmethod
    def _key(path: Path) -> str:
        return "maildir:" + path.name.split(":", 1)[0]

    def batches(self, size: int) -> Iterator[list[Fetched]]:
        waiting = self._waiting()
        for start in range(0, len(waiting), size):
            yield [self._read(p) for p in waiting[start:start + size] if p.exists()]

    def _read(self, path: Path) -> Fetched:
        length = path.stat().st_size
        raw = path.read_bytes() if length <= self.max_bytes else None
        return Fetched(key=self._key(path), raw=raw, size=length)

    def _find(self, key: str) -> Path | None:
        stem = key.removeprefix("maildir:")
        for sub in ("new", "cur"):
            for path in (self.root / sub).glob(f"{stem}*"):
                if path.name.split(":", 1)[0] == stem:
                    return path
        return None

    def _move(self, key: str, folder: str) -> None:
        path = self._find(key)
        if path is not None:
            os.replace(path, self.root / folder / "cur" / path.name)

    def mark_processed(self, key: str) -> None:
        self._move(key, ".Processed")

    def mark_quarantined(self, key: str) -> None:
        self._move(key, ".Quarantine")

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
