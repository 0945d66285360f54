"""How configured values are written in the sentences the rules compose (confirmation lines,
history notes). Templates localise everything else."""
from __future__ import annotations

# the command grammar's words for the default levels; other configured levels show as written
LEVEL_WORDS = {"id": {"high": "tinggi", "medium": "sedang", "low": "rendah"}}


def level_word(level: str | None, lang: str) -> str | None:
    return LEVEL_WORDS.get(lang, {}).get(level or "", level)
