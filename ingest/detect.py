"""Which legacy charset are these bytes in, when the mail does not say?

charset-normalizer reads long texts well, but a Subject or a display name is a dozen
characters, and there it reads GBK Chinese as Korean and Big5 as Johab. So the charsets
legacy mail is actually written in are tried first, each ranked by how much of the decoded
text is the common core of the script that charset exists for: GB2312's first-level hanzi
for GB18030, Big5's frequent characters, the kana and first-level kanji of Shift_JIS, the
2350 Hangul of KS X 1001, Thai letters in Thai order, accented letters inside Latin words.
Text read in the wrong charset turns into rare characters, halfwidth katakana, stray Hanja,
tone marks on nothing or words of nothing but accented letters; text in the right one does
not. When no charset of that list reads the text plausibly (Cyrillic, Greek, Polish...),
charset-normalizer decides."""
from __future__ import annotations

import re
from typing import Callable

from charset_normalizer import from_bytes

# what legacy mail is written in; on a tie the earlier wins. EUC-KR and EUC-JP bytes are
# valid GBK too, and a short text without kana cannot tell them apart: raw GBK is by far the
# most common of the three in mail, and a Korean or Japanese client declares its charset.
_LEGACY = ("gb18030", "cp932", "euc_jp", "big5hkscs", "cp949", "cp874", "cp1252")
_CONFIDENT = 0.8           # plausibility from which the list's best is taken
_MAX_SAMPLE = 4096         # bytes looked at: enough to tell, and detection stays cheap
_WORD = re.compile(r"\w+")
_THAI_CONSONANT = re.compile("[\u0e01-\u0e2e]")
_THAI_MARK = re.compile("[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")      # above and below the consonant
_THAI_AFTER = re.compile("[\u0e2f\u0e30\u0e32\u0e33\u0e45\u0e46]")  # vowels written after it
_THAI_LEADING = re.compile("[\u0e40-\u0e44]")                         # vowels written before it
_LATIN_MARKS = frozenset("\xa0–—‘’‚“”„…•€°±×÷«»·©®™§¶¼½¾¡¿")


def detect_charset(data: bytes) -> str | None:
    """A Python codec name that decodes `data` and most plausibly is what it was written
    in, or None when nothing decodes it (or it is ASCII, which needs no charset)."""
    if data.isascii():
        return None
    sample = _whole_characters(data[:_MAX_SAMPLE]) if len(data) > _MAX_SAMPLE else data
    best: tuple[float, int, str] | None = None
    for order, name in enumerate(_LEGACY):
        try:
            text = sample.decode(name)
        except UnicodeDecodeError:
            continue
        score = (plausibility(text, name), -order, name)
        best = score if best is None or score > best else best
    if best is not None and best[0] >= _CONFIDENT:
        return best[2]
    guess = from_bytes(sample).best()
    return guess.encoding if guess is not None else (best[2] if best else None)


def _whole_characters(sample: bytes) -> bytes:
    """A cut sample ends at a line break when there is one, not inside a character."""
    cut = sample.rfind(b"\n")
    return sample[:cut] if cut > 0 else sample


def plausibility(text: str, codec: str) -> float:
    """Share (0..1) of the non-ASCII characters of `text` that are common in the script
    `codec` is used for (0 for a codec without a rule)."""
    rest = sum(1 for ch in text if ord(ch) > 0x7F)
    if not rest:
        return 1.0
    if codec in _WORD_RULES:
        return _WORD_RULES[codec](text) / rest
    common = _COMMON.get(codec)
    return sum(1 for ch in text if ord(ch) > 0x7F and common(ch)) / rest if common else 0.0


def _latin(text: str) -> int:
    """Accented letters inside words that also have ASCII letters ("André", "Café"), and
    the punctuation Windows-1252 is used for (– “ ” …)."""
    count = sum(1 for ch in text if ch in _LATIN_MARKS)
    for word in _WORD.findall(text):
        if not word.isascii() and any("a" <= ch.lower() <= "z" for ch in word):
            count += sum(1 for ch in word if ord(ch) > 0x7F and ch.isalpha())
    return count


def _lead(ch: str, codec: str) -> int | None:
    try:
        encoded = ch.encode(codec)
    except UnicodeEncodeError:
        return None
    return encoded[0] if len(encoded) == 2 else None


def _chinese_simplified(ch: str) -> bool:
    lead = _lead(ch, "gb2312")   # A1-A9 punctuation and symbols but A4/A5 kana, B0-D7 first-level hanzi
    return lead is not None and (0xA1 <= lead <= 0xA9 and lead not in (0xA4, 0xA5) or 0xB0 <= lead <= 0xD7)


def _chinese_traditional(ch: str) -> bool:
    lead = _lead(ch, "big5")     # A1-A3 symbols, A4-C6 frequent characters
    return lead is not None and 0xA1 <= lead <= 0xC6


def _japanese(ch: str) -> bool:
    """Symbols, kana and the first-level kanji of JIS X 0208 (not its Greek, Cyrillic and
    box drawing rows, which other charsets' bytes read as)."""
    try:
        code = int.from_bytes(ch.encode("shift_jis"), "big")
    except UnicodeEncodeError:
        return False
    return 0x8140 <= code <= 0x8396 or 0x889F <= code <= 0x9872


def _korean(ch: str) -> bool:
    lead = _lead(ch, "euc_kr")   # A1-AC symbols but AA/AB kana, B0-C8 the 2350 Hangul syllables
    return lead is not None and (0xA1 <= lead <= 0xAC and lead not in (0xAA, 0xAB) or 0xB0 <= lead <= 0xC8)


def _thai(text: str) -> int:
    """Thai letters in Thai order: consonants, vowels and tone marks after a consonant,
    leading vowels before one. Other bytes read as Thai give marks after nothing."""
    count = 0
    for at, ch in enumerate(text):
        before = text[at - 1] if at else ""
        after = text[at + 1] if at + 1 < len(text) else ""
        if _THAI_CONSONANT.match(ch):
            count += 1
        elif _THAI_MARK.match(ch) and (_THAI_CONSONANT.match(before) or _THAI_MARK.match(before)):
            count += 1
        elif _THAI_AFTER.match(ch) and "\u0e01" <= before <= "\u0e4e":
            count += 1
        elif _THAI_LEADING.match(ch) and _THAI_CONSONANT.match(after):
            count += 1
    return count


_COMMON: dict[str, Callable[[str], bool]] = {
    "gb18030": _chinese_simplified, "gbk": _chinese_simplified, "gb2312": _chinese_simplified,
    "big5hkscs": _chinese_traditional, "big5": _chinese_traditional, "cp950": _chinese_traditional,
    "cp932": _japanese, "shift_jis": _japanese, "euc_jp": _japanese, "shift_jis_2004": _japanese,
    "euc_jis_2004": _japanese, "shift_jisx0213": _japanese, "euc_jisx0213": _japanese,
    "cp949": _korean, "euc_kr": _korean, "johab": _korean,
}
_WORD_RULES: dict[str, Callable[[str], int]] = {"cp1252": _latin, "cp874": _thai}
