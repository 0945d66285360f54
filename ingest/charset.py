"""Bytes and header values to text, whatever the sender's client declared.

Mail lies about its charset: Outlook labels windows-1252 as iso-8859-1, scripts send raw
UTF-8 with no label or as us-ascii, and some labels are invented. The rules here follow what
browsers settled on (WHATWG Encoding): latin-1 and ascii labels mean windows-1252, and an
unknown or wrong label falls back to UTF-8, then windows-1252, never to an exception."""
from __future__ import annotations

import codecs
import re
from email.header import decode_header, make_header
from typing import Any

# labels that in practice mean windows-1252 (WHATWG maps all of these to it)
_CP1252_LABELS = frozenset({"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "iso_8859-1",
                            "us-ascii", "ascii", "ansi_x3.4-1968", "cp819", "windows-1252",
                            "cp1252", "x-cp1252"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f]+")
_FOLD = re.compile(r"\r?\n(?=[ \t])")


def decode_bytes(data: bytes, label: str | None) -> tuple[str, str | None]:
    """(text, defect or None). Never raises."""
    name = _codec(label)
    if name is None and label:
        text, _ = _guess(data)
        return text, f"unknown charset {label[:40]!r}"
    if name in (None, "cp1252") and _is_utf8(data):
        return data.decode("utf-8"), None     # undeclared or mislabelled UTF-8
    try:
        return data.decode(name or "cp1252"), None
    except UnicodeDecodeError:
        text, how = _guess(data)
        return text, f"body not valid {label or 'text'}; read as {how}"


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip('"').lower()
    if label in _CP1252_LABELS:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _is_utf8(data: bytes) -> bool:
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _guess(data: bytes) -> tuple[str, str]:
    if _is_utf8(data) or data.isascii():
        return data.decode("utf-8"), "utf-8"
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined
        return data.decode("latin-1"), "latin-1"


def header_text(value: Any) -> str:
    """A header value as one clean line of text: RFC 2047 words decoded, raw 8-bit bytes
    (RFC 6532 UTF-8, or a legacy charset) read as text, CR/LF and NULs removed so nothing
    copied from it can add a header to a reply."""
    if value is None:
        return ""
    text = unescape_8bit(str(value))
    if "=?" in text:
        text = decode_words(text)
    return one_line(text)


def unescape_8bit(text: str) -> str:
    """The email package keeps raw 8-bit header bytes as surrogate escapes: read them as
    UTF-8 (RFC 6532), else Windows-1252."""
    if text.isascii() or not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    return _guess(text.encode("ascii", "surrogateescape"))[0]


def decode_words(text: str) -> str:
    """Decode RFC 2047 encoded words; malformed ones stay as they are."""
    try:
        return str(make_header(decode_header(text)))
    except (UnicodeError, LookupError, ValueError, AssertionError):
        return text


def one_line(text: str) -> str:
    """Unfold (RFC 5322: CRLF before white space goes), then any other control character
    or line break becomes a space."""
    return _LINE_BREAKS.sub(" ", _FOLD.sub("", text)).strip()


def clean_text(text: str) -> str:
    """Body text fit for the database and for quoting: no NULs or control characters
    other than tab and newline, LF line endings."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)
