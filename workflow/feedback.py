"""The reporter's satisfaction rating (the paper's feedback form), given by replying to the
closure mail with a rating 1-5 first and an optional comment after it.

A rating is the first thing in the new text: a digit ("5", "5/5", "4 dari 5", "5 bintang"),
a number word in either language ("lima", "five"), a satisfaction phrase ("sangat puas" ...
"tidak puas", "very satisfied" ...) or stars ("★★★★☆", "*****", "⭐⭐⭐"), optionally after
"Rating:"/"Nilai:". It must stand alone: "5 terima kasih" is 5 with the comment "terima
kasih", but "50 ribu" and "5.30 masih error" are not ratings, and a number word must end the
line or be followed by punctuation ("lima, terima kasih"), because "One of the PCs is still
down" is a follow-up, not a rating of 1. One row per ticket: a later rating replaces the
earlier and the history says so."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Feedback, Ticket
from workflow.history import record

NUMBER_WORDS = {"satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5,
                "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
SATISFACTION = {
    "sangat tidak puas": 1, "tidak puas": 1, "kurang puas": 2, "cukup puas": 3, "puas": 4,
    "sangat puas": 5, "very dissatisfied": 1, "dissatisfied": 2, "neutral": 3,
    "satisfied": 4, "very satisfied": 5,
}


def _alternatives(words: dict[str, int]) -> str:
    return "|".join(sorted((re.escape(w).replace(r"\ ", r"\s+") for w in words), key=len, reverse=True))


_PREFIX = r"(?:(?:rating|nilai|skor|score|penilaian)\s*[:=]?\s*)?"
_SCALE = r"(?:\s*(?:/|dari|of|out\s+of)\s*5|\s*(?:bintang|stars?))*"
_PUNCT = r"[.,;:!)\-\u2013\u2014]"
_LINE_END = rf"(?=[ \t]*(?:\n|$)|[ \t]*{_PUNCT})"
_RATING = re.compile(
    rf"^{_PREFIX}(?:"
    rf"(?P<digit>[1-5])(?![\d.,:]\d){_SCALE}(?=$|\s|{_PUNCT})"      # "5 terima kasih", "5/5"
    rf"|(?P<number>{_alternatives(NUMBER_WORDS)}){_SCALE}{_LINE_END}"  # "lima." not "one of"
    rf"|(?P<phrase>{_alternatives(SATISFACTION)})(?=$|\s|{_PUNCT})"
    rf"|(?P<stars>[\u2605\u2606]{{1,5}}|\*{{1,5}}|(?:\u2b50\ufe0f?){{1,5}})(?=$|\s|{_PUNCT}))",
    re.IGNORECASE,
)
_COMMENT_LEAD = " \t-–—:,.;!)"


@dataclass(frozen=True)
class Rating:
    value: int
    comment: str


def parse_rating(text: str) -> Rating | None:
    """The rating at the start of `text` and the comment after it, or None."""
    body = text.strip()
    match = _RATING.match(body)
    if match is None:
        return None
    value = _value(match)
    if value is None:
        return None
    comment = body[match.end():].lstrip(_COMMENT_LEAD).strip()
    return Rating(value, comment)


def _value(match: re.Match[str]) -> int | None:
    if match.group("digit"):
        return int(match.group("digit"))
    for group, table in (("number", NUMBER_WORDS), ("phrase", SATISFACTION)):
        if match.group(group):
            return table[" ".join(match.group(group).lower().split())]
    filled = sum(1 for char in match.group("stars") if char in "\u2605*\u2b50")
    return filled or None


def store_feedback(session: Session, ticket: Ticket, rating: Rating, *, actor: str,
                   at: datetime, inbound_id: int | None) -> Feedback:
    """One feedback row per ticket; a second rating updates it and the history says so."""
    row = session.scalar(select(Feedback).where(Feedback.ticket_id == ticket.id))
    data = {"rating": rating.value, "comment": rating.comment}
    if row is None:
        row = Feedback(ticket_id=ticket.id, rating=rating.value, comment=rating.comment,
                       created_at=at, updated_at=at)
        session.add(row)
        note = f"rating {rating.value}/5"
    else:
        data.update(updated=True, previous_rating=row.rating, previous_comment=row.comment)
        note = f"rating updated from {row.rating}/5 to {rating.value}/5"
        row.rating, row.comment, row.updated_at = rating.value, rating.comment, at
    record(session, ticket, "feedback", actor=actor, at=at, inbound_id=inbound_id,
           note=note + (f": {rating.comment}" if rating.comment else ""), data=data,
           public=True)   # the reporter's own rating
    session.flush()
    return row
