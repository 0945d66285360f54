from __future__ import annotations

import pytest

from app.config import load
from web.words import triage_reason
from workflow.numbering import find_ticket_number, format_number
from workflow.triage import reason_data, suggest

RULES = load(None).triage


def test_ticket_number_is_prefix_and_zero_padded_counter() -> None:
    assert format_number("INC-", 42, 6) == "INC-000042"
    assert format_number("SD/", 7, 4) == "SD/0007"


@pytest.mark.parametrize(("subject", "number"), [
    ("Re: [INC-000042] Laporan diterima", "INC-000042"),
    ("RE: FW: [inc-000042] server", "INC-000042"),
    ("INC-000042 without brackets", None),
    ("Re: server mati", None),
])
def test_ticket_tag_is_found_only_in_brackets(subject: str, number: str | None) -> None:
    assert find_ticket_number(subject, "INC-") == number


@pytest.mark.parametrize(("subject", "body", "role", "service", "category", "urgency"), [
    ("Ipos tidak bisa dibuka", "Server down sejak pagi di semua loket", "employee", "ipos", "hardware/server", "high"),
    ("Internet mati", "jaringan di bagian antaran putus, E-Pod tidak sinkron", "employee", "epod", "infrastructure/network", "high"),
    ("Komputer lemot", "PC saya lambat sekali, mungkin kena virus", "employee", None, "hardware/computer", "medium"),
    ("Kabel putus", "kabel LAN di ruang SIK putus terinjak kursi", "employee", "sik", "hardware/cable", "high"),
    ("PosPay sedikit lambat", "PosPay kadang lambat", "head_of_office", "pospay", None, "high"),
    ("Printer", "mohon bantuan ganti toner", "employee", None, None, "medium"),
])
def test_triage_suggests_service_category_and_urgency(subject: str, body: str, role: str,
                                                      service: str | None, category: str | None,
                                                      urgency: str) -> None:
    s = suggest(RULES, subject, body, role)
    assert (s.service, s.category, s.urgency) == (service, category, urgency)
    assert s.reasons["urgency"]


def test_head_of_office_report_is_high_urgency_because_of_role() -> None:
    s = suggest(RULES, "Website", "website lambat", "head_of_office")
    assert s.urgency == "high" and s.reasons["urgency"] == {"rule": "role", "role": "head_of_office"}


def test_wide_impact_words_raise_impact() -> None:
    assert suggest(RULES, "Ipos mati", "semua loket tidak bisa transaksi", "employee").impact == "high"
    assert suggest(RULES, "Ipos error", "hanya komputer saya", "employee").impact == "low"


@pytest.mark.parametrize("stored, data", [
    ("mentions 'ipos'", {"rule": "mentions", "word": "ipos"}),
    ("reported by head of office", {"rule": "role", "role": "head_of_office"}),
    ("default", {"rule": "default"}),
    ("something a script wrote", {"rule": "text", "text": "something a script wrote"}),
    ({"rule": "mentions", "word": "mati"}, {"rule": "mentions", "word": "mati"}),
    (None, {"rule": "text", "text": ""}),
])
def test_reasons_stored_as_english_sentences_before_read_back_as_data(stored: object, data: dict) -> None:
    assert reason_data(stored) == data


@pytest.mark.parametrize("stored, lang, text", [
    ({"rule": "mentions", "word": "ipos"}, "id", "menyebut 'ipos'"),
    ("reported by head of office", "id", "dilaporkan oleh kepala kantor"),
    ("default", "id", "nilai bawaan"),
    ({"rule": "role", "role": "head_of_department"}, "en", "reported by head of department"),
    ("mentions 'mati'", "en", "mentions 'mati'"),
])
def test_a_reason_is_worded_in_the_readers_language(stored: object, lang: str, text: str) -> None:
    assert triage_reason(stored, lang) == text
