"""Bytes and header values to text, whatever the sender's client declared.

Mail lies about its charset: Outlook labels windows-1252 as iso-8859-1, Chinese clients label
GBK as gb2312, Korean ones send cp949 as ks_c_5601-1987, scripts send raw UTF-8 with no label
or as us-ascii, and some labels are invented. Labels are read the way browsers settled on
(WHATWG Encoding): each names the superset its senders really use. Mislabelled UTF-8 is read
as UTF-8; bytes with no label, an unknown one or a wrong one are detected (ingest/detect.py),
then Windows-1252; never an exception."""
from __future__ import annotations

import base64
import binascii
import codecs
import re
from typing import Any, Iterable

from ingest.detect import detect_charset

# Python's codec for a label -> the codec WHATWG decodes that label with (the superset)
_SUPERSET = {
    "gb2312": "gb18030", "gbk": "gb18030", "euc_kr": "cp949", "shift_jis": "cp932",
    "big5": "big5hkscs", "tis-620": "cp874", "iso8859-11": "cp874", "iso8859-9": "cp1254",
    "iso8859-1": "cp1252", "ascii": "cp1252",
}
# WHATWG labels Python does not know
_LABELS = {
    "x-gbk": "gb18030", "csgb2312": "gb18030", "gb_2312-80": "gb18030", "iso-ir-58": "gb18030",
    "csiso58gb231280": "gb18030", "windows-936": "gb18030",
    "windows-949": "cp949", "ksc5601": "cp949", "csksc56011987": "cp949", "iso-ir-149": "cp949",
    "x-sjis": "cp932", "windows-31j": "cp932", "csshiftjis": "cp932", "ms_kanji": "cp932",
    "cn-big5": "big5hkscs", "csbig5": "big5hkscs", "x-x-big5": "big5hkscs",
    "windows-874": "cp874", "dos-874": "cp874",
    "x-euc-jp": "euc_jp", "cseucpkdfmtjapanese": "euc_jp",
    "x-cp1252": "cp1252", "x-cp1250": "cp1250", "x-cp1251": "cp1251",
    "unicode-1-1-utf-8": "utf-8", "unicode11utf8": "utf-8", "unicode20utf8": "utf-8",
    "x-unicode20utf8": "utf-8", "iso-8859-8-i": "iso8859-8", "x-mac-roman": "mac-roman",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f]+")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
# RFC 2047 encoded word, as leniently as the standard library reads it (no white space needed
# around it; the charset may carry an RFC 2231 language, "utf-8*id")
_ENCODED_WORD = re.compile(r"=\?([^?\s]*)\?([qQbB])\?(.*?)\?=")


def decode_bytes(data: bytes, label: str | None) -> tuple[str, str | None]:
    """(text, defect or None). Never raises."""
    name = codec_for(label)
    if name is None and label:
        text, _ = _guess(data)
        return text, f"unknown charset {label[:40]!r}"
    if name in (None, "cp1252") and _is_utf8(data):
        return data.decode("utf-8"), None     # undeclared or mislabelled UTF-8
    if name is None:                          # no label: ASCII, else detected
        return (data.decode("ascii"), None) if data.isascii() else (_guess(data)[0], None)
    try:
        return data.decode(name), None
    except (UnicodeError, LookupError):
        text, how = _guess(data)
        return text, f"body not valid {label or 'text'}; read as {how}"


def codec_for(label: str | None) -> str | None:
    """The Python codec a charset label is read with (WHATWG's superset), None when the
    label is missing or names no text encoding."""
    if not label:
        return None
    label = label.strip().strip('"').strip().lower()
    if label in _LABELS:
        return _LABELS[label]
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True):   # base64, rot13, zlib: not charsets
        return None
    return _SUPERSET.get(info.name, info.name)


def header_charset(declared: str | None, values: Iterable[str]) -> str | None:
    """The codec for raw 8-bit header bytes that are not UTF-8 (a Subject typed in a legacy
    client): the charset the mail declares for its first text part (an ASCII label declares
    nothing), else what detection makes of all such header values together: one Subject
    alone is a dozen characters, too few to tell GBK from Korean."""
    codec = codec_for(declared)
    if codec is not None and _is_ascii_label(declared):
        codec = None
    if codec is not None:
        return codec
    raw = [v.encode("ascii", "surrogateescape") for v in values
           if not v.isascii() and any("\udc80" <= ch <= "\udcff" for ch in v)]
    legacy = b"\n".join(data for data in raw if not _is_utf8(data))
    return detect_charset(legacy) if legacy else None


def _is_ascii_label(label: str | None) -> bool:
    """True for us-ascii and its aliases: a label that says nothing about 8-bit bytes."""
    try:
        return bool(label) and codecs.lookup(str(label).strip().strip('"').strip()).name == "ascii"
    except (LookupError, ValueError):
        return False


def _is_utf8(data: bytes) -> bool:
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _guess(data: bytes) -> tuple[str, str]:
    """Text of bytes whose charset is unknown: UTF-8, else what detection says, else
    Windows-1252 (Latin-1 only for the five bytes Windows-1252 leaves undefined)."""
    if _is_utf8(data) or data.isascii():
        return data.decode("utf-8"), "utf-8"
    detected = detect_charset(data)
    if detected is not None:
        try:
            return data.decode(detected), detected
        except (UnicodeError, LookupError):   # detected on a sample; the rest disagrees
            pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def header_text(value: Any, charset: str | None = None) -> str:
    """A header value as one clean line of text: RFC 2047 words decoded, raw 8-bit bytes
    (RFC 6532 UTF-8, or a legacy charset: `charset` when given, see unescape_8bit) read as
    text, CR/LF and NULs removed so nothing copied from it can add a header to a reply."""
    if value is None:
        return ""
    text = unescape_8bit(str(value), charset)
    if "=?" in text:
        text = decode_words(text)
    return one_line(text)


def unescape_8bit(text: str, charset: str | None = None) -> str:
    """The email package keeps raw 8-bit header bytes as surrogate escapes: read them as
    UTF-8 (RFC 6532), else as `charset` (the message's own, ingest/parse.py), else as what
    detection says. Never blindly as Latin-1: GBK or Shift_JIS bytes are not accents."""
    if text.isascii() or not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    data = text.encode("ascii", "surrogateescape")
    if charset and not _is_utf8(data):
        try:
            return data.decode(charset)
        except (UnicodeError, LookupError):
            pass
    return _guess(data)[0]


def decode_words(text: str) -> str:
    """Decode RFC 2047 encoded words, each charset label read as decode_bytes reads it
    (=?GB2312?...?= holding GBK characters decodes). Adjacent words of one charset are
    joined before decoding: clients split a multi-byte character across two words. White
    space between encoded words goes; malformed words stay as they are."""
    if "=?" not in text:
        return text
    out: list[str] = []
    run: list[tuple[str, bytes]] = []          # adjacent encoded words: (charset, bytes)
    at = 0
    for word in _ENCODED_WORD.finditer(text):
        between = text[at:word.start()]
        data = _word_bytes(word.group(2), word.group(3))
        if data is None:
            out += [*_decoded(run), between, word.group(0)]
            run, at = [], word.end()
            continue
        if not run or between.strip():
            out += [*_decoded(run), between]
            run = []
        charset = word.group(1).partition("*")[0]
        if run and run[-1][0].lower() == charset.lower():
            run[-1] = (charset, run[-1][1] + data)
        else:
            run.append((charset, data))
        at = word.end()
    out += [*_decoded(run), text[at:]]
    return "".join(out)


def _word_bytes(encoding: str, payload: str) -> bytes | None:
    """The bytes an encoded word's text stands for, None when it is not valid."""
    if not payload.isascii():
        return None
    try:
        if encoding in "bB":
            compact = "".join(payload.split())
            return base64.b64decode(compact + "=" * (-len(compact) % 4))
        return binascii.a2b_qp(payload.encode("ascii"), header=True)
    except (binascii.Error, ValueError):
        return None


def _decoded(run: list[tuple[str, bytes]]) -> list[str]:
    return [decode_bytes(data, charset or None)[0] for charset, data in run]


def one_line(text: str) -> str:
    """Unfold (RFC 5322: CRLF before white space goes), then any other control character
    or line break becomes a space."""
    return _LINE_BREAKS.sub(" ", _FOLD.sub("", text)).strip()


def clean_text(text: str) -> str:
    """Body text fit for the database and for quoting: no NULs or control characters
    other than tab and newline, LF line endings."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)
