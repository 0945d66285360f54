"""Every SMS kind renders, in Indonesian and English, as one message (160 GSM characters, or
70 when it needs UCS-2), with long names, subjects and resolutions, in scripts GSM lacks:
what matters (the ticket number, the time, how to rate) survives the clipping."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from outbound.context import build_context
from outbound.outbox import sms_key
from outbound.render import DEFAULT_TEMPLATES, Renderer
from outbound.sms_text import GSM_LIMIT, UCS2_LIMIT, fits_one_sms, gsm_clip, needs_ucs2, one_sms, sms_length
from tests.unit.template_support import DESK, LOGGED, local, ticket
from workflow.notifications import Notification
from workflow.sms import AGENT_KINDS, REPORTER_KINDS, sms_kind

KINDS = sorted(REPORTER_KINDS | AGENT_KINDS)
LONG_NAME = "Raden Ayu Siti Nurhaliza Kusumawardhani Prawirodirdjo binti Hadiningrat " * 3
LONG_SUBJECTS = {
    "id": "Aplikasi Ipos di loket 3 kantor cabang Balikpapan Baru tidak bisa login sejak pagi, "
          "semua transaksi wesel dan pengiriman paket tertahan " * 4,
    "en": "The Ipos counter application at the Balikpapan Baru branch office cannot log in since "
          "this morning, every money order and parcel is held up " * 4,
    "script": "Сервер Ipos не работает 漢字のテスト «Ţiket» — “urgent” ☎️ " * 6,
}
SHORT_FACTS = {"closure": {"resolution": "Kabel LAN diganti", "closed_by": "Rina"},
               "escalation": {"handler_name": "Agus Level Dua", "requested_by": "Rina"}}
LONG_RESOLUTION = "Server Ipos di-restart, kabel LAN loket 3 diganti, cache aplikasi dibersihkan " * 5


def facts(kind: str) -> dict[str, Any]:
    return {
        "ack": {},
        "closure": {"resolution": LONG_RESOLUTION, "closed_by": LONG_NAME},
        "new_ticket": {"suggested": {"service": "ipos"}},
        "escalation": {"kind": "functional", "level": 2, "handler_name": LONG_NAME,
                       "description": LONG_RESOLUTION, "requested_by": LONG_NAME},
        "sla_warning": {"clock": "response", "due_at": LOGGED + timedelta(minutes=30), "used_percent": 75},
        "sla_breach": {"clock": "resolution", "due_at": LOGGED + timedelta(hours=3), "used_percent": 100},
    }[kind]


def render(kind: str, lang: str, subject: str, name: str = LONG_NAME, kind_facts: dict[str, Any] | None = None) -> str:
    t = ticket("P1", subject=subject, reporter_name=name)
    context = build_context(DESK, t, lang, facts(kind) if kind_facts is None else kind_facts)
    return one_sms(Renderer().render_text(sms_kind(kind), lang, context))


def test_every_sms_kind_has_its_template_in_both_languages() -> None:
    for lang in ("id", "en"):
        for kind in KINDS:
            assert (DEFAULT_TEMPLATES / lang / f"sms_{kind}.txt").is_file(), f"{lang}/sms_{kind}.txt"


@pytest.mark.parametrize("subject", sorted(LONG_SUBJECTS))
@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("kind", KINDS)
def test_long_texts_fit_one_gsm_message_and_keep_what_matters(kind: str, lang: str, subject: str) -> None:
    text = render(kind, lang, LONG_SUBJECTS[subject])
    length, limit = sms_length(text)
    assert not needs_ucs2(text) and limit == GSM_LIMIT and length <= GSM_LIMIT, (length, text)
    assert "INC-000042" in text and "\n" not in text and "...." not in text
    t = ticket("P1")
    must = {"ack": local(t.response_due), "new_ticket": local(t.response_due),
            "escalation": local(t.resolution_due), "sla_warning": local(LOGGED + timedelta(minutes=30)),
            "sla_breach": local(LOGGED + timedelta(hours=3)), "closure": "1"}[kind]
    assert must in text
    assert one_sms(text) == text


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("kind", KINDS)
def test_short_texts_are_whole(kind: str, lang: str) -> None:
    text = render(kind, lang, "Ipos mati di loket 3", "Dewi Lestari",
                  facts(kind) | SHORT_FACTS.get(kind, {}))
    assert "Ipos mati di loket 3" in text or kind == "closure"
    assert "..." not in text and fits_one_sms(text)


def test_closure_tells_how_to_rate_in_the_language_of_the_reporter() -> None:
    assert "angka 1-5" in render("closure", "id", "x") and "with 1 to 5" in render("closure", "en", "x")
    assert "ditutup" in render("closure", "id", "x") and "closed" in render("closure", "en", "x")


def test_gsm_filter_keeps_gsm_letters_turns_look_alikes_and_drops_the_rest() -> None:
    assert gsm_clip("Café “Ipos” – Ţiket", 40) == 'Café "Ipos" - Tiket'
    assert gsm_clip("漢字 Ipos", 40) == "Ipos"
    assert gsm_clip("a" * 50, 10) == "aaaaaaa..."
    assert gsm_clip("{[~]}", 6) == "{..."    # extension characters take two septets each


def test_the_last_guard_counts_ucs2_as_70() -> None:
    text = one_sms("Tiket INC-000042 漢字 " + "x" * 200)
    assert needs_ucs2(text) and sms_length(text) == (UCS2_LIMIT, UCS2_LIMIT) and text.endswith("...")
    assert one_sms("a €" * 100) and sms_length(one_sms("€" * 100))[0] <= GSM_LIMIT


def test_the_sms_key_says_nothing_of_the_number() -> None:
    note = Notification("sms_ack", "+6281234567890", 42, channel="sms")
    key = sms_key(DESK, note)
    assert key.startswith("<sms.42.sms_ack.") and "81234567890" not in key
    assert key == sms_key(DESK, note) != sms_key(DESK, Notification("sms_ack", "+6281234567891", 42, channel="sms"))
