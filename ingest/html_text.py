"""HTML mail body -> readable plain text, for mail that has no usable text/plain part.

The text is read by people (ticket history) and by `ingest.quotes.split_reply`, which
must still see where the quoted history starts. So beyond "strip the tags" it keeps the
reply structure recognisable:

* ``<blockquote>`` content is prefixed with ``> `` (``>> `` when nested), as a plain-text
  client would quote it;
* Outlook's ``<hr>`` / ``<div id="divRplyFwdMsg">`` reply separator becomes the same
  underscore line Outlook writes in its own text/plain part, and the ``From:``/``Dari:``
  header block after it stays one field per line;
* Gmail's ``<div class="gmail_quote">`` starts a new paragraph, so its "On ... wrote:" /
  "Pada ... menulis:" attribution is a line of its own, and ``gmail_signature`` gets the
  ``-- `` delimiter Gmail also writes in text/plain;
* Outlook desktop paragraphs (``<p class="MsoNormal">``) are single lines, as Outlook
  shows them, so command lines at the top ("Status: proses") stay adjacent.

Why no ``html.parser.HTMLParser``: on CPython 3.11.7 (the project's interpreter) it is
quadratic or worse on malformed markup, which mail does carry (measured: 100 KB of
``<a `` fragments take 188 s, 100 KB of unclosed ``<!--`` 9 s), and it raises
``AssertionError`` on ``<![ x``. A mail body is untrusted, so this module splits the
markup with one regular expression instead: every alternative that starts either matches
or runs to the end of the input, and quantifiers are possessive, so each character is
consumed once (linear time). Entities are decoded with ``html.unescape``, the HTML5 table
``HTMLParser(convert_charrefs=True)`` uses. No recursion and no element stack, so nesting
depth does not matter. No I/O, standard library only.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

__all__ = ["html_to_text"]

OUTLOOK_SEPARATOR = "_" * 32  # what Outlook itself writes in text/plain above "From:"
SIGNATURE_DELIMITER = "-- "
# Quote prefixes and list indents stop growing here: a 5,000-deep thread must not turn
# every line into 5,000 ">" (output quadratic in the input), and nobody reads past ten.
MAX_SHOWN_DEPTH = 10
_QUOTE_MARKS = tuple(">" * depth for depth in range(MAX_SHOWN_DEPTH + 1))  # by depth
_BULLETS = tuple("  " * max(depth - 1, 0) + "- " for depth in range(MAX_SHOWN_DEPTH + 1))

_RAW_TEXT = ("script", "style", "title", "template", "xml")  # dropped with their content
_ATTRS = r"""(?:=\s*+(?:"[^"]*+(?:"|\Z)|'[^']*+(?:'|\Z))|[^>])*+"""
# The most frequent inline tags: most of the tags in Outlook/Word and Gmail HTML. _SPLIT
# leaves them (and <br>) inside the text chunks, where C-level re.sub calls handle them,
# instead of costing a Python step each. Only a speed-up: any inline tag not listed here
# reaches the Python loop and is ignored there, with the same result.
_TEXT_LEVEL = ("br", "span", "font", "o:p", "b", "i", "u", "s", "em", "strong", "img",
               "small", "sup", "sub", "wbr")


def _caseless(word: str) -> str:
    """[sS][pP][aA][nN]: measurably faster in the scanner than the re.I flag."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


# A text chunk holds no other tags than those, so any tag there is one of them.
_TAG_IN_TEXT = re.compile(rf"</?+[A-Za-z][^\s/>]*+{_ATTRS}(?:>|\Z)")
# <br> (and </br>, which browsers read as <br>) becomes a NUL mark in the chunk (NULs are
# removed from the input first), so a run of them costs one step, not one per tag.
_BR_TAG = re.compile(rf"</?+{_caseless('br')}\b{_ATTRS}(?:>|\Z)")
_BR = "\x00"

# re.split keeps two groups per tag: the name (with "/" for an end tag, or "![..." for a
# conditional declaration) and the attributes. Comments, raw-text elements and
# processing instructions are matched without a group, i.e. deleted. The "<" prefix
# outside the alternation lets the engine jump from "<" to "<"; every alternative that
# starts can run to \Z, so the scan never restarts: linear in the input.
_SPLIT = re.compile(
    r"<(?=[A-Za-z!?]|/[A-Za-z])"
    rf"(?!/?(?:{'|'.join(_caseless(name) for name in _TEXT_LEVEL)})\b)(?:"
    r"!--.*?(?:-->|\Z)"
    + "".join(rf"|{_caseless(name)}\b.*?(?:</{_caseless(name)}\s*+>|\Z)" for name in _RAW_TEXT)
    + r"|\?[^>]*+(?:>|\Z)"
    + rf"|(![^>]*+|/?[A-Za-z][^\s/>]*+)({_ATTRS})(?:>|\Z))",
    re.S,
)
_STRIDE = 3  # text + two groups per match in the re.split result
# Whitespace runs that are not already a single space (not \s: a no-break space is content).
_SPACES = re.compile(r"[\t\n\r\f\v][ \t\n\r\f\v]*+| [ \t\n\r\f\v]++")
_HREF = re.compile(r"""(?:^|\s)href\s*+=\s*+(?:"([^"]*+)|'([^']*+)|([^\s>]++))""", re.I)
_MSO_CLASS = re.compile(r"""(?:^|\s)class\s*+=\s*+["']?\s*+mso(listparagraph)?""", re.I)
# No-break space as a plain space; BOM and zero-width space (iOS Mail puts one at the
# start of its quote) as nothing.
_INVISIBLE = str.maketrans({"\xa0": " ", "\ufeff": None, "\u200b": None})
_SKIPPED_LINKS = ("#", "javascript:", "vbscript:", "data:", "cid:", "about:")


class _Writer:
    """Builds the text line by line. Breaks are owed and paid lazily, when the next
    content arrives, so any number of nested block boundaries collapse into the largest
    break asked for, and trailing breaks cost nothing."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.pending = 0  # newlines owed before the next content
        self.started = False  # anything written yet (leading breaks are dropped)
        self.quote_depth = 0
        self.content_depth = 0  # quote depth of the last content line
        self.list_depth = 0
        self.pre_depth = 0
        self.last_space = True  # the last character written was a space or a line start
        self.cell_sep = False  # a table cell began: separate it from the previous one
        self.separator_last = False  # the last content was the Outlook separator line
        self.skip_conditional = False  # inside Outlook's <![if !supportLists]> bullet
        self.link: tuple[int, str] | None = None  # (out index where its text starts, href)
        self.last_chunk = ""  # the last text written, to avoid doubling a "-- " delimiter
        self.bullet_open = False  # the line holds only a list bullet so far
        self.in_head = False  # <head> text is not shown (until </head>, <body> or a block)

    def line_break(self) -> None:
        """End the current line if it has content (div, tr, li ...). A bullet keeps its
        item's first block on its line (<li><div>text</div></li> from Outlook web)."""
        if self.started and self.pending == 0 and not self.bullet_open:
            self.pending = 1

    def paragraph_break(self) -> None:
        """Leave one blank line (p, headings, blockquote ...)."""
        if self.started and not self.bullet_open:
            self.pending = max(self.pending, 2)

    def hard_break(self) -> None:
        """<br> and newlines in <pre>: always one more line, even an empty one."""
        if self.started:
            self.pending += 1
            self.last_space = True

    def at_line_start(self) -> bool:
        return self.pending > 0 or not self.started

    def emit(self, chunk: str) -> None:
        """Write visible text, first paying owed breaks and the line's quote prefix."""
        if self.pending or not self.started:
            self._open_line()
        elif self.cell_sep:
            self.out.append("\t")
        self.cell_sep = False
        self.out.append(chunk)
        self.started = True
        self.separator_last = False
        self.bullet_open = False
        self.last_chunk = chunk

    def _open_line(self) -> None:
        opening = ""
        if self.started:
            opening = "\n"
            if self.pending > 1:
                # blank lines inside one quote keep the prefix: the quote stays one block
                depth = min(self.content_depth, self.quote_depth, MAX_SHOWN_DEPTH)
                blank = _QUOTE_MARKS[depth] + "\n"
                opening += blank * (self.pending - 1)
        self.pending = 0
        self.content_depth = self.quote_depth
        if self.quote_depth:
            opening += _QUOTE_MARKS[min(self.quote_depth, MAX_SHOWN_DEPTH)] + " "
        if opening:
            self.out.append(opening)

    def text(self, data: str) -> None:
        """Text between structural tags; may still hold inline tags and <br>."""
        if self.skip_conditional or self.in_head:
            return
        if not self.pre_depth and data.isspace() and "\xa0" not in data:
            self._space()  # indentation between tags: the commonest chunk by far
            return
        if "<" in data:
            data = _TAG_IN_TEXT.sub("", _BR_TAG.sub(_BR, data))
        if _BR not in data:
            self._text_piece(data)
            return
        pieces = data.split(_BR)
        self._text_piece(pieces[0])
        for piece in pieces[1:]:
            self.hard_break()
            if piece:
                self._text_piece(piece)

    def _text_piece(self, data: str) -> None:
        """Entities decoded, whitespace collapsed as a browser does."""
        if "&" in data:
            data = html.unescape(data)
        if self.pre_depth:
            self._pre_text(data)
            return
        chunk = _SPACES.sub(" ", data)
        if self.last_space or self.pending or not self.started:
            chunk = chunk.lstrip(" ")
        if chunk:
            self.emit(chunk)
            self.last_space = chunk[-1] == " "

    def _space(self) -> None:
        """Whitespace between words is one space; at a line start it is nothing."""
        if not (self.last_space or self.pending or not self.started):
            self.emit(" ")
            self.last_space = True

    def _pre_text(self, data: str) -> None:
        """<pre> keeps its spaces and line ends (pasted logs, command output)."""
        for index, part in enumerate(data.replace("\r\n", "\n").replace("\r", "\n").split("\n")):
            if index:
                self.hard_break()
            if part:
                self.emit(part)
                self.last_space = False

    def marker_line(self, line: str) -> None:
        """A marker line of our own (separator, signature delimiter), alone on its line."""
        self.line_break()
        self.emit(line)
        self.line_break()
        self.last_space = True

    def outlook_separator(self) -> None:
        """Outlook writes the separator twice (<hr>, then divRplyFwdMsg): one line."""
        if not self.separator_last:
            self.paragraph_break()
            self.marker_line(OUTLOOK_SEPARATOR)
            self.separator_last = True

    def close_link(self) -> None:
        """Append the link target when the visible text does not already say it."""
        if self.link is None:
            return
        start, href = self.link
        self.link = None
        shown = " ".join("".join(self.out[start:]).split())
        if shown and _comparable(href) not in _comparable(shown):
            self.emit(f" ({href})")
            self.last_space = False

    def result(self) -> str:
        return _tidy("".join(self.out))


def html_to_text(html_body: str) -> str:
    """Readable text of an HTML mail body; never raises, whatever the markup."""
    if not html_body:
        return ""
    try:
        return _convert(html_body.replace(_BR, ""))
    except Exception:  # pragma: no cover - defensive: untrusted input must not stop ingest
        return _fallback(html_body)


def _convert(html_body: str) -> str:
    """One pass over the re.split result: text, tag name, tag attributes, text, ..."""
    writer = _Writer()
    write, dispatch = writer.text, _dispatch  # local names: this loop runs once per tag
    parts = _SPLIT.split(html_body)
    trailing = parts.pop()  # the text after the last tag
    for text, name, attrs in zip(parts[0::_STRIDE], parts[1::_STRIDE], parts[2::_STRIDE]):
        if text:
            write(text)
        if name is not None:
            dispatch(writer, name, attrs)
    if trailing:
        write(trailing)
    return writer.result()


def _dispatch(writer: _Writer, name: str, attrs: str) -> None:
    """Structural tags go to their handler; inline tags (span, font, b, o:p ...) do
    nothing, which is what dropping them means."""
    if name[0] == "!":
        _conditional(writer, name)
        return
    if name[0] == "/":
        handler = _END.get(name[1:].lower())
    else:
        handler = _START.get(name.lower())
    if handler is not None:
        # A list bullet or a head never spans a block: its end tag was lost.
        writer.skip_conditional = writer.in_head = False
        handler(writer, attrs)


def _conditional(writer: _Writer, declaration: str) -> None:
    """Outlook draws list bullets inside <![if !supportLists]>...<![endif]>: drop them,
    the list item already gets "- "."""
    lowered = declaration.lower()
    if lowered.startswith("![if") and "supportlists" in lowered:
        writer.skip_conditional = True
    elif lowered.startswith("![endif"):
        writer.skip_conditional = False


# -- start tags ---------------------------------------------------------------------------
def _line(writer: _Writer, attrs: str) -> None:
    writer.line_break()


def _paragraph(writer: _Writer, attrs: str) -> None:
    writer.paragraph_break()


def _head(writer: _Writer, attrs: str) -> None:
    writer.in_head = True


def _hr(writer: _Writer, attrs: str) -> None:
    writer.outlook_separator()


def _div(writer: _Writer, attrs: str) -> None:
    """Reply containers of the big clients become recognisable text markers: Outlook's
    divRplyFwdMsg, Gmail's gmail_quote / gmail_signature, Yahoo's yahoo_quoted,
    Thunderbird's moz-cite-prefix."""
    if not attrs:
        writer.line_break()
        return
    lowered = attrs.lower()
    if "divrplyfwdmsg" in lowered:  # OWA quotes it again as x_divRplyFwdMsg
        writer.outlook_separator()
    elif "gmail_signature" in lowered:
        if writer.last_chunk.strip() != "--":  # Gmail usually writes "-- " itself
            writer.marker_line(SIGNATURE_DELIMITER)
        else:
            writer.line_break()
    elif "quote" in lowered or "cite" in lowered or "outlookmessageheader" in lowered:
        writer.paragraph_break()
    else:
        writer.line_break()


def _p(writer: _Writer, attrs: str) -> None:
    """Outlook desktop writes each line as <p class=MsoNormal> with no margin: a line,
    not a paragraph (its blank lines are explicit &nbsp; paragraphs)."""
    mso = _MSO_CLASS.search(attrs) if attrs else None
    if mso is None:
        writer.paragraph_break()
    elif mso.group(1):
        _li(writer, attrs)
    else:
        writer.line_break()


def _blockquote(writer: _Writer, attrs: str) -> None:
    writer.paragraph_break()
    writer.quote_depth += 1


def _list(writer: _Writer, attrs: str) -> None:
    if writer.list_depth:
        writer.line_break()
    else:
        writer.paragraph_break()
    writer.list_depth += 1


def _li(writer: _Writer, attrs: str) -> None:
    writer.bullet_open = False  # an empty previous item still ends its line
    writer.line_break()
    writer.emit(_BULLETS[min(writer.list_depth, MAX_SHOWN_DEPTH)])
    writer.last_space = True
    writer.bullet_open = True


def _tr(writer: _Writer, attrs: str) -> None:
    writer.line_break()
    writer.cell_sep = False


def _cell(writer: _Writer, attrs: str) -> None:
    writer.cell_sep = not writer.at_line_start()
    writer.last_space = True


def _pre(writer: _Writer, attrs: str) -> None:
    writer.paragraph_break()
    writer.pre_depth += 1


def _a(writer: _Writer, attrs: str) -> None:
    """Remember where the link text starts; the target is added at </a> if useful."""
    found = _HREF.search(attrs) if attrs else None
    href = "" if found is None else (found.group(1) or found.group(2) or found.group(3) or "")
    href = _unwrap_safelink(html.unescape(href).strip())
    usable = bool(href) and not href.lower().startswith(_SKIPPED_LINKS)
    writer.link = (len(writer.out), href) if usable else None


# -- end tags -----------------------------------------------------------------------------
def _end_blockquote(writer: _Writer, attrs: str) -> None:
    writer.paragraph_break()
    writer.quote_depth = max(0, writer.quote_depth - 1)


def _end_item(writer: _Writer, attrs: str) -> None:
    writer.bullet_open = False
    writer.line_break()


def _end_list(writer: _Writer, attrs: str) -> None:
    writer.bullet_open = False
    writer.list_depth = max(0, writer.list_depth - 1)
    if writer.list_depth:
        writer.line_break()
    else:
        writer.paragraph_break()


def _end_pre(writer: _Writer, attrs: str) -> None:
    writer.pre_depth = max(0, writer.pre_depth - 1)
    writer.paragraph_break()


def _end_a(writer: _Writer, attrs: str) -> None:
    writer.close_link()


_Handler = Callable[[_Writer, str], None]
_LINE_BLOCKS = (
    "address article aside caption center dd details dialog dir div dt fieldset figcaption"
    " footer form header legend main menu nav section summary table tbody tfoot thead tr li"
).split()
_PARA_BLOCKS = "h1 h2 h3 h4 h5 h6 dl figure".split()

_START: dict[str, _Handler] = {name: _line for name in _LINE_BLOCKS}
_START.update({name: _paragraph for name in _PARA_BLOCKS})
_START.update({
    "head": _head, "body": _line, "hr": _hr, "div": _div, "p": _p, "blockquote": _blockquote,
    "ul": _list, "ol": _list, "li": _li, "tr": _tr, "td": _cell, "th": _cell, "pre": _pre,
    "a": _a,
})
_END: dict[str, _Handler] = {name: _line for name in _LINE_BLOCKS}
_END.update({name: _paragraph for name in _PARA_BLOCKS})
_END.update({
    "head": _line, "p": _line, "li": _end_item, "blockquote": _end_blockquote,
    "ul": _end_list, "ol": _end_list, "pre": _end_pre, "a": _end_a,
})


def _unwrap_safelink(href: str) -> str:
    """Outlook "Safe Links" wrap every URL; the reader wants the real one."""
    if "safelinks.protection.outlook.com" not in href.lower():
        return href
    try:
        wrapped = parse_qs(urlsplit(href).query).get("url")
    except ValueError:
        return href
    return wrapped[0] if wrapped else href


def _comparable(value: str) -> str:
    """"budi@pos.id" linking to mailto:budi@pos.id, or "www.x.id" to https://www.x.id/,
    say the same thing: compare without scheme, case and trailing slash."""
    value = value.strip().lower()
    for prefix in ("mailto:", "tel:", "https://", "http://"):
        if value.startswith(prefix):
            value = value[len(prefix):]
            break
    return value.rstrip("/")


def _tidy(text: str) -> str:
    """Trailing spaces off, runs of blank lines down to one, no blank edges."""
    lines: list[str] = []
    previous_blank = True
    for line in text.translate(_INVISIBLE).split("\n"):
        line = line.rstrip()
        if line == "--":
            line = SIGNATURE_DELIMITER  # the space is the delimiter; rstrip must keep it
        blank = not line.strip(" >")
        if blank and previous_blank:
            continue
        lines.append(line)
        previous_blank = blank
    while lines and not lines[-1].strip(" >"):
        lines.pop()
    return "\n".join(lines)


def _fallback(html_body: str) -> str:  # pragma: no cover - only reached on a bug above
    """Last resort: tags out, entities decoded, whitespace collapsed."""
    try:
        stripped = re.sub(r"<[^<>]*+>", " ", html_body)
        return _SPACES.sub(" ", html.unescape(stripped)).strip()
    except Exception:
        return ""
