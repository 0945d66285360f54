"""Agent command lines at the top of a reply: read them, never apply them.

An agent works on a ticket by replying to the desk's mail with lines such as
``Status: closed`` or ``Urgensi: tinggi`` before any other text. This module turns
those lines into normalised commands and bilingual (English/Indonesian) error
messages; the workflow decides what the commands do. It does no I/O and reads no
configuration: the caller passes a `Vocabulary` built from configuration, so the
parser never hard-codes a service, a category or the number of support levels.

Where the command lines end
    Leading blank lines are skipped. Command lines then run until the first line
    that is not a command line: a blank line or any other text. Everything from
    there on, stripped, is the comment. The caller has already removed quoted
    history.

Unknown keywords (the rule)
    A line shaped like ``Word: value`` whose keyword is not known is read as a
    mistyped command -- an error naming the known keywords, and the command lines
    go on -- when its value is not empty, the value is not a URL (``http://...``),
    and its keyword is either one word of at least three letters (``Stauts:
    closed``, ``Note: rebooted``, ``Budi: tolong dicek``) or several words of which
    the first is a known keyword (``Escalate to: 2``, ``Status update: done``).
    Every other such line (``Hi team:``, ``Pak Budi: tolong dicek``, ``Catatan:``,
    ``C: penuh``) is ordinary text: it ends the command lines and starts the
    comment. Why: a salutation or a heading is usually several words or has
    nothing after the colon, while a typo in a command is one word followed by a
    value, and silently dropping ``Stauts: closed`` would leave the agent believing
    the ticket was closed.

The message to the reporter
    A line ``Balas:`` or ``Reply:`` (alone, or with text after the colon) ends the command
    lines wherever it comes and starts the message to the reporter: its text and every line
    after it. The comment before it (after the command lines) is the internal note, which
    the reporter never sees. Without such a line the whole comment is an internal note. Why a
    marker rather than "the comment goes to the reporter": agents write to each other under
    their commands ("rollback disetujui kepala"), and that must never reach a reporter.

Commands that came too late
    A line with a known keyword in the first paragraph of the comment (for
    example after a salutation, or after a blank line that an HTML-to-text
    conversion put between two commands) is not applied, but it is reported, for
    the same reason: an agent must never think a command was taken when it was not.

Other rules
    * Priority is never typed: ``Priority:`` / ``Prioritas:`` is refused, saying
      it comes from urgency x impact.
    * An empty value, an unknown value or an escalation level outside
      2..max_level is an error (level 1 is the service desk itself).
    * The same keyword twice with the same meaning (``Status: closed`` and
      ``Status: tutup``) counts once; with different meanings it is an error and
      neither is applied, because the desk cannot know which one was meant.
    * Keywords and values are case-insensitive. Outlook/markdown artefacts are
      tolerated: leading ``*``, ``-`` or bullets, bold markers around keyword or
      value, non-breaking and zero-width spaces, the full-width colon ``：``,
      trailing spaces and a value wrapped in quotes.
"""
from __future__ import annotations

import difflib
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from models.states import EscalationKind

__all__ = [
    "Command",
    "CommandError",
    "ParsedReply",
    "Vocabulary",
    "help_text",
    "keyword",
    "level_word",
    "parse_commands",
    "starts_with_reporter",
]


@dataclass(frozen=True)
class Vocabulary:
    """What the configuration allows, passed in so the parser stays free of configuration."""

    services: Mapping[str, str]  # lowercased name or alias -> service code
    categories: Mapping[str, str]  # lowercased code/alias -> category code
    max_level: int = 3


@dataclass(frozen=True)
class Command:
    """One accepted command, normalised so the workflow never sees language or spelling."""

    name: str  # status | urgency | impact | service | category | escalate | assign | resolution
    value: str
    target: str | None  # escalate's optional target
    line: str  # the original line, for messages


@dataclass(frozen=True)
class CommandError:
    """A line that was not applied, with the reason in both languages of the desk."""

    line: str
    message_en: str
    message_id: str


@dataclass(frozen=True)
class ParsedReply:
    """Everything the workflow needs from a reply body."""

    commands: tuple[Command, ...]
    errors: tuple[CommandError, ...]
    comment: str  # body after the command lines, stripped
    note: str = ""  # the internal part of the comment: before a Balas:/Reply: line, stripped
    reply: str | None = None  # the message to the reporter (after Balas:/Reply:), or None


@dataclass(frozen=True)
class _Reason:
    """Why a value was refused, before it is tied to its line."""

    en: str
    id: str


# --------------------------------------------------------------------------- keywords

PRIORITY = "priority"
HIERARCHICAL = EscalationKind.HIERARCHICAL

# Every accepted spelling -> command name. The help text is checked against this table.
_KEYWORDS: Mapping[str, str] = {
    "status": "status",
    "urgency": "urgency",
    "urgensi": "urgency",
    "impact": "impact",
    "dampak": "impact",
    "service": "service",
    "layanan": "service",
    "category": "category",
    "kategori": "category",
    "escalate": "escalate",
    "escalation": "escalate",
    "eskalasi": "escalate",
    "assign": "assign",
    "tugaskan": "assign",
    "resolution": "resolution",
    "solution": "resolution",
    "solusi": "resolution",
    "penyelesaian": "resolution",
    "priority": PRIORITY,
    "prioritas": PRIORITY,
}

# Keywords of a new mail to the desk that logs a phone or walk-in report for someone else
# (workflow/agent_mail.py handle_logged_mail): read only with parse_commands(intake=True).
# In a reply on a ticket they are refused with a reason, never taken for a typo.
REPORTER, PHONE = "reporter", "phone"
_INTAKE_KEYWORDS: Mapping[str, str] = {
    "pelapor": REPORTER,
    "reporter": REPORTER,
    "telepon": PHONE,
    "phone": PHONE,
}
_INTAKE_DISPLAY: Mapping[str, Mapping[str, str]] = {
    "en": {REPORTER: "Reporter", PHONE: "Phone"},
    "id": {REPORTER: "Pelapor", PHONE: "Telepon"},
}

# The spelling shown in messages, per language.
_DISPLAY: Mapping[str, Mapping[str, str]] = {
    "en": {
        "status": "Status",
        "urgency": "Urgency",
        "impact": "Impact",
        "service": "Service",
        "category": "Category",
        "escalate": "Escalate",
        "assign": "Assign",
        "resolution": "Resolution",
    },
    "id": {
        "status": "Status",
        "urgency": "Urgensi",
        "impact": "Dampak",
        "service": "Layanan",
        "category": "Kategori",
        "escalate": "Eskalasi",
        "assign": "Tugaskan",
        "resolution": "Solusi",
    },
}

# --------------------------------------------------------------------------- values

_STATUS: Mapping[str, str] = {
    "in progress": "in_progress",
    "on progress": "in_progress",
    "progress": "in_progress",
    "proses": "in_progress",
    "dalam proses": "in_progress",
    "diproses": "in_progress",
    "closed": "closed",
    "close": "closed",
    "tutup": "closed",
    "ditutup": "closed",
    "selesai": "closed",
}

_LEVELS: Mapping[str, str] = {
    "high": "high",
    "medium": "medium",
    "low": "low",
    "tinggi": "high",
    "sedang": "medium",
    "rendah": "low",
}

# name -> (spelling -> value, allowed values as told in each language)
_CHOICES: Mapping[str, tuple[Mapping[str, str], Mapping[str, str]]] = {
    "status": (_STATUS, {"en": "in progress, closed", "id": "proses, tutup"}),
    "urgency": (_LEVELS, {"en": "high, medium, low", "id": "tinggi, sedang, rendah"}),
    "impact": (_LEVELS, {"en": "high, medium, low", "id": "tinggi, sedang, rendah"}),
}

# Words that ask for hierarchical escalation (to the head of SOLTEK), longest first so
# "kepala soltek budi" leaves "budi" as the target rather than "soltek budi".
_HIERARCHICAL_WORDS: tuple[str, ...] = tuple(
    sorted(
        (
            "hierarchical",
            "hierarchy",
            "hierarki",
            "hierarkis",
            "hirarki",
            "head",
            "head of soltek",
            "head of office",
            "kepala",
            "kepala soltek",
            "kepala kantor",
            "soltek",
        ),
        key=len,
        reverse=True,
    )
)

# --------------------------------------------------------------------------- line shape

_REPLY_LINE = re.compile(r"^(?:balas|reply)[\s*_]*:\s*(.*)$", re.IGNORECASE)
_LINE = re.compile(r"^([A-Za-z][A-Za-z ]{0,20}?)[\s*_]*:\s*(.*)$")
_LEVEL = re.compile(r"^(?:level|tingkat|lvl|l)?\s*(\d+)\b[\s,;:-]*(.*)$", re.IGNORECASE)
_TARGET_PREFIX = re.compile(r"^(?:to|ke|kepada)(?:\s+|$)", re.IGNORECASE)
_QUOTES: tuple[tuple[str, str], ...] = (
    ('"', '"'),
    ("'", "'"),
    ("\u201c", "\u201d"),
    ("\u2018", "\u2019"),
    ("\u00ab", "\u00bb"),
    ("\u201e", "\u201c"),
)
# Invisible characters vanish; odd spaces become spaces; full-width colons become colons.
_ARTEFACTS = {
    **dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None),
    **{ord(c): " " for c in "\u00a0\u2007\u202f\u3000\t"},
    **{ord(c): ":" for c in "\uff1a\ufe55\ufe13"},
}
_LEADING_MARKS = "*_-\u2022\u00b7\u2013 "


def _clean(raw: str) -> str:
    """The line as the agent meant it, without what Outlook or markdown added around it."""
    return raw.translate(_ARTEFACTS).strip().lstrip(_LEADING_MARKS).strip()


def _unquote(value: str) -> str:
    """Drop one pair of quotes around the whole value; agents quote values from the help."""
    for left, right in _QUOTES:
        if len(value) >= 2 and value.startswith(left) and value.endswith(right):
            return value[len(left) : -len(right)].strip()
    return value


def _split(raw: str) -> tuple[str, str] | None:
    """(keyword, value) when the line is shaped like a command, else None."""
    match = _LINE.match(_clean(raw))
    if match is None:
        return None
    value = _unquote(match.group(2).strip(" *"))
    return match.group(1).strip(), value


def _key(text: str) -> str:
    """Lower case with single spaces: how keywords and aliases are compared."""
    return " ".join(text.lower().split())


def _is_blank(raw: str) -> bool:
    return not _clean(raw)


def _reply_text(raw: str) -> str | None:
    """The text after ``Balas:``/``Reply:`` when the line starts the message to the reporter."""
    match = _REPLY_LINE.match(_clean(raw))
    return None if match is None else match.group(1).strip(" *")


def _looks_mistyped(keyword: str, value: str) -> bool:
    """The unknown-keyword rule of the module docstring: a typo, not a salutation."""
    if not value or value.startswith("//"):
        return False
    words = keyword.split()
    if len(words) == 1:
        return len(words[0]) >= 3
    return _key(words[0]) in _KEYWORDS


# --------------------------------------------------------------------------- messages


def _known_keywords(lang: str) -> str:
    return ", ".join(_DISPLAY[lang].values())


def _unknown_keyword(keyword: str) -> _Reason:
    """Name the known keywords, and the nearest one when the keyword looks like a typo."""
    guess = difflib.get_close_matches(keyword.lower(), _KEYWORDS, n=1, cutoff=0.75)
    hint_en = hint_id = ""
    if guess:
        spelled = guess[0].capitalize()
        hint_en, hint_id = f" (did you mean '{spelled}'?)", f" (maksudnya '{spelled}'?)"
    return _Reason(
        f"unknown keyword '{keyword}'{hint_en}; known: {_known_keywords('en')}",
        f"kata kunci '{keyword}' tidak dikenal{hint_id}; yang dikenal: {_known_keywords('id')}",
    )


_PRIORITY_REFUSED = _Reason(
    "priority cannot be set: it comes from urgency x impact; set Urgency and Impact instead",
    "prioritas tidak bisa diisi: prioritas ditentukan dari urgensi x dampak; "
    "isi Urgensi dan Dampak",
)

_TOO_LATE = _Reason(
    "not applied: command lines must come first, together, before any blank line or text",
    "tidak diterapkan: baris perintah harus paling atas, berurutan, "
    "sebelum baris kosong atau teks lain",
)


def _shown(lang: str, name: str) -> str:
    return _DISPLAY[lang].get(name) or _INTAKE_DISPLAY[lang][name]


def keyword(lang: str, name: str) -> str:
    """The keyword of command `name` as written in `lang` ("en" or "id"): the lines a
    form or the CLI builds, and the label of a refused field, read as a mail would."""
    return _shown(lang if lang in _DISPLAY else "en", name)


def _empty(name: str) -> _Reason:
    return _Reason(f"{_shown('en', name)} needs a value", f"{_shown('id', name)} perlu diisi")


_INTAKE_ONLY = _Reason(
    "Reporter and Phone belong only at the top of a new mail to the desk that logs a phone or "
    "walk-in report; on an existing ticket the reporter cannot be changed",
    "Pelapor dan Telepon hanya untuk baris teratas e-mail baru ke desk yang mencatat laporan "
    "lewat telepon atau datang langsung; pelapor tiket yang sudah ada tidak dapat diubah",
)


def _conflict(name: str) -> _Reason:
    return _Reason(
        f"{_shown('en', name)} is given more than once with different values; "
        "none of them was applied",
        f"{_shown('id', name)} diisi lebih dari sekali dengan nilai berbeda; "
        "tidak ada yang diterapkan",
    )


def _levels_text(max_level: int, lang: str) -> str:
    """The levels an agent may escalate to, as told in `lang`."""
    if max_level < 2:
        return "none configured" if lang == "en" else "belum dikonfigurasi"
    return "2" if max_level == 2 else f"2..{max_level}"


# --------------------------------------------------------------------------- value parsers

_Outcome = tuple[str, str | None] | _Reason
_Parser = Callable[[str, Vocabulary], _Outcome]


def _word(value: str) -> str:
    """A value compared as a word: case, hyphens, underscores and end punctuation ignored."""
    return _key(value.replace("-", " ").replace("_", " ").rstrip(".!,;"))


def _parse_choice(name: str, value: str, _vocabulary: Vocabulary) -> _Outcome:
    """Status, urgency, impact: one of a fixed set of words in either language."""
    spellings, allowed = _CHOICES[name]
    found = spellings.get(_word(value))
    if found is not None:
        return found, None
    return _Reason(
        f"unknown value '{value}' for {_DISPLAY['en'][name]}; allowed: {allowed['en']}",
        f"nilai '{value}' untuk {_DISPLAY['id'][name]} tidak dikenal; "
        f"pilihan: {allowed['id']}",
    )


def _code_key(text: str) -> str:
    """Compare codes and aliases ignoring case, spacing and spaces around '/'."""
    return re.sub(r"\s*/\s*", "/", _key(text.rstrip(".!,;")))


def _lookup(value: str, table: Mapping[str, str]) -> str | None:
    """The code for `value`; codes themselves count as aliases, configured aliases win."""
    keys = {_code_key(code): code for code in table.values()}
    keys.update({_code_key(alias): code for alias, code in table.items()})
    return keys.get(_code_key(value))


def _parse_catalogue(name: str, value: str, vocabulary: Vocabulary) -> _Outcome:
    """Service and category: a configured code or alias."""
    table = vocabulary.services if name == "service" else vocabulary.categories
    code = _lookup(value, table)
    if code is not None:
        return code, None
    codes = ", ".join(sorted(set(table.values())))
    noun_en, noun_id = ("service", "layanan") if name == "service" else ("category", "kategori")
    return _Reason(
        f"unknown {noun_en} '{value}'; known: {codes or 'none configured'}",
        f"{noun_id} '{value}' tidak dikenal; yang dikenal: {codes or 'belum dikonfigurasi'}",
    )


def _target(text: str) -> str | None:
    """A name or address after the command, without a leading 'to'/'ke' or quotes."""
    cleaned = _unquote(_TARGET_PREFIX.sub("", text.strip()).strip())
    return cleaned if any(char.isalnum() for char in cleaned) else None


def _hierarchical(value: str) -> _Outcome | None:
    """('hierarchical', target) when the value asks for the head of SOLTEK, else None."""
    words = value.split()
    lowered = _key(value)
    for phrase in _HIERARCHICAL_WORDS:
        if lowered == phrase or lowered.startswith(phrase + " "):
            return HIERARCHICAL, _target(" ".join(words[len(phrase.split()) :]))
    return None


def _check_level(level: int, max_level: int) -> _Reason | None:
    """Level 1 is the desk itself, so functional escalation goes to 2..max_level."""
    allowed_en, allowed_id = _levels_text(max_level, "en"), _levels_text(max_level, "id")
    if level == 1:
        return _Reason(
            f"level 1 is the service desk itself; escalate to level {allowed_en}",
            f"tingkat 1 adalah service desk sendiri; eskalasi ke tingkat {allowed_id}",
        )
    if not 2 <= level <= max_level:
        return _Reason(
            f"level {level} does not exist; levels are {allowed_en}",
            f"tingkat {level} tidak ada; tingkat yang ada {allowed_id}",
        )
    return None


def _parse_escalate(value: str, vocabulary: Vocabulary) -> _Outcome:
    """'2 [target]' for functional escalation, or a head/soltek word for hierarchical."""
    hierarchical = _hierarchical(value)
    if hierarchical is not None:
        return hierarchical
    match = _LEVEL.match(value)
    if match is None:
        allowed_en = _levels_text(vocabulary.max_level, "en")
        allowed_id = _levels_text(vocabulary.max_level, "id")
        return _Reason(
            f"Escalate needs a level ({allowed_en}) or 'head' for hierarchical escalation, "
            f"then an optional name or address; got '{value}'",
            f"Eskalasi perlu tingkat ({allowed_id}) atau 'kepala soltek' untuk eskalasi "
            f"hierarkis, lalu nama atau alamat (opsional); tertulis '{value}'",
        )
    level = int(match.group(1))
    refused = _check_level(level, vocabulary.max_level)
    return refused if refused is not None else (str(level), _target(match.group(2)))


def _parse_free(name: str, value: str, _vocabulary: Vocabulary) -> _Outcome:
    """Assign and resolution: free text, kept as written ('to'/'ke' dropped for assign)."""
    text = _target(value) if name == "assign" else value
    return (text, None) if text else _empty(name)


_PARSERS: Mapping[str, _Parser] = {
    "status": lambda value, voc: _parse_choice("status", value, voc),
    "urgency": lambda value, voc: _parse_choice("urgency", value, voc),
    "impact": lambda value, voc: _parse_choice("impact", value, voc),
    "service": lambda value, voc: _parse_catalogue("service", value, voc),
    "category": lambda value, voc: _parse_catalogue("category", value, voc),
    "escalate": _parse_escalate,
    "assign": lambda value, voc: _parse_free("assign", value, voc),
    "resolution": lambda value, voc: _parse_free("resolution", value, voc),
    REPORTER: lambda value, voc: (value, None),
    PHONE: lambda value, voc: (value, None),
}

# --------------------------------------------------------------------------- lines

_Entry = tuple[int, Command | CommandError]


def _error(line: str, reason: _Reason) -> CommandError:
    return CommandError(line, reason.en, reason.id)


def _interpret(name: str, value: str, line: str, vocabulary: Vocabulary) -> Command | CommandError:
    """A line with a known keyword -> a command, or the reason it cannot be one."""
    if name == PRIORITY:
        return _error(line, _PRIORITY_REFUSED)
    if not value:
        return _error(line, _empty(name))
    outcome = _PARSERS[name](value, vocabulary)
    if isinstance(outcome, _Reason):
        return _error(line, outcome)
    normalised, target = outcome
    return Command(name, normalised, target, line)


def _read_line(raw: str, vocabulary: Vocabulary, intake: bool = False) -> Command | CommandError | None:
    """None when the line is not a command line, i.e. where the comment starts."""
    split = _split(raw)
    if split is None:
        return None
    keyword, value = split
    name = _KEYWORDS.get(_key(keyword))
    if name is None and _key(keyword) in _INTAKE_KEYWORDS:
        if not intake:
            return _error(raw.strip(), _INTAKE_ONLY)
        name = _INTAKE_KEYWORDS[_key(keyword)]
    if name is not None:
        return _interpret(name, value, raw.strip(), vocabulary)
    if _looks_mistyped(keyword, value):
        return _error(raw.strip(), _unknown_keyword(keyword))
    return None


def _first_non_blank(lines: Sequence[str], start: int = 0) -> int:
    index = start
    while index < len(lines) and _is_blank(lines[index]):
        index += 1
    return index


def _read_command_lines(
    lines: Sequence[str], start: int, vocabulary: Vocabulary, intake: bool = False
) -> tuple[int, list[_Entry]]:
    """The entries of the command lines from `start`, and the index where the comment starts."""
    entries: list[_Entry] = []
    for index in range(start, len(lines)):
        if _is_blank(lines[index]) or _reply_text(lines[index]) is not None:
            return index, entries
        read = _read_line(lines[index], vocabulary, intake)
        if read is None:
            return index, entries
        entries.append((index, read))
    return len(lines), entries


def _too_late(lines: Sequence[str], comment_start: int, comment_end: int) -> list[_Entry]:
    """Known-keyword lines in the comment's first paragraph (before any message to the
    reporter, which is free text): reported, never applied."""
    entries: list[_Entry] = []
    index = _first_non_blank(lines, comment_start)
    while index < comment_end and not _is_blank(lines[index]):
        split = _split(lines[index])
        if split is not None and _key(split[0]) in _KEYWORDS:
            entries.append((index, _error(lines[index].strip(), _TOO_LATE)))
        index += 1
    return entries


def _settle_duplicates(entries: Sequence[_Entry]) -> list[_Entry]:
    """Same meaning twice counts once; different meanings drop the keyword with an error."""
    seen: dict[str, Command] = {}
    conflicts: dict[str, int] = {}
    kept: list[_Entry] = []
    for index, entry in entries:
        if isinstance(entry, Command):
            first = seen.setdefault(entry.name, entry)
            if first is not entry:
                if (first.value, first.target) != (entry.value, entry.target):
                    conflicts.setdefault(entry.name, index)
                continue
        kept.append((index, entry))
    kept = [(i, e) for i, e in kept if not (isinstance(e, Command) and e.name in conflicts)]
    for name, index in conflicts.items():
        line = next(e.line for i, e in entries if i == index)
        kept.append((index, _error(line, _conflict(name))))
    return kept


def _reply_start(lines: Sequence[str], start: int) -> int | None:
    """The index of the first Balas:/Reply: line from `start`, or None."""
    return next((i for i in range(start, len(lines)) if _reply_text(lines[i]) is not None), None)


def parse_commands(body: str, vocabulary: Vocabulary, intake: bool = False) -> ParsedReply:
    """Split a reply body into commands, errors (in line order), the comment, and the
    comment's two parts: the internal note and the message to the reporter. `intake`: the
    body of a new mail to the desk, where Reporter/Phone (Pelapor/Telepon) lines are read."""
    lines = body.splitlines()
    comment_start, entries = _read_command_lines(lines, _first_non_blank(lines), vocabulary, intake)
    reply_at = _reply_start(lines, comment_start)
    note_end = len(lines) if reply_at is None else reply_at
    entries = _settle_duplicates(entries) + _too_late(lines, comment_start, note_end)
    entries.sort(key=lambda entry: entry[0])
    reply = None
    if reply_at is not None:
        reply = "\n".join([_reply_text(lines[reply_at]) or "", *lines[reply_at + 1:]]).strip()
    return ParsedReply(
        commands=tuple(e for _, e in entries if isinstance(e, Command)),
        errors=tuple(e for _, e in entries if isinstance(e, CommandError)),
        comment="\n".join(lines[comment_start:]).strip(),
        note="\n".join(lines[comment_start:note_end]).strip(),
        reply=reply,
    )


def starts_with_reporter(body: str) -> bool:
    """Whether the first line of `body` is a Reporter/Pelapor line: a new mail that logs a
    phone or walk-in report (read with parse_commands(intake=True))."""
    lines = body.splitlines()
    index = _first_non_blank(lines)
    split = _split(lines[index]) if index < len(lines) else None
    return split is not None and _INTAKE_KEYWORDS.get(_key(split[0])) == REPORTER


# --------------------------------------------------------------------------- help

_HELP: Mapping[str, str] = {
    "en": """\
Commands go at the very top of your reply, one per line, before any other text:

  Status: in progress | closed
  Urgency: high | medium | low
  Impact: high | medium | low
  Service: <service code or alias>        e.g. Service: Ipos
  Category: <group/item>                  e.g. Category: hardware/server
  Escalate: <level> [name or address]     functional escalation, e.g. Escalate: 2 budi@example.com
  Escalate: head                          hierarchical escalation to the head of SOLTEK
  Assign: <name or address>               or Assign: me
  Resolution: <what was done>
  Reply: <message to the reporter>        and every line after it

The first blank line or line of other text ends the commands; everything after it
is your comment, an internal note the reporter never sees. A line "Reply:" starts
the message to the reporter: that text and every line after it are mailed to the
reporter from the desk; the text before it stays an internal note. Keywords and
values may be written in English or Indonesian, in any case. Level 1 is the service
desk itself, so escalation starts at level 2. Priority cannot be typed: it is
derived from urgency x impact.

All or nothing: one refused line and nothing is applied; the reply lists every
problem. Status: closed needs a Resolution (in the same mail or an earlier one); a
New ticket closed at once passes through In Progress. The service desk and the
ticket's assignee may close it. Commands count only in a reply to a mail the desk
sent to you (keep its In-Reply-To/References), or from a mail server the desk
trusts; otherwise the mail is kept as a comment and you are told why. Each accepted
mail is confirmed with the list of changes. A first line "status" (no colon) mails
you the ticket's state and recent history.

A report that came by phone or in person is logged with a new mail to the desk (not
a reply) whose first lines name the reporter, then any command lines above:

  Reporter: Name <address>                or only the name, with a Phone line
  Phone: <mobile number>                  optional; the reporter's SMS number

The subject becomes the ticket's subject and the text under the lines its
description; the reporter is acknowledged and you are recorded as who logged it.
Only mail that a server the desk trusts verified (DKIM/SPF) can log a report;
otherwise it becomes an ordinary report of yours and you are told why.
""",
    "id": """\
Perintah ditulis paling atas di balasan Anda, satu per baris, sebelum teks lain:

  Status: proses | tutup
  Urgensi: tinggi | sedang | rendah
  Dampak: tinggi | sedang | rendah
  Layanan: <kode atau alias layanan>      mis. Layanan: Ipos
  Kategori: <grup/item>                   mis. Kategori: hardware/server
  Eskalasi: <tingkat> [nama atau alamat]  eskalasi fungsional, mis. Eskalasi: 2 budi@example.com
  Eskalasi: kepala soltek                 eskalasi hierarkis ke kepala SOLTEK
  Tugaskan: <nama atau alamat>            atau Tugaskan: saya
  Solusi: <apa yang dikerjakan>
  Balas: <pesan untuk pelapor>            beserta semua baris sesudahnya

Baris kosong atau baris teks pertama mengakhiri perintah; semua setelahnya menjadi
komentar Anda, catatan internal yang tidak dilihat pelapor. Baris "Balas:" memulai
pesan untuk pelapor: teks itu dan semua baris sesudahnya dikirim ke pelapor atas
nama desk; teks sebelumnya tetap catatan internal. Kata kunci dan nilai boleh dalam
bahasa Inggris atau Indonesia, huruf besar atau kecil. Tingkat 1 adalah service
desk sendiri, jadi eskalasi dimulai dari tingkat 2. Prioritas tidak bisa diisi:
prioritas ditentukan dari urgensi x dampak.

Semua atau tidak sama sekali: satu baris ditolak berarti tidak ada yang diterapkan;
balasan desk menyebut setiap masalah. Status: tutup perlu Solusi (di e-mail yang
sama atau sebelumnya); tiket Baru yang langsung ditutup melewati Dalam Proses. Yang
boleh menutup: service desk dan petugas yang ditugaskan pada tiket. Perintah hanya
berlaku dalam balasan atas e-mail yang dikirim desk kepada Anda (jangan hapus In-
Reply-To/References), atau dari server e-mail yang dipercaya desk; selain itu
e-mail disimpan sebagai komentar dan Anda diberi tahu alasannya. Setiap e-mail yang
diterima dikonfirmasi dengan daftar perubahannya. Baris pertama "status" (tanpa
titik dua) mengirimkan status tiket dan riwayat terakhirnya.

Laporan yang masuk lewat telepon atau datang langsung dicatat dengan e-mail baru ke
desk (bukan balasan) yang baris pertamanya menyebut pelapor, lalu baris perintah di
atas:

  Pelapor: Nama <alamat>                  atau nama saja, dengan baris Telepon
  Telepon: <nomor ponsel>                 opsional; nomor SMS pelapor

Subjek menjadi subjek tiket dan teks di bawah baris itu menjadi uraiannya; pelapor
menerima tanda terima dan Anda dicatat sebagai yang mencatatnya. Hanya e-mail yang
diverifikasi server yang dipercaya desk (DKIM/SPF) yang dapat mencatat laporan;
selain itu e-mail menjadi laporan biasa dari Anda dan Anda diberi tahu alasannya.
""",
}

_ALSO = {"en": "All keyword spellings accepted", "id": "Semua ejaan kata kunci yang diterima"}


def _spellings(lang: str) -> str:
    """Every accepted keyword spelling, generated so the help never drifts from the parser."""
    words = ", ".join(word.capitalize() for word, name in {**_KEYWORDS, **_INTAKE_KEYWORDS}.items()
                      if name != PRIORITY)
    return textwrap.fill(f"{_ALSO[lang]}: {words}.", width=80)


def help_text(lang: str) -> str:
    """The grammar as printed by `incidentdesk help commands`, in "en" or "id" (or "id_ID")."""
    base = _key(lang).replace("-", "_").split("_")[0]
    if base not in _HELP:
        raise ValueError(f"no help in language {lang!r}; choose 'en' or 'id'")
    return f"{_HELP[base]}\n{_spellings(base)}\n"


# the grammar's words for the default levels in the sentences the rules compose (confirmation
# lines, history notes); other configured levels show as written
LEVEL_WORDS = {"id": {"high": "tinggi", "medium": "sedang", "low": "rendah"}}


def level_word(level: str | None, lang: str) -> str | None:
    return LEVEL_WORDS.get(lang, {}).get(level or "", level)
