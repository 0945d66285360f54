"""Benchmark: html_to_text and split_reply on big and hostile bodies.

Prints seconds per input and the ratio of a 2x input's time to the 1x time (about 2 for
linear work; 4 would mean quadratic). Usage: .venv/bin/python bench/text_parsing.py"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.html_text import html_to_text  # noqa: E402
from ingest.quotes import split_reply  # noqa: E402

REPLIES = Path(__file__).resolve().parents[1] / "tests" / "data" / "replies"
HTML_UNITS = {"<a ": "unclosed-a", "<!--": "unclosed-comments", "<blockquote>teks ": "deep-quotes",
              "<li>butir": "unclosed-items", "<td>sel": "cells", "<div a='x": "unclosed-attribute"}
TEXT_UNITS = {"Baris biasa dari pelapor tentang Ipos.\n": "prose", "From: Budi\n\n\n": "lonely-fields",
              "> quoted\n": "all-quoted", "On Mon, 3 Nov 2025 Budi wrote:\n> q\nanswer\n": "inline-answers"}


def sized(unit: str, size: int) -> str:
    return unit * (size // len(unit) + 1)


def seconds(fn, value: str) -> float:  # type: ignore[no-untyped-def]
    started = time.process_time()
    fn(value)
    return time.process_time() - started


def row(label: str, fn, unit: str, size: int) -> None:  # type: ignore[no-untyped-def]
    one, two = seconds(fn, sized(unit, size)), seconds(fn, sized(unit, 2 * size))
    print(f"{label:<40} {size / 1e6:>4.1f} MB {one:7.3f} s   2x input: {two / max(one, 1e-9):4.1f}x time")


def main() -> None:
    print("html_to_text, realistic replies")
    for path in sorted(REPLIES.glob("*.html")):
        row(path.name, html_to_text, path.read_text(encoding="utf-8"), 5_000_000)
    print("html_to_text, hostile markup")
    for unit, name in HTML_UNITS.items():
        row(name, html_to_text, unit, 1_000_000)
    print("split_reply")
    for unit, name in TEXT_UNITS.items():
        row(name, split_reply, unit, 1_000_000)


if __name__ == "__main__":
    main()
