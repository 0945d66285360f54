"""The ticket page's forms as an agent's mail would say them: command lines in the agent's
language (workflow/command_grammar.py reads both), one value per line. A value is put on one line
(newlines become spaces), so no text box can add a command; free text (the note, the message
to the reporter, the escalation's description) travels beside the lines, never in them."""
from __future__ import annotations

from typing import Callable, Mapping

from web.services import AgentAction
from web.words import KEYWORDS

FORMS = ("status", "triage", "assign", "escalate", "message", "note", "close")


def one_line(value: str | None) -> str:
    return " ".join((value or "").split())[:2000]


def text(value: str | None) -> str:
    """Free text as typed, without the browser's CR and surrounding blank lines."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()[:20000]


def _line(lang: str, name: str, value: str) -> str:
    return f"{KEYWORDS[lang][name]}: {value}"


def _status_value(lang: str, value: str) -> str:
    """in_progress / closed as the grammar's word; anything else is passed on for the parser
    to refuse, exactly as a mistyped mail would be."""
    return KEYWORDS[lang].get(value, value) if value in ("in_progress", "closed") else value


def build(form: str, number: str, agent: str, lang: str, values: Mapping[str, str]) -> AgentAction:
    """The AgentAction of one submitted form; KeyError for an unknown form."""
    lang = lang if lang in KEYWORDS else "en"
    return _BUILDERS[form](number, agent, lang, values)


def _status(number: str, agent: str, lang: str, v: Mapping[str, str]) -> AgentAction:
    return AgentAction(number, agent, (_line(lang, "status", _status_value(lang, one_line(v.get("status")))),))


def _triage(number: str, agent: str, lang: str, v: Mapping[str, str]) -> AgentAction:
    lines = [_line(lang, name, one_line(v.get(name))) for name in ("urgency", "impact")]
    lines += [_line(lang, name, one_line(v.get(name))) for name in ("service", "category")
              if one_line(v.get(name))]   # an empty select: not set, as a mail without the line
    return AgentAction(number, agent, tuple(lines))


def _assign(number: str, agent: str, lang: str, v: Mapping[str, str]) -> AgentAction:
    return AgentAction(number, agent, (_line(lang, "assign", one_line(v.get("agent"))),))


def _escalate(number: str, agent: str, lang: str, v: Mapping[str, str]) -> AgentAction:
    """Fig. 14: ticket number (the page's), handling status, level, handler's name, description."""
    level = one_line(v.get("level"))
    target = KEYWORDS[lang]["hierarchical"] if level == "hierarchical" else level
    handler = one_line(v.get("handler"))
    lines = []
    if one_line(v.get("handling_status")) == "in_progress":
        lines.append(_line(lang, "status", KEYWORDS[lang]["in_progress"]))
    lines.append(_line(lang, "escalate", f"{target} {handler}".strip()))
    return AgentAction(number, agent, tuple(lines), description=text(v.get("description")))


def _message(number: str, agent: str, lang: str, v: Mapping[str, str]) -> AgentAction:
    return AgentAction(number, agent, reply=text(v.get("message")))


def _note(number: str, agent: str, lang: str, v: Mapping[str, str]) -> AgentAction:
    return AgentAction(number, agent, note=text(v.get("note")))


def _close(number: str, agent: str, lang: str, v: Mapping[str, str]) -> AgentAction:
    """Fig. 15: the resolution, and a message for the reporter riding in the closure mail."""
    lines = (_line(lang, "status", KEYWORDS[lang]["closed"]),
             _line(lang, "resolution", one_line(v.get("resolution"))))
    return AgentAction(number, agent, lines, reply=text(v.get("message")))


_BUILDERS: Mapping[str, Callable[[str, str, str, Mapping[str, str]], AgentAction]] = {
    "status": _status, "triage": _triage, "assign": _assign, "escalate": _escalate,
    "message": _message, "note": _note, "close": _close,
}
