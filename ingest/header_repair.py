"""A header block whose folding lost its white space, mended before the parser reads it.

Some gateways and scripts fold a long header (a base64 X- header, a long Subject) but forget
the space or tab that must start a continuation line. The standard library's parser then
takes the first bare line for the start of the body, and every header below it (From:,
Subject:) becomes body text: the desk would see mail without a sender. A line that cannot
be a header field (no `name:` with a valid field name) and is followed, before the blank
line that ends the block, by a line that is one, was meant as a continuation: it gets its
space back. Bare lines after the last field are left alone (the body of a mail that lost its
blank line starts there, as the parser reads it)."""
from __future__ import annotations

import re

# the end of the header block: the first empty line
_BLANK_LINE = re.compile(rb"\n\r?\n")
# a line (not the first) that neither continues a field nor starts one nor is empty
_BARE_LINE = re.compile(rb"\n(?![ \t]|[\x21-\x39\x3b-\x7e]+[ \t]*:|\r?\n|\r?$)")
# a field line: RFC 5322 field name (printable ASCII but colon), then a colon
_FIELD_LINE = re.compile(rb"\n[\x21-\x39\x3b-\x7e]+[ \t]*:")


def repair_folding(raw: bytes) -> tuple[bytes, str | None]:
    """(raw with lost continuation lines folded again, defect or None). The body is never
    touched; mail without such a line comes back as the same object, uncopied."""
    blank = _BLANK_LINE.search(raw)
    end = blank.start() + 1 if blank else len(raw)
    block = raw[:end]
    first = _BARE_LINE.search(block)
    if first is None:
        return raw, None
    fields = [m.start() for m in _FIELD_LINE.finditer(block, first.start())]
    if not fields:
        return raw, None
    last_field = fields[-1]
    pieces, at, mended = [], 0, 0
    for bare in _BARE_LINE.finditer(block, first.start(), last_field):
        pieces += [block[at:bare.start() + 1], b" "]
        at, mended = bare.start() + 1, mended + 1
    pieces.append(raw[at:])
    lines = "line" if mended == 1 else "lines"
    return b"".join(pieces), (f"{mended} header {lines} without the leading white space of a "
                              "folded header joined to the header above")
