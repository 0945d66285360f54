"""Phone numbers for SMS: Indonesian ways of writing a mobile number all become one E.164
number; what is no mobile number is ignored, and the log line says so without the number."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import structlog

from app.config import build_directory, load
from models import Person
from workflow.people import learn_phone
from workflow.phones import normalise_phone, signature_phone

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("written", [
    "081234567890", "0812-3456-7890", "0812 3456 7890", "(0812) 3456-7890", "6281234567890",
    "+6281234567890", "+62 812-3456-7890", "62 812 3456 7890", "0812.3456.7890",
])
def test_indonesian_mobile_numbers_become_e164(written: str) -> None:
    assert normalise_phone(written) == "+6281234567890"


@pytest.mark.parametrize("written", [
    "", "12345", "0812", "0812345678901234567", "(0542) 733 000", "bukan nomor", "+62 999 1",
    "0812" + "9" * 60,
])
def test_what_is_no_mobile_number_is_refused(written: str) -> None:
    assert normalise_phone(written) is None


def test_a_number_with_its_country_code_is_read_as_that_country() -> None:
    assert normalise_phone("+65 9123 4567") == "+6591234567"


@pytest.mark.parametrize("body, written", [
    ("Printer mati.\n\nSalam,\nRina\nTelepon: 0812-3456-7890\n", "0812-3456-7890"),
    ("Ipos error\n--\nBudi\nHP. +62 812 3456 7890", "+62 812 3456 7890"),
    ("Tolong dicek\n\nWA : 6281234567890\n", "6281234567890"),
    ("The server is down\nRegards,\nAnna\nPhone: 0812 3456 7890", "0812 3456 7890"),
])
def test_the_signature_line_is_found(body: str, written: str) -> None:
    assert signature_phone(body) == written


def test_no_signature_line_and_quoted_lines_give_nothing() -> None:
    assert signature_phone("Printer rusak, mohon bantuan.\nSalam, Rina") is None
    assert signature_phone("Masih mati.\n\n> Salam,\n> HP: 081234567890\n") is None


def _reporter(phone: str | None = None) -> Person:
    return Person(id=7, address="rina@posbalikpapan.example", name="Rina", role="employee",
                  phone=phone, created_at=NOW)


def test_a_signed_number_is_kept_and_never_overwritten() -> None:
    person = _reporter()
    assert learn_phone(person, "Printer mati\nTelepon: 0812-3456-7890", "ID")
    assert person.phone == "+6281234567890"
    assert not learn_phone(person, "Lagi\nHP: 0813-1111-2222", "ID")
    assert person.phone == "+6281234567890"


def test_an_invalid_number_is_ignored_with_a_log_line_that_does_not_hold_it() -> None:
    person = _reporter()
    with structlog.testing.capture_logs() as logs:
        assert not learn_phone(person, "Printer mati\nHP: 0812-99\n", "ID")
    assert person.phone is None
    assert [entry["event"] for entry in logs] == ["phone.ignored"]
    assert "0812" not in repr(logs) and "99" not in repr(logs[0].get("reason"))


def test_directory_phones_are_normalised_and_a_bad_one_is_refused_without_repeating_it(tmp_path) -> None:
    config = tmp_path / "incidentdesk.toml"
    config.write_text('[[agents]]\nname = "Rina"\naddresses = ["rina@posbalikpapan.example"]\n'
                      'role = "service_desk"\nlevel = 1\nphone = "0812-3456-7890"\n'
                      '[[reporters]]\naddress = "budi@posbalikpapan.example"\nrole = "employee"\n'
                      'phone = "+62 813 1111 2222"\n')
    settings = load(config)
    phones = {e.addresses[0]: e.phone for e in build_directory(settings.raw)}
    assert phones == {"rina@posbalikpapan.example": "+6281234567890",
                      "budi@posbalikpapan.example": "+6281311112222"}
    config.write_text(config.read_text().replace("0812-3456-7890", "0812-77"))
    with pytest.raises(Exception) as refused:
        load(config)
    assert "phone is not a valid mobile number" in str(refused.value) and "0812-77" not in str(refused.value)
