"""HTML mail body -> readable plain text, for mail that has no usable text/plain part.

The text this produces is read by two consumers: people (ticket history) and
`ingest.quotes.split_reply`, which must still see where the quoted history starts. So
beyond "strip the tags" it keeps the reply structure recognisable:

* ``<blockquote>`` content is prefixed with ``> `` (``>> `` when nested), like a
  plain-text client would quote it;
* Outlook's ``<hr>`` / ``<div id="divRplyFwdMsg">`` reply separator becomes the same
  underscore line Outlook writes in its own text/plain part, followed by the
  ``From:``/``Dari:`` header block as lines;
* Gmail's ``<div class="gmail_quote">`` starts a new paragraph, so its "On ... wrote:" /
  "Pada ... menulis:" attribution is a line of its own, and ``gmail_signature`` gets the
  ``-- `` delimiter Gmail also writes in text/plain;
* Outlook desktop paragraphs (``<p class="MsoNormal">``) are single lines, as Outlook
  renders them, so command lines at the top ("Status: proses") stay adjacent.

Why not ``html.parser.HTMLParser``: on CPython 3.11.7 (the project's interpreter) it is
quadratic or worse on malformed input that real mail does contain (measured: 100 KB of
``<a `` fragments takes 188 s, 100 KB of unclosed ``<!--`` takes 9 s) and it raises
``AssertionError`` on ``<![ x``. A mail body is untrusted input, so this module uses a
single tokenizing regular expression instead: every alternative either matches or runs
to the end of the input, and the quantifiers are possessive, so each character is
consumed once (linear time, no backtracking blow-up). Entities are decoded with
``html.unescape``, the same HTML5 table ``HTMLParser(convert_charrefs=True)`` uses.
There is no recursion and no element stack, so nesting depth does not matter.

No I/O and no third-party dependency.
"""
from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

__all__ = ["html_to_text"]

# One token per match, tried in order. Each alternative that starts always succeeds (it
# can run to \Z), so finditer never rescans: linear in the input.
_TOKEN = re.compile(
    r"""
     (?P<text>[^<]++(?:<(?![A-Za-z/!?])[^<]*+)*+)               # text, stray '<' included
    |(?P<comment><!--.*?(?:-->|\Z))
    |(?P<raw><(?P<rawname>script|style|title|template|xml)\b.*?(?:</(?P=rawname)\s*+>|\Z))
    |(?P<decl><[!?][^>]*+(?:>|\Z))                                 # doctype, <![if ...]>, <?xml
    |(?P<tag><(?P<end>/)?(?P<name>[A-Za-z][^\s/>]*+)
        (?P<attrs>(?:=\s*+(?:"[^"]*+(?:"|\Z)|'[^']*+(?:'|\Z))|[^>])*+)(?:>|\Z))
    |(?P<lt><)                                                      # '</' not followed by a name
    """,
    re.S | re.I | re.X,
)
_ATTR = re.compile(r"""([^\s"'>/=]++)(?:\s*+=\s*+(?:"([^"]*+)"?|'([^']*+)'?|([^\s>]++)))?""")
_SPACES = re.compile(r"[ \t\n\r\f\v]+")  # not \s: a non-breaking space is content
_WANTED_ATTRS = frozenset({"id", "class", "href"})
_ATTR_TAGS = frozenset({"a", "div", "p"})

# Elements that only end a line, and elements that stand as a paragraph (blank line around).
_LINE_BLOCKS = frozenset({
    "address", "article", "aside", "caption", "center", "dd", "details", "dialog", "dir",
    "div", "dt", "fieldset", "figcaption", "footer", "form", "header", "legend", "main",
    "menu", "nav", "section", "summary", "table", "tbody", "tfoot", "thead", "tr",
})
_PARA_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "dl", "figure"})
_CELLS = frozenset({"td", "th"})
_LISTS = frozenset({"ul", "ol"})

OUTLOOK_SEPARATOR = "_" * 32  # what Outlook itself writes in text/plain above "From:"
SIGNATURE_DELIMITER = "-- "
_QUOTE_CONTAINERS = ("gmail_quote", "yahoo_quoted", "moz-cite-prefix", "outlookmessageheader")
_URL_SCHEMES_SKIPPED = ("#", "javascript:", "vbscript:", "data:", "cid:", "about:")


class _Writer:
    """Builds the text line by line; breaks are owed and written lazily, so that any
    number of nested block boundaries collapse into at most the break they ask for."""

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
        self.link: tuple[int, str] | None = None  # (out index where the text starts, href)

    # -- breaks -------------------------------------------------------------------------
    def line_break(self) -> None:
        """End the current line if it has content (div, tr, li ...)."""
        if self.started and self.pending == 0:
            self.pending = 1

    def paragraph_break(self) -> None:
        """Leave one blank line (p, headings, blockquote ...)."""
        if self.started:
            self.pending = max(self.pending, 2)

    def hard_break(self) -> None:
        """<br> and newlines in <pre>: always one more line, even an empty one."""
        if self.started:
            self.pending += 1
            self.last_space = True

    # -- content ------------------------------------------------------------------------
    def at_line_start(self) -> bool:
        return self.pending > 0 or not self.started

    def emit(self, chunk: str) -> None:
        """Write visible text, first paying owed breaks and the line's quote prefix."""
        if self.at_line_start():
            self._open_line()
        elif self.cell_sep:
            self.out.append("\t")
        self.cell_sep = False
        self.out.append(chunk)
        self.started = True
        self.separator_last = False

    def _open_line(self) -> None:
        if self.started:
            self.out.append("\n")
            # blank lines inside one quote keep the quote prefix, so the block stays whole
            blank = ">" * min(self.content_depth, self.quote_depth)
            self.out.extend([blank + "\n"] * (self.pending - 1))
        self.pending = 0
        self.content_depth = self.quote_depth
        if self.quote_depth:
            self.out.append(">" * self.quote_depth + " ")

    def text(self, data: str) -> None:
        """Text between tags: entities decoded, whitespace collapsed as a browser would."""
        if self.skip_conditional:
            return
        if self.pre_depth:
            self._pre_text(html.unescape(data))
            return
        chunk = _SPACES.sub(" ", html.unescape(data))
        if self.at_line_start() or self.last_space:
            chunk = chunk.lstrip(" ")
        if chunk:
            self.emit(chunk)
            self.last_space = chunk.endswith(" ")

    def _pre_text(self, data: str) -> None:
        """<pre> keeps its spaces and line ends (pasted logs, command output)."""
        for index, part in enumerate(data.replace("\r\n", "\n").replace("\r", "\n").split("\n")):
            if index:
                self.hard_break()
            if part:
                self.emit(part)
                self.last_space = False

    def raw_line(self, line: str) -> None:
        """A marker line of our own (separator, signature delimiter), alone on its line."""
        self.line_break()
        self.emit(line)
        self.line_break()
        self.last_space = True

    def outlook_separator(self) -> None:
        """Outlook writes the reply separator twice (<hr> then divRplyFwdMsg): one line."""
        if not self.separator_last:
            self.paragraph_break()
            self.raw_line(OUTLOOK_SEPARATOR)
            self.separator_last = True

    # -- links --------------------------------------------------------------------------
    def open_link(self, href: str) -> None:
        self.link = (len(self.out), href)

    def close_link(self) -> None:
        """Append the target when the visible text does not already say it."""
        if self.link is None:
            return
        start, href = self.link
        self.link = None
        shown = " ".join("".join(self.out[start:]).split())
        if shown and _link_suffix_wanted(shown, href):
            self.emit(f" ({href})")
            self.last_space = False

    def result(self) -> str:
        return _tidy("".join(self.out))


def html_to_text(html_body: str) -> str:
    """Readable text of an HTML mail body; never raises, whatever the markup."""
    if not html_body:
        return ""
    try:
        return _convert(html_body)
    except Exception:  # pragma: no cover - defensive: untrusted input must not stop ingest
        return _fallback(html_body)


def _convert(html_body: str) -> str:
    writer = _Writer()
    for match in _TOKEN.finditer(html_body):
        kind = match.lastgroup
        if kind == "text":
            writer.text(match.group("text"))
        elif kind == "tag":
            _tag(writer, match)
        elif kind == "decl":
            _declaration(writer, match.group())
        elif kind == "lt":
            writer.text("<")
        # comments, script/style/title/template/xml content: dropped
    return writer.result()


def _declaration(writer: _Writer, decl: str) -> None:
    """Outlook draws list bullets inside <![if !supportLists]>...<![endif]>: drop them,
    the list item already gets "- "."""
    lowered = decl.lower()
    if lowered.startswith("<![if") and "supportlists" in lowered:
        writer.skip_conditional = True
    elif lowered.startswith("<![endif"):
        writer.skip_conditional = False


def _tag(writer: _Writer, match: re.Match[str]) -> None:
    if not match.group().endswith(">"):
        return  # a tag cut off by the end of input is not a tag (HTML5 drops it)
    name = match.group("name").lower()
    attrs = _attributes(match.group("attrs")) if name in _ATTR_TAGS else {}
    if match.group("end"):
        _end_tag(writer, name)
    else:
        _start_tag(writer, name, attrs)


def _attributes(source: str) -> dict[str, str]:
    """Only id, class and href matter here; values are entity-decoded."""
    found: dict[str, str] = {}
    for match in _ATTR.finditer(source):
        key = match.group(1).lower()
        if key in _WANTED_ATTRS and key not in found:
            value = match.group(2) or match.group(3) or match.group(4) or ""
            found[key] = html.unescape(value).strip()
    return found


def _start_tag(writer: _Writer, name: str, attrs: dict[str, str]) -> None:
    if name == "br":
        writer.hard_break()
    elif name == "hr":
        writer.outlook_separator()
    elif name == "div":
        _start_div(writer, attrs)
    elif name == "p":
        _start_paragraph(writer, attrs)
    elif name == "blockquote":
        writer.paragraph_break()
        writer.quote_depth += 1
    elif name in _LISTS:
        _start_list(writer)
    elif name == "li":
        _start_item(writer)
    elif name == "tr":
        writer.line_break()
        writer.cell_sep = False
    elif name in _CELLS:
        writer.cell_sep = not writer.at_line_start()
        writer.last_space = True
    elif name == "pre":
        writer.paragraph_break()
        writer.pre_depth += 1
    elif name == "a":
        _start_link(writer, attrs.get("href", ""))
    elif name in _PARA_BLOCKS:
        writer.paragraph_break()
    elif name in _LINE_BLOCKS:
        writer.line_break()


def _end_tag(writer: _Writer, name: str) -> None:
    if name == "blockquote":
        writer.paragraph_break()
        writer.quote_depth = max(0, writer.quote_depth - 1)
    elif name in _LISTS:
        writer.list_depth = max(0, writer.list_depth - 1)
        if writer.list_depth:
            writer.line_break()
        else:
            writer.paragraph_break()
    elif name == "pre":
        writer.pre_depth = max(0, writer.pre_depth - 1)
        writer.paragraph_break()
    elif name == "a":
        writer.close_link()
    elif name in _PARA_BLOCKS and name != "p":
        writer.paragraph_break()
    elif name in _LINE_BLOCKS or name in {"li", "p"}:
        writer.line_break()


def _start_div(writer: _Writer, attrs: dict[str, str]) -> None:
    """Reply containers of the big clients become recognisable text markers."""
    element_id = attrs.get("id", "")
    classes = attrs.get("class", "").lower()
    if element_id.endswith("divRplyFwdMsg"):  # OWA also quotes it as x_divRplyFwdMsg
        writer.outlook_separator()
    elif "gmail_signature" in classes:
        writer.raw_line(SIGNATURE_DELIMITER)
    elif any(marker in classes for marker in _QUOTE_CONTAINERS):
        writer.paragraph_break()
    else:
        writer.line_break()


def _start_paragraph(writer: _Writer, attrs: dict[str, str]) -> None:
    """Outlook desktop writes every line as <p class=MsoNormal> with no margin: a line,
    not a paragraph (its blank lines are explicit &nbsp; paragraphs)."""
    classes = attrs.get("class", "").lower()
    if classes.startswith("msolistparagraph"):
        _start_item(writer)
    elif classes.startswith("mso"):
        writer.line_break()
    else:
        writer.paragraph_break()


def _start_list(writer: _Writer) -> None:
    if writer.list_depth:
        writer.line_break()
    else:
        writer.paragraph_break()
    writer.list_depth += 1


def _start_item(writer: _Writer) -> None:
    writer.line_break()
    writer.emit("  " * max(0, writer.list_depth - 1) + "- ")
    writer.last_space = True


def _start_link(writer: _Writer, href: str) -> None:
    href = _unwrap_safelink(href)
    if href and not href.lower().startswith(_URL_SCHEMES_SKIPPED):
        writer.open_link(href)
    else:
        writer.link = None


def _unwrap_safelink(href: str) -> str:
    """Outlook "Safe Links" wrap every URL; the reader wants the real one."""
    if "safelinks.protection.outlook.com" not in href.lower():
        return href
    try:
        wrapped = parse_qs(urlsplit(href).query).get("url")
    except ValueError:
        return href
    return wrapped[0] if wrapped else href


def _link_suffix_wanted(shown: str, href: str) -> bool:
    """"budi@pos.id" linking to mailto:budi@pos.id, or "www.x.id" to https://www.x.id/,
    would only repeat itself."""
    target = _comparable(href)
    return bool(target) and target not in _comparable(shown)


def _comparable(value: str) -> str:
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
    for line in text.replace("\xa0", " ").split("\n"):
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
