"""The embedded default transport: each mail becomes an .eml file in a folder."""
from __future__ import annotations

import os
import re
from pathlib import Path


class FileTransport:
    """Writes `<outbox id>-<kind>.eml` atomically (tmp + rename), so a crash never leaves a
    half-written mail and a resend of the same row overwrites instead of doubling."""

    name = "files"

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def send(self, row_id: int, kind: str, recipient: str, raw: bytes) -> None:
        safe_kind = re.sub(r"[^a-z0-9_-]", "", kind.lower()) or "mail"
        final = self.folder / f"{row_id:08d}-{safe_kind}.eml"
        tmp = final.with_suffix(".tmp")
        tmp.write_bytes(raw)
        os.replace(tmp, final)
