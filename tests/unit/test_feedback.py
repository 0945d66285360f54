"""The reporter's rating read from a reply: digits, words, phrases and stars, and what is not a
rating (how a rating is stored and updated on a ticket: tests/integration/test_feedback_recorded.py)."""
from __future__ import annotations

import pytest

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
