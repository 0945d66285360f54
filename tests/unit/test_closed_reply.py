"""What a reply to a Closed ticket means (workflow/closed_reply.py) with the shipped words of
app/defaults.toml: only a problem that is still there or came back, or a request to reopen,
reopens; thanks and confirmations never do; anything else is for the handler to read."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.config import load
from workflow.closed_reply import ClosedReply, ClosedReplyWords, read_closed_reply

WORDS = load(None).policy.closed_reply
STAFF = ["Rina Service Desk", "Agus Level Dua"]


@pytest.mark.parametrize("text", [
    "Terima kasih, sudah normal.",
    "Terima kasih banyak Bu Rina, sudah bisa lagi 🙏",
    "Sudah bisa, makasih pak",
    "ok", "Oke siap", "Siap, terima kasih sekali lagi",
    "Sudah normal lagi, terima kasih atas bantuannya",
    "Thanks, works now!", "Thank you so much, it is working again.", "OK, thanks Agus",
])
def test_thanks_and_confirmations_never_reopen_and_ask_nothing(text: str) -> None:
    assert read_closed_reply(text, WORDS, STAFF) == ClosedReply.THANKS


@pytest.mark.parametrize("text", [
    "Masih mati pak", "Ipos mati lagi pagi ini", "Belum bisa login", "Errornya kambuh",
    "Pesan error muncul lagi", "Tetap tidak bisa dibuka", "Terima kasih, tapi masih lambat",
    "Mohon tiketnya dibuka lagi",
    "Still down", "It happened again", "Thanks, but it is not fixed", "Please reopen",
    "Sudah bisa, tapi lemot",
])
def test_a_problem_still_there_or_back_or_a_request_to_reopen_reopens(text: str) -> None:
    assert read_closed_reply(text, WORDS, STAFF) == ClosedReply.REOPEN


@pytest.mark.parametrize("text", [
    "Tetapi printer di loket 3 minta diganti tonernya",    # "tetap" is not "tetapi"
    "Bagaimana cara mengajukan akses ke loket baru?",     # "ok" is not "loket"
    "Lagian saya mau tanya soal laporan bulanan",         # "lagi" is not "lagian"
    "Could you send me the monthly report?",
    "",                                                   # nothing written: a screenshot?
])
def test_anything_else_is_a_comment_for_the_handler(text: str) -> None:
    assert read_closed_reply(text, WORDS, STAFF) == ClosedReply.COMMENT


def test_names_of_the_people_on_the_ticket_count_as_thanks_only_when_given() -> None:
    assert read_closed_reply("Terima kasih Pak Agus", WORDS, STAFF) == ClosedReply.THANKS
    assert read_closed_reply("Terima kasih Pak Agus", WORDS, []) == ClosedReply.COMMENT


def test_the_words_are_configuration_not_code() -> None:
    words = ClosedReplyWords(reopen=("encore",), confirmations=("ça marche encore",), thanks=("merci",))
    assert read_closed_reply("Merci, ça marche encore", words) == ClosedReply.THANKS
    assert read_closed_reply("Panne encore", words) == ClosedReply.REOPEN
    assert read_closed_reply("Masih mati", words) == ClosedReply.COMMENT   # no Indonesian built in


def test_the_triage_outage_words_reopen_and_follow_their_configuration(tmp_path: Path) -> None:
    assert "mati" in WORDS.reopen and "down" in WORDS.reopen
    path = tmp_path / "c.toml"
    path.write_text('[triage.outage_words]\nhigh = ["padam"]\nmedium = []\n'
                    '[workflow.closed_reply]\nreopen = ["masih"]\n')
    words = load(path).policy.closed_reply
    assert read_closed_reply("Listrik padam", words) == ClosedReply.REOPEN
    assert read_closed_reply("Ipos mati", words) == ClosedReply.COMMENT
