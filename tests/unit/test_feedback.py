"""The reporter's rating after closure: read from the reply, stored once, updated with a
history entry, and never mistaken for a request to reopen."""
from __future__ import annotations

import pytest

from tests.unit.agent_support import REPORTER, RINA, Desk, desk  # noqa: F401  (fixture)
from workflow.feedback import Rating, parse_rating


@pytest.mark.parametrize("text, rating", [
    ("5", Rating(5, "")),
    ("5 terima kasih", Rating(5, "terima kasih")),
    ("5/5", Rating(5, "")),
    ("4 / 5 cepat ditangani", Rating(4, "cepat ditangani")),
    ("3 dari 5", Rating(3, "")),
    ("2 out of 5, lama sekali", Rating(2, "lama sekali")),
    ("5 bintang", Rating(5, "")),
    ("5. Terima kasih!", Rating(5, "Terima kasih!")),
    ("lima", Rating(5, "")),
    ("Empat, lumayan cepat", Rating(4, "lumayan cepat")),
    ("five stars", Rating(5, "")),
    ("Three.", Rating(3, "")),
    ("satu\nmasih sering error", Rating(1, "masih sering error")),
    ("sangat puas", Rating(5, "")),
    ("Sangat puas dengan pelayanannya", Rating(5, "dengan pelayanannya")),
    ("tidak puas, masih lambat", Rating(1, "masih lambat")),
    ("kurang puas", Rating(2, "")),
    ("★★★★★", Rating(5, "")),
    ("★★★☆☆ lumayan", Rating(3, "lumayan")),
    ("*****", Rating(5, "")),
    ("⭐⭐⭐⭐", Rating(4, "")),
    ("⭐️⭐️", Rating(2, "")),
    ("Rating: 4", Rating(4, "")),
    ("Nilai 3 - oke", Rating(3, "oke")),
    ("  \n5 mantap", Rating(5, "mantap")),
])
def test_ratings_in_digits_words_phrases_and_stars(text: str, rating: Rating) -> None:
    assert parse_rating(text) == rating


@pytest.mark.parametrize("text", [
    "0", "6", "10", "50 ribu", "5.30 masih error", "5/10", "12:30 mati lagi",
    "One of the PCs is still down", "dua komputer masih mati", "Lima menit kemudian mati lagi",
    "Masih error", "status", "☆☆☆", "terima kasih 5", "",
])
def test_what_is_not_a_rating(text: str) -> None:
    assert parse_rating(text) is None


def closed_ticket(desk: Desk) -> str:
    number = desk.report()
    desk.agent(RINA, number, "Status: proses")
    desk.agent(RINA, number, "Status: closed\nSolusi: service Ipos di-restart")
    return number


def test_rating_reply_to_a_closed_ticket_is_stored_and_does_not_reopen(desk: Desk) -> None:
    number = closed_ticket(desk)
    desk.clock.advance(hours=1)
    result = desk.reply(number, "5 terima kasih")
    assert result.kind == "event" and result.sent == []
    assert desk.ticket(number)["status"] == "closed"
    row = desk.feedback(number)
    assert row is not None and (row.rating, row.comment) == (5, "terima kasih")
    event = desk.events(number)[-1]
    assert event["kind"] == "feedback" and event["actor"] == REPORTER
    assert event["data"]["rating"] == 5 and event["inbound_id"] is not None


def test_second_rating_updates_the_row_and_the_history_says_so(desk: Desk) -> None:
    number = closed_ticket(desk)
    desk.reply(number, "3")
    desk.clock.advance(hours=2)
    desk.reply(number, "★★★★★ ternyata sudah normal semua")
    row = desk.feedback(number)
    assert row is not None and row.rating == 5 and row.comment == "ternyata sudah normal semua"
    assert row.updated_at == desk.clock() and row.created_at < row.updated_at
    event = desk.events(number)[-1]
    assert event["data"]["updated"] is True and event["data"]["previous_rating"] == 3
    assert "updated from 3/5 to 5/5" in event["note"]


def test_rating_after_the_reopen_window_is_still_feedback_not_a_new_ticket(desk: Desk) -> None:
    number = closed_ticket(desk)
    desk.clock.advance(days=30)
    result = desk.reply(number, "4")
    assert result.kind == "event" and result.number == number
    assert desk.feedback(number) is not None


def test_text_that_is_not_a_rating_reopens_within_the_window(desk: Desk) -> None:
    number = closed_ticket(desk)
    desk.clock.advance(days=1)
    result = desk.reply(number, "Masih error, tidak bisa login lagi")
    assert desk.ticket(number)["status"] == "in_progress"
    assert desk.feedback(number) is None
    assert [s.recipient for s in result.to("reopened")] == [RINA]


def test_a_rating_on_an_open_ticket_is_just_a_follow_up(desk: Desk) -> None:
    number = desk.report()
    result = desk.reply(number, "5")
    assert desk.feedback(number) is None
    assert result.one("followup").facts["text"] == "5"


def test_only_the_reporter_rates(desk: Desk) -> None:
    number = closed_ticket(desk)
    desk.mail("rekan@posbalikpapan.example", "5", subject=f"Re: [{number}]")
    assert desk.feedback(number) is None
