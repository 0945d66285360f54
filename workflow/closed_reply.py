"""What a reply to a Closed ticket means: the problem is back (reopen), only thanks (record it),
or something else for the handler to read (record and forward).

"Terima kasih, sudah normal." is the most common answer to a closure mail, so reopening is
never the default: a reply reopens only when its new text says the problem is still there or
came back, or asks to reopen. The words are configuration (`[workflow.closed_reply]` and the
outage words of `[triage.outage_words]`), matched on word boundaries, case-insensitive, in
the new text only (the caller strips quoted history, which quotes the original outage).

How the text is read, in this order:
1. Confirmation phrases ("sudah normal", "sudah bisa lagi", "works again", "sekali lagi")
   are taken out first, longest first, so "lagi" in "sudah bisa lagi" or "terima kasih
   sekali lagi", or "again" in "works again", does not read as "the problem came back".
2. Any reopen word ("masih", "belum", "kambuh", "still", "not fixed"), reopen request
   ("buka lagi", "reopen") or outage word ("mati", "error") left: reopen.
3. Nothing left once thanks words and fillers ("pak", "ya", names of the people on the
   ticket) are taken out too: only thanks.
4. Otherwise (an empty new text too: a screenshot?): a comment the handler should read.
Word boundaries matter: "tetap" is not "tetapi", "ok" is not "loket", "lagi" is not "lagian"."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Iterable


class ClosedReply(StrEnum):
    REOPEN = "reopen"
    THANKS = "thanks"
    COMMENT = "comment"


@dataclass(frozen=True)
class ClosedReplyWords:
    """The configured words, lowercased; built by app/ from configuration."""

    reopen: tuple[str, ...] = ()        # the problem is still there or came back; reopen requests
    confirmations: tuple[str, ...] = ()  # "sudah normal": the fix works (read before `reopen`)
    thanks: tuple[str, ...] = ()         # "terima kasih", "ok", "siap"
    fillers: tuple[str, ...] = field(default=())   # "pak", "ya": words that add nothing


_WORD_CHARS = r"[^\W_]"   # letters and digits of any script


def _phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """One alternation of the phrases, longest first, each bounded by non-word characters and
    with any run of white space between its words."""
    words = sorted({" ".join(p.casefold().split()) for p in phrases if p and p.strip()},
                   key=len, reverse=True)
    if not words:
        return None
    body = "|".join(r"\s+".join(re.escape(w) for w in phrase.split()) for phrase in words)
    return re.compile(rf"(?<!{_WORD_CHARS})(?:{body})(?!{_WORD_CHARS})")


def _without(text: str, phrases: Iterable[str]) -> str:
    pattern = _phrase_pattern(phrases)
    return pattern.sub(" ", text) if pattern else text


def _contains(text: str, phrases: Iterable[str]) -> bool:
    pattern = _phrase_pattern(phrases)
    return bool(pattern and pattern.search(text))


def read_closed_reply(new_text: str, words: ClosedReplyWords,
                      names: Iterable[str] = ()) -> ClosedReply:
    """The meaning of `new_text` (a reply to a Closed ticket, quoted history removed).
    `names`: names of the people on the ticket, ignored like fillers ("Terima kasih Bu Rina")."""
    text = " ".join(new_text.casefold().split())
    if not text:
        return ClosedReply.COMMENT   # nothing written (a screenshot?): the handler looks
    rest = _without(text, words.confirmations)
    if _contains(rest, words.reopen):
        return ClosedReply.REOPEN
    name_words = [w for name in names for w in (name or "").split()]
    rest = _without(rest, [*words.thanks, *words.fillers, *name_words])
    if re.search(_WORD_CHARS, rest) is None:
        return ClosedReply.THANKS
    return ClosedReply.COMMENT
