"""Split a reply into what the sender wrote now and the history it carries along.

The desk acts on the new part only (commands at the top, the comment stored on the
ticket), so a quoted ``Status: selesai`` from an older mail must never be read as a new
command, and the new part must never lose the sender's own words.

Where the history starts (the first of these, case-insensitive):

* an attribution line, possibly wrapped over two lines as Gmail does for long names:
  ``On <date>, <name> wrote:`` (Gmail, Apple Mail, Yahoo, Thunderbird) and
  ``Pada <...> menulis:`` (their Indonesian forms, including Gmail's ``Pada tanggal ...
  pukul ...``), holding a time or an address or followed by a ``>`` quote; or
  ``<name> wrote:`` / ``<name> menulis [di <date>]:`` directly before a ``>`` quote;
* a header block: a field line (``From/Sent/Date/To/Cc/Subject``, Outlook's Indonesian
  ``Dari/Dikirim/Tanggal/Kepada/Subjek/Perihal``, Thunderbird's ``Pengirim/Balas ke``)
  that starts a block holding a sender, a date and a recipient or subject;
* a separator line: ``-----Original Message-----``, ``-----Pesan Asli-----``,
  Thunderbird's ``-------- Pesan Asli --------`` and forward separators, Apple's
  "Begin forwarded message:", and Outlook's underscore rule.

Everything from there is ``quoted``. Above it, ``>`` lines are quoted too (inline or
bottom quoting): they leave the new part, the sender's text between them stays. When an
attribution is followed by ``>`` lines and then by the sender's own text (bottom-posting
in Thunderbird, or inline answers), it does not end the new part.

The signature starts at a ``-- `` delimiter or at a phone/app footer ("Sent from my
iPhone", "Dikirim dari iPhone saya", "Get Outlook for Android", ...). Closings such as
"Terima kasih" / "Salam" are the sender's words and stay in ``new``.

``quoted`` is everything that is not ``new`` (signature and history, in order).
Line-based: each line is examined a bounded number of times (header blocks look at most
HEADER_WINDOW lines ahead) and no regular expression can backtrack, so time is linear in
the input.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Reply", "split_reply"]


@dataclass(frozen=True, slots=True)
class Reply:
    """A reply cut in parts; each part has no leading or trailing blank lines."""

    new: str  # what the sender wrote in this mail
    quoted: str  # everything else: signature and quoted history, in order
    signature: str  # the sender's signature or phone footer, also part of `quoted`


# -- attribution lines ------------------------------------------------------------------
_ATTRIBUTION_STARTS = ("on ", "pada ")
_ATTRIBUTION_VERBS = ("wrote", "menulis")
MAX_ATTRIBUTION = 400  # characters; a longer line is prose, not a header
MAX_BARE_ATTRIBUTION = 200  # "<name> wrote:" without "On"/"Pada" must be short
MIN_WRAPPED_FIRST_LINE = 50  # a header wrapped by the client filled its first line

# -- header blocks ----------------------------------------------------------------------
# "From:", "*Dari:*" (Gmail's text of Outlook's bold labels), "Balas ke :" ...
_FIELD = re.compile(
    r"[*_]{0,2}(from|sent|date|to|cc|bcc|subject|reply-to|dari|pengirim|dikirim|tanggal"
    r"|kepada|tembusan|subjek|perihal|balas ke)[*_]{0,2}[ \t]{0,3}:[*_]{0,2}(.*)"
)
_FIELD_KIND = {
    "from": "from", "dari": "from", "pengirim": "from",
    "sent": "sent", "dikirim": "sent",
    "date": "date", "tanggal": "date",
    "to": "to", "kepada": "to", "cc": "to", "bcc": "to", "tembusan": "to",
    "reply-to": "to", "balas ke": "to",
    "subject": "subject", "subjek": "subject", "perihal": "subject",
}
HEADER_WINDOW = 12  # lines examined after a field line for the rest of its block
_TIME = re.compile(r"(?<![\d.:])\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?![\d.:])")

# -- separators ---------------------------------------------------------------------------
_SEPARATOR = re.compile(
    r"-{2,}[ \t]{0,3}(original message|forwarded message|pesan asli|pesan (?:yang )?diteruskan"
    r"|pesan terusan)[ \t]{0,3}-{2,}"
    r"|_{20,}"
    r"|(begin forwarded message|awal pesan (?:yang )?diteruskan)[ \t]{0,3}:"
)

# -- signatures ---------------------------------------------------------------------------
_FOOTER = re.compile(
    r"(sent|dikirim|send|terkirim) (from|dari|via|with|using|menggunakan|lewat|melalui) .{0,60}"
    r"|(get|dapatkan) outlook (for|untuk) .{0,20}"
)
_FOOTER_STARTS = ("sent ", "send ", "dikirim ", "terkirim ", "get ", "dapatkan ")
_FOOTER_WORDS = re.compile(
    r"\b(iphone|ipad|android|samsung|galaxy|huawei|xiaomi|redmi|oppo|vivo|realme|nokia"
    r"|blackberry|mobile|phone|ponsel|hp|handphone|smartphone|seluler|perangkat|device"
    r"|tablet|outlook|yahoo|gmail|mail|aol|windows|ios)\b"
)
_INVISIBLE = str.maketrans({"\xa0": " ", "\u200b": None, "\u200e": None, "\u200f": None,
                            "\ufeff": None, "\u2060": None})


def split_reply(text: str) -> Reply:
    """Cut `text` into the new part, the signature and the quoted history."""
    body = _Body(text)
    end = body.history_start()
    own = [i for i in range(end) if not body.quote[i]]
    signature_at = next((i for i in own if _starts_signature(body.keys[i])), end)
    new_indexes = [i for i in own if i < signature_at]
    kept = set(new_indexes)
    lines = body.lines
    return Reply(
        new=_join(_drop_gap_blanks(lines, new_indexes)),
        quoted=_join([lines[i] for i in range(len(lines)) if i not in kept]),
        signature=_join([lines[i] for i in own if i >= signature_at]),
    )


class _Body:
    """The reply's lines with what the detectors need, computed once per line."""

    def __init__(self, text: str) -> None:
        self.lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        self.keys = [_key(line) for line in self.lines]
        self.quote = [key.startswith(">") for key in self.keys]
        self.fields = [_field(key) if ":" in key else None for key in self.keys]

    def history_start(self) -> int:
        """Index of the first line of the quoted history, or len(lines) if none.

        An attribution followed by quoted lines and then by the sender's own text is
        not the start: its quote is an inline one (the attribution joins the quote),
        and the search goes on after it."""
        index = 0
        while index < len(self.keys):
            size = 0 if self.quote[index] or not self.keys[index] else self.marker_size(index)
            if size == 0:
                index += 1
                continue
            if not self.is_attribution(index) or not self.own_text_follows(index + size):
                return index
            for covered in range(index, index + size):
                self.quote[covered] = True
            index += size
        return len(self.keys)

    def marker_size(self, index: int) -> int:
        """How many lines the history marker at `index` spans (0: no marker there)."""
        key = self.keys[index]
        if _SEPARATOR.fullmatch(key):
            return 1
        if key.startswith(_ATTRIBUTION_STARTS):
            return self.on_wrote_size(index)
        if self.is_bare_attribution(index):
            return 1
        if self.fields[index] is not None and self.is_header_block(index):
            return 1
        return 0

    def on_wrote_size(self, index: int) -> int:
        """'On ... wrote:' / 'Pada ... menulis:' on one line, or wrapped over two."""
        key = self.keys[index]
        if _ends_with_verb(key) and len(key) <= MAX_ATTRIBUTION:
            return 1 if _dated_or_addressed(key) or self.quote_follows(index + 1) else 0
        if index + 1 >= len(self.keys) or len(key) < MIN_WRAPPED_FIRST_LINE:
            return 0
        following = self.keys[index + 1]
        if (
            _ends_with_verb(following)
            and not following.startswith(_ATTRIBUTION_STARTS)
            and len(key) + len(following) <= MAX_ATTRIBUTION
            and _dated_or_addressed(key + following)
        ):
            return 2
        return 0

    def is_bare_attribution(self, index: int) -> bool:
        """'Budi <budi@x> wrote:', 'Budi menulis:', 'Budi menulis di 03/11/2025 10.12:'
        (Thunderbird) count only when a '>' quote follows: alone they could be prose."""
        key = self.keys[index]
        if len(key) > MAX_BARE_ATTRIBUTION or not key.endswith(":"):
            return False
        if " wrote" not in key and " menulis" not in key:
            return False
        return self.quote_follows(index + 1)

    def is_attribution(self, index: int) -> bool:
        """Attributions introduce '>' quotes; header blocks and separators do not."""
        return self.fields[index] is None and not _SEPARATOR.fullmatch(self.keys[index])

    def is_header_block(self, index: int) -> bool:
        """A From/Dari block: a sender, a date, and a recipient or subject, together.

        Why so strict: a memo in the mail ("Kepada: Tim IT / Dari: Loket 3 / Perihal:
        ...") or a "From:" that starts a sentence must stay in the new part. A client's
        block carries a send time ("Sent:"/"Dikirim:", or a date with hh:mm) or an
        address in the sender field."""
        window = [field for field in self.fields[index:index + HEADER_WINDOW] if field]
        if len(window) < 3:  # sender, date, recipient or subject
            return False
        kinds: dict[str, str] = {}
        for kind, value in window:
            kinds.setdefault(kind, value)
        if "from" not in kinds or not ({"to", "subject"} & kinds.keys()):
            return False
        if "sent" in kinds:
            return True
        date = kinds.get("date")
        return date is not None and (_TIME.search(date) is not None or "@" in kinds["from"])

    def own_text_follows(self, index: int) -> bool:
        """After an attribution: '>' lines, then text of the sender's own (not a
        signature, not another history marker) -- bottom-posting or inline answers."""
        index = self.skip_blank(index)
        if index >= len(self.keys) or not self.quote[index]:
            return False
        while index < len(self.keys) and (self.quote[index] or not self.keys[index]):
            index += 1
        if index >= len(self.keys) or _starts_signature(self.keys[index]):
            return False
        return self.marker_size(index) == 0

    def quote_follows(self, index: int) -> bool:
        index = self.skip_blank(index)
        return index < len(self.keys) and self.quote[index]

    def skip_blank(self, index: int) -> int:
        while index < len(self.keys) and not self.keys[index]:
            index += 1
        return index


# -- signatures ---------------------------------------------------------------------------
def _starts_signature(key: str) -> bool:
    """'-- ' delimiter (also without its space, which editors strip), or a client
    footer naming a device or mail app."""
    if key == "--":
        return True
    if not key.startswith(_FOOTER_STARTS):
        return False
    footer = key.rstrip(".! ")
    return bool(_FOOTER.fullmatch(footer)) and bool(_FOOTER_WORDS.search(footer))


# -- small helpers ------------------------------------------------------------------------
def _key(line: str) -> str:
    """The line as the detectors see it: no invisible characters, lower case, stripped."""
    if not line.isascii():
        line = line.translate(_INVISIBLE)
    return line.strip().lower()


def _field(key: str) -> tuple[str, str] | None:
    """('from', value) for 'From: value' / 'Dari: value' ...; None for other lines."""
    found = _FIELD.match(key)
    return None if found is None else (_FIELD_KIND[found.group(1)], found.group(2))


def _ends_with_verb(key: str) -> bool:
    if not key.endswith(":"):
        return False
    return key[:-1].rstrip().endswith(_ATTRIBUTION_VERBS)


def _dated_or_addressed(key: str) -> bool:
    """Clients put a time (10:12, 10.12) or an address in the attribution; a sentence
    like "Pada tanggal 3 Nov teknisi menulis:" has neither."""
    return "@" in key or _TIME.search(key) is not None


def _drop_gap_blanks(lines: list[str], indexes: list[int]) -> list[str]:
    """The kept lines; where quoted lines were taken out, no double blank lines remain."""
    kept: list[str] = []
    previous = -1
    for index in indexes:
        gap = previous >= 0 and index != previous + 1
        if gap and not lines[index].strip() and kept and not kept[-1].strip():
            continue
        kept.append(lines[index])
        previous = index
    return kept


def _join(lines: list[str]) -> str:
    """Lines joined, without leading or trailing blank lines."""
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[start:end])
