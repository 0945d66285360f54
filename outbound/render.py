"""Jinja rendering of notifications, one folder of templates per language.

Each kind has `<kind>.txt` (which also sets `subject`) and `<kind>.html`. HTML autoescapes;
a reporter's words arrive only as values in the context, never as template source.

Filters the templates use (facts carry aware UTC datetimes; people read the desk's time):
  `local`   a datetime (or ISO string) -> "23-11-2026 09:10 WITA" in the desk's time zone
  `status`  a status value -> its label in the mail's language ("Dalam Proses")
  `label`   a configured value (high, medium, low) -> its label in the mail's language
  `gsm`     free text in an SMS template -> GSM characters, clipped: `{{ name|gsm(20) }}`
            (outbound/sms_text.py)

An SMS kind (`sms_<kind>`) has only `<kind>.txt`, rendered by `render_text`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context

from models import resources
from outbound.sms_text import gsm_clip
from workflow.status import LABELS

DEFAULT_TEMPLATES = resources.templates()   # templates/ of the checkout or of the installed wheel


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def format_local(moment: datetime | str | None, tz: ZoneInfo | None) -> str:
    """`dd-mm-YYYY HH:MM ZONE` in `tz`; "-" for nothing. Naive values are taken as UTC."""
    if moment is None or moment == "":
        return "-"
    if isinstance(moment, str):
        text = moment
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    local = moment.astimezone(tz or timezone.utc)
    return f"{local:%d-%m-%Y %H:%M} {local.tzname()}"


@pass_context
def _local(ctx: Context, moment: datetime | str | None) -> str:
    return format_local(moment, ctx.get("tz"))


@pass_context
def _status(ctx: Context, value: str | None) -> str:
    labels = LABELS.get(str(ctx.get("lang")), LABELS["en"])
    return next((text for status, text in labels.items() if status.value == value), value or "-")


@pass_context
def _label(ctx: Context, value: str | None) -> str:
    labels = ctx.get("labels") or {}
    return str(labels.get(value, value)) if value else "-"


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
            auto_reload=False,  # templates change with a release, not while running: no stat per mail
        )
        self.env.filters.update(local=_local, status=_status, label=_label, gsm=gsm_clip)

    def language(self, *choices: str | None) -> str:
        """The first of `choices` that has templates, else the first language we have."""
        return next((c for c in choices if c in self.languages), self.languages[0])

    def render(self, kind: str, language: str, context: Mapping[str, Any]) -> Rendered:
        lang = self.language(language)
        text_template = self.env.get_template(f"{lang}/{kind}.txt")
        module = text_template.make_module(dict(context))
        subject = " ".join(str(getattr(module, "subject", "")).split())
        html = self.env.get_template(f"{lang}/{kind}.html").render(dict(context), subject=subject)
        return Rendered(subject=subject, text=str(module).strip() + "\n", html=html)

    def render_text(self, kind: str, language: str, context: Mapping[str, Any]) -> str:
        """Only `<lang>/<kind>.txt`, as text: an SMS has no subject and no HTML part."""
        return self.env.get_template(f"{self.language(language)}/{kind}.txt").render(dict(context))
