"""Placeholder replaced by the full reply splitter."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reply:
    new: str
    quoted: str
    signature: str


def split_reply(text: str) -> Reply:
    return Reply(new=text.strip(), quoted="", signature="")
