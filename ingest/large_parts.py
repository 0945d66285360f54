"""Large base64 bodies taken out of a message before the email package parses it.

Why: the standard library's parser (and mail-parser, built on it) holds a message as lines
and then as joined strings: a 21 MB mail with a 15 MB attachment peaks at about 165 MB.
Attachments are kept as metadata only, so their bytes need not go through it at all: each
long run of base64 lines is hashed straight from the raw bytes, a chunk at a time, and
replaced by a one-line token; parse() reads size and sha256 for the token from here.
Text bodies and winmail.dat stay in place: their content is needed."""
from __future__ import annotations

import binascii
import hashlib
import re
import secrets
from base64 import b64encode
from dataclasses import dataclass
from typing import Iterable, Iterator

MIN_MESSAGE = 1 << 20                  # smaller mail is parsed as it is
CHUNK = 1 << 20                        # bytes of base64 decoded at a time
# a whole part body of base64 (it starts right after the blank line that ends the part's
# headers); one character class, so the regex engine keeps no state per line
RUN = re.compile(rb"(?:(?<=\r\n\r\n)|(?<=\n\n))[A-Za-z0-9+/][A-Za-z0-9+/=\r\n]{300000,}")
KEEP = re.compile(rb"content-type:[ \t]*text/|ms-tnef|winmail\.dat", re.IGNORECASE)
_NOT_B64 = bytes(c for c in range(256) if not (chr(c).isalnum() and c < 128) and c not in b"+/=")


@dataclass(frozen=True)
class Elided:
    size: int
    sha256: str                        # "" when over the limit (not decoded)
    over_limit: bool


def elide(raw: bytes, limit: int) -> tuple[bytes, dict[str, Elided]]:
    """(raw with large base64 attachment bodies replaced by tokens, token -> what it replaced)."""
    if len(raw) < MIN_MESSAGE:
        return raw, {}
    nonce = secrets.token_hex(8)
    pieces: list[bytes] = []
    found: dict[str, Elided] = {}
    at = 0
    view = memoryview(raw)
    for match in RUN.finditer(raw):
        start, end = match.span()
        if KEEP.search(_part_headers(raw, start)):
            continue
        token = b64encode(f"incidentdesk-elided-{nonce}-{len(found)}".encode()).decode()
        found[token] = _measure(view[start:end], limit)
        pieces += [raw[at:start], token.encode() + b"\r\n"]
        at = end
    if not found:
        return raw, {}
    pieces.append(raw[at:])
    return b"".join(pieces), found


def _part_headers(raw: bytes, body_start: int) -> bytes:
    """The header block of the MIME part whose body starts at body_start: the message's
    own headers for a single-part mail, else (near enough) the 2 KB before the body, back
    to the preceding boundary line."""
    if raw.find(b"\n\n") + 2 == body_start or raw.find(b"\r\n\r\n") + 4 == body_start:
        return raw[:body_start]
    block = raw[max(0, body_start - 2048):body_start]
    cut = block.rfind(b"\n--")
    return block[cut:] if cut >= 0 else block


def _measure(body: memoryview, limit: int) -> Elided:
    first = bytes(body[:80])
    line = first.find(b"\n") + 1                     # the run's line length, newline included
    text = line - (2 if first[line - 2:line] == b"\r\n" else 1)
    estimate = len(body) * text // line * 3 // 4
    if estimate > limit * 1.05:  # clearly over: not worth decoding
        return Elided(estimate, "", True)
    size, digest = hash_base64(bytes(body[i:i + CHUNK]) for i in range(0, len(body), CHUNK))
    return Elided(size, digest, size > limit)


def hash_base64(chunks: Iterable[bytes]) -> tuple[int, str]:
    """Decoded size and sha256 of base64 text given in chunks of any length; characters
    outside the alphabet are skipped, as mail readers do."""
    digest, size = hashlib.sha256(), 0
    for piece in _aligned(chunks):
        data = _decode(piece)
        digest.update(data)
        size += len(data)
    return size, digest.hexdigest()


def _aligned(chunks: Iterable[bytes]) -> Iterator[bytes]:
    carry = b""
    for chunk in chunks:
        chunk = carry + chunk.translate(None, _NOT_B64)
        cut = len(chunk) - len(chunk) % 4
        chunk, carry = chunk[:cut], chunk[cut:]
        yield chunk
    if carry:
        yield carry + b"=" * (-len(carry) % 4)


def _decode(chunk: bytes) -> bytes:
    try:
        return binascii.a2b_base64(chunk)
    except binascii.Error:  # lost padding or a cut stream: decode what is whole
        whole = chunk.replace(b"=", b"")
        try:
            return binascii.a2b_base64(whole[:len(whole) - len(whole) % 4])
        except binascii.Error:
            return b""
