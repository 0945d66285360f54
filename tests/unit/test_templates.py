"""Every notification the workflow can ask for renders in Indonesian and English, text and
HTML, for tickets of every priority; reporters' words stay data (escaped in HTML)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import workflow.notifications
from models import Person, Ticket
from outbound.context import build_context
from outbound.render import DEFAULT_TEMPLATES, Renderer, format_local
from tests.unit.template_support import DESK, FACTS, LOGGED, NAMES, RESOLUTION, SLA, local, ticket

KINDS = sorted(FACTS)
# kinds that show the SLA targets of the ticket
WITH_TARGETS = {"ack", "new_ticket", "followup", "status_changed", "reopened", "escalation", "assigned",
                "sla_warning", "sla_breach", "confirmation", "status_report"}


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def render(renderer: Renderer, kind: str, lang: str, t: Ticket | None, facts: dict[str, Any] | None = None):
    return renderer.render(kind, lang, build_context(DESK, t, lang, FACTS[kind] if facts is None else facts))


def test_every_kind_of_the_contract_has_a_template_pair_in_both_languages() -> None:
    doc = workflow.notifications.__doc__ or ""
    contract = set(re.findall(r"^- (\w+)", doc, re.M)) | set(re.findall(r"^  (sla_\w+)", doc, re.M))
    assert contract - {"digest", "login_link"} == set(KINDS)  # the two without a ticket
    for lang in ("id", "en"):
        for ext in ("txt", "html"):
            assert (DEFAULT_TEMPLATES / lang / f"login_link.{ext}").is_file(), f"{lang}/login_link.{ext}"
    for lang in ("id", "en"):
        for kind in KINDS:
            for ext in ("txt", "html"):
                assert (DEFAULT_TEMPLATES / lang / f"{kind}.{ext}").is_file(), f"{lang}/{kind}.{ext}"


@pytest.mark.parametrize("priority", sorted(SLA))
@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_template_renders_number_and_targets_in_wita_for_every_priority(
        renderer: Renderer, kind: str, lang: str, priority: str) -> None:
    t = ticket(priority)
    out = render(renderer, kind, lang, t)
    assert out.subject.startswith("[INC-000042]")
    assert "\n" not in out.subject
    for part in (out.text, out.html):
        assert "INC-000042" in part
    if kind in WITH_TARGETS:
        for due in (t.response_due, t.resolution_due):
            assert local(due) in out.text and local(due) in out.html
            assert local(due).endswith("WITA")
        assert priority in out.text and NAMES[priority] in out.text


@pytest.mark.parametrize("lang", ["id", "en"])
def test_closure_carries_the_resolution_and_asks_for_a_rating_from_1_to_5(renderer: Renderer, lang: str) -> None:
    out = render(renderer, "closure", lang, ticket("P1"))
    assert RESOLUTION in out.text and RESOLUTION in out.html
    assert re.search(r"\b1\b.*\b5\b", out.text)
    assert ("angka" if lang == "id" else "number") in out.text
    assert local(LOGGED + timedelta(hours=2)) in out.text     # closed at, in WITA


@pytest.mark.parametrize("lang, status, command", [("id", "Status: proses", "Urgensi: tinggi"),
                                                    ("en", "Status: in progress", "Urgency: high")])
def test_new_ticket_shows_suggested_triage_with_reasons_and_the_command_lines(
        renderer: Renderer, lang: str, status: str, command: str) -> None:
    out = render(renderer, "new_ticket", lang, ticket("P2"))
    assert ("menyebut 'ipos'" if lang == "id" else "mentions 'ipos'") in out.text
    assert "Ipos" in out.text and "Hardware - Server" in out.text
    assert ("Tinggi" if lang == "id" else "High") in out.text
    assert status in out.text and command in out.text
    assert "Server Ipos mati sejak pagi." in out.text              # the report itself


def test_sla_mails_give_the_deadline_in_wita_and_the_share_used(renderer: Renderer) -> None:
    out = render(renderer, "sla_warning", "id", ticket("P2"))
    assert "09:30 WITA" in out.text and "75%" in out.text and "respons" in out.text
    out = render(renderer, "sla_breach", "en", ticket("P2"))
    assert "12:00 WITA" in out.text and "resolution" in out.subject


@pytest.mark.parametrize(("lang", "kind", "words"), [
    ("en", "sla_breach", "resolution target of ticket"), ("en", "sla_warning", "response target of ticket"),
    ("id", "sla_breach", "target penyelesaian tiket"), ("id", "sla_warning", "target respons tiket"),
])
def test_sla_mails_name_the_clock_in_the_html_headline(renderer: Renderer, lang: str, kind: str, words: str) -> None:
    out = render(renderer, kind, lang, ticket("P2"))
    assert words in out.html


def test_status_words_and_levels_are_localised(renderer: Renderer) -> None:
    out = render(renderer, "status_changed", "id", ticket())
    assert "dari Baru menjadi Dalam Proses" in out.text
    out = render(renderer, "status_changed", "en", ticket())
    assert "from New to In Progress" in out.text


def test_rejected_command_explains_in_the_recipients_language(renderer: Renderer) -> None:
    assert "tidak dikenal" in render(renderer, "rejected_command", "id", ticket()).text
    assert "unknown keyword" in render(renderer, "rejected_command", "en", ticket()).text


def test_mail_without_a_ticket_still_renders(renderer: Renderer) -> None:
    out = render(renderer, "rejected_command", "en", None)
    assert out.subject == "Commands not applied" and "Stauts: closed" in out.text


def test_reporter_text_is_escaped_in_html_and_kept_as_written_in_text(renderer: Renderer) -> None:
    evil = "<script>alert('x')</script>"
    t = ticket(subject=f"Ipos {evil}", description=f"tolong {evil} {{{{ 7*7 }}}}", reporter_name=f"Dewi {evil}")
    for kind in ("ack", "new_ticket", "followup"):
        facts = {"author": evil, "text": evil} if kind == "followup" else None
        out = render(renderer, kind, "id", t, facts)
        assert "<script>" not in out.html and "&lt;script&gt;" in out.html
        assert evil in out.text
        assert "49" not in out.text
    # the report's words are data, never template source
    assert "tolong <script>alert('x')</script> {{ 7*7 }}" in render(renderer, "new_ticket", "en", t).text


def test_datetimes_in_facts_are_shown_in_the_desk_time_zone(renderer: Renderer) -> None:
    out = render(renderer, "status_report", "en", ticket())
    assert "23-11-2026 09:00 WITA  Logged" in out.text and "23-11-2026 09:07 WITA" in out.text
    assert format_local("2026-11-23T01:00:00+00:00", DESK.timezone) == "23-11-2026 09:00 WITA"
    assert format_local(datetime(2026, 11, 23, 1, 0), DESK.timezone) == "23-11-2026 09:00 WITA"
    assert format_local(None, DESK.timezone) == "-"


def test_a_language_without_templates_falls_back_to_the_desk_default(renderer: Renderer) -> None:
    assert renderer.language("fr", None, "en") == "en"
    assert renderer.language(None, "id", "en") == "id"
    assert renderer.language("xx", "yy", "zz") == "id"


def test_templates_live_where_the_readme_says(renderer: Renderer) -> None:
    assert Path(DEFAULT_TEMPLATES).name == "templates"
    assert (DEFAULT_TEMPLATES / "layout.html").is_file()


@pytest.mark.parametrize("lang, shown, wrong", [("id", "Sari Level Tiga (tingkat 3)", "tingkat 2"),
                                                ("en", "Sari Level Tiga (level 3)", "level 2")])
@pytest.mark.parametrize("kind", ["assigned", "escalation", "followup", "status_report"])
def test_the_handler_is_shown_by_name_with_their_level_from_the_directory(
        renderer: Renderer, kind: str, lang: str, shown: str, wrong: str) -> None:
    t = ticket()                                   # escalated to level 2 ...
    t.assignee = Person(address="sari@posbalikpapan.example", name="Sari Level Tiga", support_level=3)
    out = render(renderer, kind, lang, t)          # ... and handled by Sari, who is level 3
    assert shown in out.text and shown in out.html
    assert f"({wrong})" not in out.text


@pytest.mark.parametrize("lang, words", [("id", ["Rina Service Desk menulis", "Salam,"]),
                                         ("en", ["Rina Service Desk writes", "Regards,"])])
def test_the_message_to_the_reporter_is_a_plain_mail_signed_by_the_desk(
        renderer: Renderer, lang: str, words: list[str]) -> None:
    out = render(renderer, "agent_reply", lang, ticket())
    for word in [*words, "Mohon kirim foto layar errornya.", DESK.name]:
        assert word in out.text, word
    assert "Mohon kirim foto layar errornya." in out.html and DESK.name in out.html
    assert "Urgensi:" not in out.text and "Urgency:" not in out.text   # no command help for reporters


@pytest.mark.parametrize("lang, label", [("id", "Catatan internal (tidak dikirim ke pelapor)"),
                                         ("en", "Internal note (not sent to the reporter)")])
def test_the_assigned_mail_marks_the_note_as_internal(renderer: Renderer, lang: str, label: str) -> None:
    out = render(renderer, "assigned", lang, ticket())
    assert label in out.text and "Rollback disetujui kepala." in out.text
    assert ("Status: proses" if lang == "id" else "Status: in progress") in out.text


@pytest.mark.parametrize("lang, closed", [("id", "Tiket ini sudah Ditutup"), ("en", "This ticket is Closed")])
def test_a_followup_on_a_closed_ticket_says_it_stayed_closed(renderer: Renderer, lang: str, closed: str) -> None:
    facts = {**FACTS["followup"], "closed": True}
    assert closed in render(renderer, "followup", lang, ticket(), facts).text
    assert closed not in render(renderer, "followup", lang, ticket()).text
