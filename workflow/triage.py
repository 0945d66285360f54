"""Suggested service, category, urgency and impact for a new report.

Keyword rules from configuration; the reporter's role decides urgency first (ITIL table 3:
heads of office and department report at High). Every suggestion carries the reason it was
made, so the history can show why and an agent can confirm or correct it.

A reason is data, not a sentence: {"rule": "mentions", "word": "ipos"}, {"rule": "role",
"role": "head_of_office"} or {"rule": "default"}. It is stored with the ticket and worded in
the reader's language when shown (templates/<lang>/triage_words.jinja, web/words.py), so an
Indonesian mail never carries an English reason. `reason_data` reads the English sentences
stored before reasons were data."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

Reason = dict[str, str]    # {"rule": "mentions" | "role" | "default", "word"?, "role"?}


@dataclass(frozen=True)
class TriageRules:
    services: Mapping[str, Sequence[str]]          # service code -> aliases (lowercase)
    categories: Mapping[str, Sequence[str]]        # category code -> keywords, in priority order
    role_urgency: Mapping[str, str]                # reporter role -> urgency
    outage_words: Mapping[str, Sequence[str]]      # urgency -> words
    impact_words: Mapping[str, Sequence[str]]      # impact -> words
    default_urgency: str = "medium"
    default_impact: str = "low"


@dataclass(frozen=True)
class Suggestion:
    service: str | None
    category: str | None
    symptom: str | None
    urgency: str
    impact: str
    reasons: Mapping[str, Reason] = field(default_factory=dict)


def _normalise(text: str) -> str:
    return " " + re.sub(r"[^\w@./-]+", " ", text.lower()) + " "


def _contains(haystack: str, word: str) -> bool:
    return f" {word.lower()} " in haystack


def _first_match(haystack: str, table: Mapping[str, Sequence[str]]) -> tuple[str, str] | None:
    """The table key whose longest word occurs in the text: longer phrases are more specific
    ("server down" beats "down")."""
    best: tuple[int, str, str] | None = None
    for key, words in table.items():
        for word in words:
            if _contains(haystack, _normalise(word).strip()) and (best is None or len(word) > best[0]):
                best = (len(word), key, word)
    return (best[1], best[2]) if best else None


def suggest(rules: TriageRules, subject: str, body: str, reporter_role: str) -> Suggestion:
    text = _normalise(f"{subject}\n{body}")
    reasons: dict[str, Reason] = {}
    service = _first_match(text, rules.services)
    category = _first_match(text, rules.categories)
    if service:
        reasons["service"] = mentions(service[1])
    if category:
        reasons["category"] = mentions(category[1])
    urgency = _urgency(rules, text, reporter_role, reasons)
    impact = _level_from_words(rules.impact_words, text, rules.default_impact, "impact", reasons)
    return Suggestion(
        service=service[0] if service else None,
        category=category[0] if category else None,
        symptom=category[1] if category else None,
        urgency=urgency,
        impact=impact,
        reasons=reasons,
    )


def mentions(word: str) -> Reason:
    """The text names `word` (a service alias, category keyword or outage/impact word)."""
    return {"rule": "mentions", "word": word}


def _urgency(rules: TriageRules, text: str, role: str, reasons: dict[str, Reason]) -> str:
    if role in rules.role_urgency:
        reasons["urgency"] = {"rule": "role", "role": role}
        return rules.role_urgency[role]
    return _level_from_words(rules.outage_words, text, rules.default_urgency, "urgency", reasons)


def _level_from_words(
    table: Mapping[str, Sequence[str]], text: str, default: str, what: str, reasons: dict[str, Reason]
) -> str:
    for level, words in table.items():  # most severe level first, as configured
        for word in words:
            if _contains(text, _normalise(word).strip()):
                reasons[what] = mentions(word)
                return level
    reasons[what] = {"rule": "default"}
    return default


_LEGACY_MENTIONS = re.compile(r"mentions '(.*)'", re.S)
_LEGACY_ROLE = re.compile(r"reported by ([a-z ]+)")


def reason_data(stored: Any) -> Reason:
    """A stored reason as data, whatever its age: tickets logged before reasons were data hold
    English sentences ("mentions 'ipos'", "reported by head of office", "default"); those are
    read back into the same data, and anything else is kept as {"rule": "text"} to show as is."""
    if isinstance(stored, Mapping) and stored.get("rule") in ("mentions", "role", "default"):
        return {str(k): str(v) for k, v in stored.items()}
    text = str(stored or "").strip()
    if text == "default":
        return {"rule": "default"}
    if found := _LEGACY_MENTIONS.fullmatch(text):
        return mentions(found.group(1))
    if found := _LEGACY_ROLE.fullmatch(text):
        return {"rule": "role", "role": found.group(1).replace(" ", "_")}
    return {"rule": "text", "text": text}
