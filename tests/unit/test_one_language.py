"""One language per mail and per page: every template is rendered in Indonesian and in English
with realistic facts, and the output may hold no word of the other language.

The facts are chosen so that data carries no word of either list (names, addresses, ticket
numbers and a reporter's own words are data, exempt from the rule, and would only blur the
test). Two things are exempt on purpose: the list of accepted keyword spellings in the agents'
command help (it names the English and the Indonesian keywords so agents may use either), and
mail header names (In-Reply-To/References)."""
from __future__ import annotations

import html as html_lib
import re
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from app.config import load
from models import Person, Ticket
from outbound.context import build_context
from outbound.digest_facts import digest_facts
from outbound.render import Renderer
from outbound.report_html import render_html
from tests.unit.template_support import DESK as TEMPLATE_DESK
from tests.unit.template_support import FACTS, SLA
from web.words import LOG_WORDS, MANAGEMENT_WORDS, REPORTER_WORDS, WORDS, triage_reason
from workflow.digest_figures import Breach, DigestData, EscalationRecord, Figures, OpenTicket
from workflow.report_metrics import Incident, measure, summarise
from workflow.period import Period
from workflow.problems import find_candidates
from workflow.report_data import FailedMail, ReportData, Selection
from workflow.sms import AGENT_KINDS, REPORTER_KINDS, sms_kind

# English words that must not appear in an Indonesian mail or page ("status", "target",
# "internal", "desk" and "SLA" are Indonesian too, so they are not listed)
ENGLISH = frozenset("""
ticket tickets priority resolution rating ratings reported reporter mentions urgency impact
category reply please the and of by with from for default due deadline response handler
assigned closed open new progress escalation escalated breach breaches warning yesterday month
mean average count head office subject percentile minutes hours days link sent level logged
services incidents incident reopened comment none
""".split())
# Indonesian words that must not appear in an English mail or page
INDONESIAN = frozenset("""
tiket prioritas dilaporkan pelapor solusi layanan kategori urgensi dampak tinggi sedang rendah
baru proses tutup ditutup dan yang untuk dengan dari belum sudah terima kasih mohon balas
eskalasi tingkat penyelesaian respons kemarin bulan nilai jam menit hari menyebut bawaan kepala
kantor perihal tidak ada ini itu atau jumlah penilaian terlambat tercapai insiden tautan
""".split())
PHRASES = {"id": ("nearest-rank", "in progress"), "en": ("rata-rata", "dalam proses")}
EXEMPT = [re.compile(r"(Semua ejaan kata kunci yang diterima|All keyword spellings accepted):[^.]*\.", re.S),
          re.compile(r"In-\s*Reply-To/References")]

DESK = replace(TEMPLATE_DESK, organisation="PT Pos Indonesia Balikpapan")   # no "Kantor": data
LOGGED = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)
AS_OF = datetime(2026, 11, 24, 0, 0, tzinfo=timezone.utc)      # 08:00 WITA, the next morning
FACTS_NEUTRAL: dict[str, dict[str, Any]] = {
    **FACTS,
    "new_ticket": {"suggested": {"service": "ipos", "category": "hardware/server", "urgency": "high",
                                 "impact": "medium", "reasons": {
                                     "service": {"rule": "mentions", "word": "ipos"},
                                     "category": {"rule": "mentions", "word": "server"},
                                     "urgency": {"rule": "role", "role": "head_of_office"},
                                     "impact": {"rule": "default"}}}},
    "followup": {"author": "dewi@posbalikpapan.example", "text": "Ipos X-200"},
    "status_changed": {"old": "new", "new": "in_progress", "by": "Rina Wati", "comment": "Ipos X-200"},
    "reopened": {"by": "dewi@posbalikpapan.example", "text": "Ipos X-200"},
    "escalation": {"kind": "functional", "level": 2, "handler_name": "Agus Wibowo",
                   "description": "Ipos X-200", "requested_by": "rina@posbalikpapan.example"},
    "closure": {"resolution": "Ipos X-200", "closed_by": "Rina Wati", "message": "Ipos X-200"},
    "agent_reply": {"by": "Rina Wati", "message": "Ipos X-200"},
    "assigned": {"by": "Rina Wati", "note": "Ipos X-200"},
    "confirmation": {"changes": []},
    "rejected_command": {"reasons": [{"line": "Stauts: X", "en": "unknown keyword 'Stauts'",
                                      "id": "kata kunci 'Stauts' tidak dikenal"}]},
    "status_report": {"events": [{"at": LOGGED, "kind": "created", "note": "Ipos X-200"}]},
    "login_link": {"link": "https://servicedesk.posbalikpapan.example/login/abc", "minutes": 15},
}
# rejected_command quotes the refused reason in the agent's language only: drop the other one
FACTS_BY_LANG = {"id": {"rejected_command": {"reasons": [{"line": "Stauts: X", "id": "kata kunci 'Stauts' tidak dikenal"}]}},
                 "en": {"rejected_command": {"reasons": [{"line": "Stauts: X", "en": "unknown keyword 'Stauts'"}]}}}


def ticket(status: str = "in_progress") -> Ticket:
    response, resolution = SLA["P2"]
    return Ticket(
        number="INC-000042", status=status, subject="Ipos X-200", description="Ipos X-200",
        reporter=Person(address="dewi@posbalikpapan.example", name="Dewi Lestari"),
        assignee=Person(address="rina@posbalikpapan.example", name="Rina Wati", support_level=2),
        service="ipos", category="hardware/server", urgency="high", impact="medium", priority="P2",
        created_at=LOGGED, response_due=LOGGED + timedelta(minutes=response),
        resolution_due=LOGGED + timedelta(minutes=resolution), closed_at=LOGGED + timedelta(hours=2),
        escalation_level=2, resolution="Ipos X-200", triage_confirmed=False)


def visible(text: str) -> str:
    """What a reader sees: no tags, style sheets or entities; the exempt passages removed."""
    text = re.sub(r"<style.*?</style>", " ", text, flags=re.S)
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", text))
    for pattern in EXEMPT:
        text = pattern.sub(" ", text)
    return text


def foreign_words(text: str, lang: str) -> set[str]:
    seen = visible(text).lower()
    words = set(re.findall(r"[a-z]+(?:-[a-z]+)*", seen)) | set(re.findall(r"[a-z]+", seen))
    found = words & (ENGLISH if lang == "id" else INDONESIAN)
    return found | {p for p in PHRASES[lang] if p in seen}


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


MAIL_KINDS = sorted(FACTS_NEUTRAL)


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("kind", MAIL_KINDS)
def test_every_mail_is_in_one_language(renderer: Renderer, kind: str, lang: str) -> None:
    facts = FACTS_BY_LANG[lang].get(kind, FACTS_NEUTRAL[kind])
    t = None if kind == "login_link" else ticket("closed" if kind == "closure" else "in_progress")
    out = renderer.render(kind, lang, build_context(DESK, t, lang, facts))
    for part in (out.subject, out.text, out.html):
        assert foreign_words(part, lang) == set(), f"{lang}/{kind}: {part}"


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("kind", sorted(set(AGENT_KINDS) | set(REPORTER_KINDS)))
def test_every_sms_is_in_one_language(renderer: Renderer, kind: str, lang: str) -> None:
    text = renderer.render_text(sms_kind(kind), lang, build_context(DESK, ticket(), lang, FACTS_NEUTRAL.get(kind, {})))
    assert foreign_words(text, lang) == set(), f"{lang}/sms_{kind}: {text}"


def incidents() -> list[Incident]:
    def one(n: int, status: str, minutes: int, rating: int | None) -> Incident:
        created = LOGGED + timedelta(minutes=n)
        closed = created + timedelta(minutes=minutes) if status == "closed" else None
        return Incident(f"INC-00000{n}", status, created, created + timedelta(minutes=30),
                        created + timedelta(hours=3), created + timedelta(minutes=5 * n), closed, "P2",
                        "high", "medium", "ipos", "hardware/server", 2, "dewi@posbalikpapan.example",
                        "Dewi Lestari", "Rina Wati", "Ipos X-200" if closed else None, rating,
                        n == 3, "Ipos X-200")
    return [one(1, "closed", 50, 4), one(2, "closed", 400, 5), one(3, "in_progress", 0, None),
            one(4, "closed", 100, 3), one(5, "new", 0, None), one(6, "closed", 90, 4),
            one(7, "closed", 70, 5), one(8, "closed", 60, 4)]


def report_data(status: str) -> ReportData:
    settings = load(None)
    period = Period(date(2026, 11, 23), date(2026, 11, 23), DESK.timezone)
    chosen = [i for i in incidents() if status == "all" or i.status == "closed"]
    measured = measure(chosen, AS_OF)
    return ReportData(
        selection=Selection(period, status), measured=measured,   # type: ignore[arg-type]
        summary=summarise(measured, settings.policy, period, AS_OF,
                          day_of="closed" if status == "closed" else "created"),
        problems=find_candidates(incidents(), settings.problems),
        failed_mails=[FailedMail("closure", "dewi@posbalikpapan.example", "INC-000001", LOGGED, "550 X-200")],
        as_of=AS_OF)


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("status", ["all", "closed"])
def test_the_report_is_in_one_language_with_its_decimal_mark(renderer: Renderer, lang: str, status: str) -> None:
    page = render_html(report_data(status), DESK, load(None).policy, renderer, lang).decode()
    assert foreign_words(page, lang) == set()
    shown = visible(page)
    percents = re.findall(r"\b\d+[.,]\d %", shown)
    assert percents and all(("," in p) == (lang == "id") for p in percents), percents
    status_word = {("id", "all"): "Dalam Proses", ("en", "all"): "In Progress",
                   ("id", "closed"): "Ditutup", ("en", "closed"): "Closed"}[lang, status]
    rows = shown[shown.index("Daftar insiden" if lang == "id" else "Incident list"):]
    assert "Ipos X-200" in rows and status_word in rows          # the list shows subject and status


def digest(day: date) -> dict[str, Any]:
    data = DigestData(
        day=day, as_of=AS_OF,
        yesterday=Figures(report_data("all"), report_data("closed")),
        month=Figures(report_data("all"), report_data("closed")),
        open_by_priority={"P1": {"new": 0, "in_progress": 0}, "P2": {"new": 1, "in_progress": 1}},
        oldest_open=[OpenTicket("INC-000003", "P2", "in_progress", LOGGED, "ipos", "Ipos X-200", "Rina Wati")],
        breaches=[Breach("INC-000002", "P2", "resolution", LOGGED, None),
                  Breach("INC-000004", "P2", "response", LOGGED, LOGGED + timedelta(hours=1))],
        escalations=[EscalationRecord("INC-000003", LOGGED, "functional", 2, "Agus Wibowo"),
                     EscalationRecord("INC-000003", LOGGED, "hierarchical", 1, "Bambang")],
        problems=find_candidates(incidents(), load(None).problems))
    return digest_facts(data, DESK)


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("day", [date(2026, 11, 23), date(2026, 11, 20)])
def test_the_digest_is_in_one_language_with_its_decimal_mark(renderer: Renderer, lang: str, day: date) -> None:
    out = renderer.render("digest", lang, build_context(DESK, None, lang, digest(day)))
    for part in (out.subject, out.text, out.html):
        assert foreign_words(part, lang) == set(), part
        percents = re.findall(r"\b\d+[.,]\d%", visible(part))
        assert all(("," in p) == (lang == "id") for p in percents), percents
    assert re.search(r"\d+,\d%" if lang == "id" else r"\d+\.\d%", out.text)
    yesterday = "Kemarin" if lang == "id" else "Yesterday"
    assert (yesterday in out.text) == (day == date(2026, 11, 23))


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_console_words_and_triage_reasons_are_in_one_language(lang: str) -> None:
    texts = [v for table in (WORDS, REPORTER_WORDS, MANAGEMENT_WORDS, LOG_WORDS)
             for k, v in table[lang].items() if k != "lang"]
    texts += [triage_reason(r, lang) for r in ({"rule": "mentions", "word": "ipos"}, {"rule": "default"},
                                               {"rule": "role", "role": "head_of_office"},
                                               "reported by head of department", "mentions 'ipos'")]
    for text in texts:
        assert foreign_words(re.sub(r"\{\w+\}", " ", text), lang) == set(), text   # {minutes}: a value
