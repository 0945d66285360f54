"""The headers of every mail: threading, RFC 3834 marks, encodings of any name or subject,
and no way for a reporter's words to add a header."""
from __future__ import annotations

import random
import re
from datetime import datetime, timezone
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest

from outbound.compose import MAX_REFERENCES, compose, new_message_id, thread_references
from outbound.headers import clean, encoded_words, fold, unstructured
from outbound.render import Rendered
from outbound.settings import DeskInfo
from workflow.tokens import replies_to_mail_sent_to

DESK = DeskInfo(name="Service Desk SOLTEK", organisation="PT Pos Indonesia",
                address="servicedesk@posbalikpapan.example", timezone=ZoneInfo("Asia/Makassar"),
                secret="s3cret")
NOW = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)
WORDS = ("Jaringan mati di loket – semua pegawai tidak bisa login ke Ipos sejak pagi, mohon "
         "bantuan segera 😀 Ñuñez café Żółć 王小明 =?utf-8?q?x?= \"kutip\" <b> (x) a@b;c \\").split()


def mail(subject: str = "[INC-000042] Laporan diterima: Ipos mati", name: str = "Dewi Lestari",
         *, thread: tuple[str, ...] = ("<orig.1@mail.example>",), auto_reply: bool = True,
         text: str = "Laporan Anda sudah kami terima.\n", recipient: str = "dewi@mail.example",
         language: str = "id") -> tuple[bytes, EmailMessage]:
    raw = compose(DESK, Rendered(subject, text, "<p>" + text + "</p>"), recipient=recipient,
                  recipient_name=name, message_id="<ack.abc.def@posbalikpapan.example>",
                  thread=thread, auto_reply=auto_reply, now=NOW, language=language)
    parsed = message_from_bytes(raw, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return raw, parsed


def header_lines(raw: bytes) -> list[bytes]:
    return raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")


def raw_header(raw: bytes, name: str) -> str:
    """The header's value unfolded, as on the wire."""
    text = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    match = re.search(rf"^{name}: ([^\r\n]*(?:\r\n[ \t][^\r\n]*)*)", text, re.M)
    assert match, name
    return re.sub(r"\r\n([ \t])", r"\1", match.group(1))


def rfc2047(value: str) -> str:
    """Decode as RFC 2047 says (white space between encoded-words dropped)."""
    return str(make_header(decode_header(value)))


def test_threading_identity_and_reply_path() -> None:
    _, msg = mail(thread=("<orig.1@mail.example>", "<ack.x.y@posbalikpapan.example>"))
    assert msg["Message-ID"] == "<ack.abc.def@posbalikpapan.example>"
    assert msg["In-Reply-To"] == "<ack.x.y@posbalikpapan.example>"
    assert msg["References"] == "<orig.1@mail.example> <ack.x.y@posbalikpapan.example>"
    assert msg["From"].addresses[0].addr_spec == DESK.address
    assert msg["Reply-To"].addresses[0].addr_spec == DESK.address
    assert msg["To"].addresses[0].addr_spec == "dewi@mail.example"
    assert msg["X-Auto-Response-Suppress"] == "All" and msg["X-Incidentdesk"] == "1"
    assert msg["Content-Language"] == "id"


def test_date_is_in_the_desk_time_zone() -> None:
    _, msg = mail()
    assert msg["Date"] == "Mon, 23 Nov 2026 09:00:00 +0800"


@pytest.mark.parametrize("auto_reply, value", [(True, "auto-replied"), (False, "auto-generated")])
def test_acknowledgements_are_auto_replied_and_notices_auto_generated(auto_reply: bool, value: str) -> None:
    _, msg = mail(auto_reply=auto_reply)
    assert msg["Auto-Submitted"] == value


def test_message_id_carries_a_reply_token_for_its_recipient_only() -> None:
    message_id = new_message_id(DESK, "new_ticket", "Rina@PosBalikpapan.example")
    assert re.fullmatch(r"<new_ticket\.[0-9a-f]{20}\.[0-9a-f]{20}@posbalikpapan\.example>", message_id)
    assert replies_to_mail_sent_to(DESK.secret, "rina@posbalikpapan.example", [message_id])
    assert not replies_to_mail_sent_to(DESK.secret, "forger@posbalikpapan.example", [message_id])
    assert new_message_id(DESK, "ack", "a@b.example") != new_message_id(DESK, "ack", "a@b.example")


def test_non_ascii_names_are_rfc2047_encoded_and_decode_exactly() -> None:
    for name in ("Dewi Ñuñez", "王小明", "Siti Nurhaliza – Loket 3 😀", "Żółć " * 12):
        raw, msg = mail(name=name)
        to = raw_header(raw, "To")
        assert "=?utf-8?b?" in to
        assert rfc2047(to.rsplit(" <", 1)[0]) == clean(name)
        assert msg["To"].addresses[0].addr_spec == "dewi@mail.example"


def test_ascii_names_with_specials_are_quoted() -> None:
    _, msg = mail(name='Budi "IT" (Loket 3), Balikpapan')
    assert msg["To"].addresses[0].display_name == 'Budi "IT" (Loket 3), Balikpapan'
    assert msg["To"].addresses[0].addr_spec == "dewi@mail.example"


def test_indonesian_subjects_survive_encoding_and_folding_exactly() -> None:
    """Python 3.11's own folder loses or adds spaces in some of these; ours must not."""
    rng = random.Random(7)
    for _ in range(400):
        subject = "[INC-000042] " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 30)))
        raw, msg = mail(subject=subject)
        assert msg["Subject"] == clean(subject)
        assert rfc2047(raw_header(raw, "Subject")) == clean(subject)
        assert raw_header(raw, "Subject").startswith("[INC-000042]")   # the tag stays plain text
        assert "?q??=" not in raw.decode("ascii") and "?b??=" not in raw.decode("ascii")


def test_every_header_line_is_ascii_and_short() -> None:
    rng = random.Random(11)
    for _ in range(200):
        subject = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 40)))
        name = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 10)))
        raw, _ = mail(subject=subject, name=name)
        for line in header_lines(raw):
            assert line.isascii() and len(line) <= 78, line


@pytest.mark.parametrize("evil", ["Dewi\r\nBcc: victim@evil.example", "Dewi\nBcc: victim@evil.example",
                                  "Dewi\rBcc: victim@evil.example", "Dewi\u2028Bcc: victim@evil.example",
                                  "Dewi\x00\x1b\x85Bcc: victim@evil.example"])
def test_no_header_can_be_injected_through_a_name_or_subject(evil: str) -> None:
    raw, msg = mail(subject=f"[INC-000042] {evil}", name=evil)
    assert msg["Bcc"] is None
    assert [name for name, _ in msg.items()].count("Subject") == 1
    assert not any(line.lower().startswith(b"bcc:") for line in header_lines(raw))
    assert "Bcc: victim@evil.example" in msg["Subject"]          # kept as text, on one line
    assert msg["To"].addresses[0].addr_spec == "dewi@mail.example"
    assert len(msg["To"].addresses) == 1


def test_ill_formed_or_hostile_message_ids_are_not_copied_into_references() -> None:
    refs = thread_references(["<a@x>", "not an id", "<b@x>\r\nBcc: e@evil", "<a@x>", "", "<c d@x>", "<e@x>"])
    assert refs == ["<a@x>", "<e@x>"]
    many = [f"<m{i}@x>" for i in range(30)]
    kept = thread_references(many)
    assert len(kept) == MAX_REFERENCES and kept[0] == "<m0@x>" and kept[-1] == "<m29@x>"
    _, msg = mail(thread=())
    assert msg["In-Reply-To"] is None and msg["References"] is None


def test_bodies_are_utf8_text_and_html_alternatives() -> None:
    text = "Yth. Bapak/Ibu,\nLaporan “Ipos mati” – diterima ✓\n" + "x" * 200 + "\n"
    _, msg = mail(text=text)
    assert msg.get_content_type() == "multipart/alternative"
    plain = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert plain is not None and html is not None
    assert plain.get_content().replace("\r\n", "\n") == text
    assert plain.get_content_charset() == "utf-8" and html.get_content_charset() == "utf-8"
    assert "Laporan “Ipos mati” – diterima ✓" in html.get_content()


def test_header_helpers() -> None:
    assert clean(" a\r\n\tb \x00 c ") == "a b c"
    assert unstructured("[INC-1] plain words") == ["[INC-1]", "plain", "words"]
    tokens = unstructured("[INC-1] Jaringan – mati")
    assert tokens[:2] == ["[INC-1]", "Jaringan"] and tokens[2].startswith("=?utf-8?b?")
    assert all(len(w) <= 75 for w in encoded_words("王" * 100))
    assert fold("Subject", ["a"] * 3) == "a a a"


def test_text_that_utf8_cannot_carry_is_replaced_not_a_failed_mail() -> None:
    """A lone surrogate (undecodable bytes of a report, kept by surrogateescape) or a NUL
    in a reporter's words becomes U+FFFD in the mail, as in the database."""
    _, parsed = mail(text="Printer rusak \udcff di loket\x00 2\n")
    body = parsed.get_body(("plain",))
    assert body is not None and body.get_content().rstrip() == "Printer rusak \ufffd di loket\ufffd 2"
