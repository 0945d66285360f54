"""Suggested service, category, urgency and impact for a new report.

Keyword rules from configuration; the reporter's role decides urgency first (ITIL table 3:
heads of office and department report at High). Every suggestion carries the reason it was
made, so the history can show why and an agent can confirm or correct it."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping, Sequence


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
    reasons: Mapping[str, str] = field(default_factory=dict)


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
    reasons: dict[str, str] = {}
    service = _first_match(text, rules.services)
    category = _first_match(text, rules.categories)
    if service:
        reasons["service"] = f"mentions '{service[1]}'"
    if category:
        reasons["category"] = f"mentions '{category[1]}'"
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


def _urgency(rules: TriageRules, text: str, role: str, reasons: dict[str, str]) -> str:
    if role in rules.role_urgency:
        reasons["urgency"] = f"reported by {role.replace('_', ' ')}"
        return rules.role_urgency[role]
    return _level_from_words(rules.outage_words, text, rules.default_urgency, "urgency", reasons)


def _level_from_words(
    table: Mapping[str, Sequence[str]], text: str, default: str, what: str, reasons: dict[str, str]
) -> str:
    for level, words in table.items():  # most severe level first, as configured
        for word in words:
            if _contains(text, _normalise(word).strip()):
                reasons[what] = f"mentions '{word}'"
                return level
    reasons[what] = "default"
    return default
