"""SMS texts that fit one message: 160 characters of the GSM 7-bit alphabet, or 70 when a
character outside it forces UCS-2 (GSM 03.38).

Why one message: a text split in parts costs a message per part and arrives out of order
on some phones. The templates put what matters first (the ticket number) and pass every
free text (a name, a subject, a resolution) through the `gsm` filter, which turns it into
GSM characters (é stays, "ṭ" becomes "t", curly quotes become straight ones, the rest goes)
and clips it to the room the template gives it. So a long Indonesian or English subject, or
a name in another script, never pushes a text to UCS-2 or into a second message;
`one_sms` is the last guard and clips whatever a template still lets through."""
from __future__ import annotations

import re
import unicodedata

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")    # two septets each (escape + character)
GSM_LIMIT = 160
UCS2_LIMIT = 70
ELLIPSIS = "..."                             # GSM; "…" would force UCS-2
_DOTS = re.compile(r"\.{4,}")                 # a clipped text and the template's full stop
_LOOK_ALIKE = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"',
                             "–": "-", "—": "-", "‐": "-", "−": "-", "…": "...", "\u00a0": " ",
                             "«": '"', "»": '"', "•": "-", "·": "."})


def gsm_length(text: str) -> int | None:
    """Septets `text` takes in the GSM 7-bit alphabet; None when it needs UCS-2."""
    total = 0
    for char in text:
        if char in GSM_BASIC:
            total += 1
        elif char in GSM_EXTENSION:
            total += 2
        else:
            return None
    return total


def sms_length(text: str) -> tuple[int, int]:
    """(length, limit) of one message: septets of 160, or UTF-16 units of 70 for UCS-2."""
    septets = gsm_length(text)
    if septets is not None:
        return septets, GSM_LIMIT
    return len(text.encode("utf-16-be")) // 2, UCS2_LIMIT


def fits_one_sms(text: str) -> bool:
    length, limit = sms_length(text)
    return length <= limit


def needs_ucs2(text: str) -> bool:
    return gsm_length(text) is None


def to_gsm(value: object) -> str:
    """`value` as text of GSM characters on one line: look-alikes replaced, accents dropped
    where GSM has no accented letter, anything else left out."""
    text = " ".join(str(value if value is not None else "").translate(_LOOK_ALIKE).split())
    out: list[str] = []
    for char in text:
        if char in GSM_BASIC or char in GSM_EXTENSION:
            out.append(char)
            continue
        out += [c for c in unicodedata.normalize("NFKD", char) if c in GSM_BASIC]
    return " ".join("".join(out).split())


def gsm_clip(value: object, room: int) -> str:
    """The `gsm` filter: `value` in GSM characters, at most `room` septets (a word cut ends
    with "..."), so each free text keeps to the room its template gives it."""
    return clip(to_gsm(value), room)


def clip(text: str, room: int) -> str:
    """`text` cut to `room` (septets, or UTF-16 units for UCS-2 text) with "..." if cut."""
    if _length(text) <= room:
        return text
    cut = text[:room]                        # every character takes one unit or more
    while cut and _length(cut) > room - len(ELLIPSIS):
        cut = cut[:-1]
    return cut.rstrip(" ,.;:-") + ELLIPSIS if room >= len(ELLIPSIS) else text[:max(room, 0)]


def one_sms(text: str) -> str:
    """The rendered template as one message: one line, clipped to what fits."""
    text = _DOTS.sub(ELLIPSIS, " ".join(text.split()))
    length, limit = sms_length(text)
    return text if length <= limit else clip(text, limit)


def _length(text: str) -> int:
    return sms_length(text)[0]
