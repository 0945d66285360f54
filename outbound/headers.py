"""Header values the desk writes: cleaned of anything that could start a new header, encoded
per RFC 2047 when not ASCII, folded at 78 columns.

Why our own encoder: Python 3.11's email folder sometimes emits an empty encoded-word
(`=?utf-8?q??=`, invalid RFC 2047) or adds/drops a space when it folds non-ASCII text, in
about one Indonesian subject in twelve. Subjects and names are what reporters read first, so
the desk encodes them itself: plain ASCII words stay readable (the ticket tag `[INC-000042]`
stays greppable), the rest becomes base64 encoded-words of whole characters, and a decoder
gets back exactly the text that was encoded."""
from __future__ import annotations

import base64
import re
from email.utils import quote

MAX_LINE = 78                 # RFC 5322 recommended line length
_ENCODED_WORD_BYTES = 42      # -> 56 base64 chars, a 68-char encoded-word: "Reply-To: " + one fits 78
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")
_MESSAGE_ID = re.compile(r"<[!-;=?-~]{1,250}@[!-;=?-~]{1,250}>")   # printable, no < > or space
_ATOM_TEXT = re.compile(r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+")   # atext and spaces


def clean(text: str) -> str:
    """One line of text: control characters and line breaks become spaces, runs of white
    space one space. A reporter's subject or name can never start a header of its own."""
    return " ".join(_CONTROL.sub(" ", text or "").split())


def _is_plain(word: str) -> bool:
    return word.isascii() and word.isprintable() and "=?" not in word and len(word) <= 900


def encoded_words(text: str) -> list[str]:
    """`text` as base64 encoded-words, each of whole characters and at most 75 long. A word
    ends after a space where one is near: decoders that wrongly keep the white space between
    encoded-words (Python's address parser does) then show a double space, not a split word."""
    chunks, chunk = [], ""
    for char in text:
        if len((chunk + char).encode("utf-8")) > _ENCODED_WORD_BYTES:
            cut = chunk.rfind(" ") + 1
            cut = cut if cut > len(chunk) // 2 else len(chunk)
            chunks.append(chunk[:cut])
            chunk = chunk[cut:]
        chunk += char
    if chunk:
        chunks.append(chunk)
    return [f"=?utf-8?b?{base64.b64encode(c.encode('utf-8')).decode('ascii')}?=" for c in chunks]


def unstructured(text: str) -> list[str]:
    """Tokens of a Subject-like value: leading plain words as they are, everything from the
    first word that is not plain ASCII as encoded-words (white space between encoded-words
    is dropped by decoders, so the encoded part carries its own spaces)."""
    words = clean(text).split(" ")
    plain: list[str] = []
    for index, word in enumerate(words):
        if not _is_plain(word):
            rest = " ".join(words[index:])
            return plain + encoded_words(rest)
        plain.append(word)
    return [w for w in plain if w]


def display_name(name: str) -> list[str]:
    """Tokens of a mailbox display name: a quoted string when ASCII, else encoded-words."""
    name = clean(name)
    if not name:
        return []
    if "=?" in name or not name.isascii():   # "=?" would read as an encoded-word: encode it
        return encoded_words(name)
    return [name] if _ATOM_TEXT.fullmatch(name) else [f'"{quote(name)}"']


def mailbox(name: str, address: str) -> list[str]:
    """Tokens of `Name <address>` (or the bare address without a name)."""
    tokens = display_name(name)
    return tokens + [f"<{address}>"] if tokens else [address]


def fold(name: str, tokens: list[str]) -> str:
    """Join tokens with single spaces, breaking lines between tokens to stay within 78
    columns where a token allows it. The result has no CR or LF other than the folds."""
    lines: list[str] = []
    line = f"{name}:"
    for token in tokens:
        if len(line) + 1 + len(token) > MAX_LINE and line.strip() != f"{name}:":
            lines.append(line)
            line = ""
        line = f"{line} {token}"
    lines.append(line)
    return "\r\n".join(lines)[len(name) + 2:]


def valid_message_id(value: str | None) -> str | None:
    """`value` when it is a well-formed Message-ID we can repeat in References, else None:
    a reporter's header is never copied into ours unchecked."""
    value = (value or "").strip()
    return value if _MESSAGE_ID.fullmatch(value) else None
