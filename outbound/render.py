"""Jinja rendering of notifications, one folder of templates per language.

Each kind has `<kind>.txt` (which also sets `subject`) and `<kind>.html`. HTML autoescapes;
a reporter's words arrive only as values in the context, never as template source."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

DEFAULT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


class Renderer:
    def __init__(self, templates: Path = DEFAULT_TEMPLATES, languages: tuple[str, ...] = ("id", "en")) -> None:
        self.languages = languages
        self.env = Environment(
            loader=FileSystemLoader(str(templates)),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )

    def render(self, kind: str, language: str, context: Mapping[str, Any]) -> Rendered:
        lang = language if language in self.languages else self.languages[0]
        text_template = self.env.get_template(f"{lang}/{kind}.txt")
        module = text_template.make_module(dict(context))
        subject = " ".join(str(getattr(module, "subject", "")).split())
        html = self.env.get_template(f"{lang}/{kind}.html").render(dict(context), subject=subject)
        return Rendered(subject=subject, text=str(module).strip() + "\n", html=html)
