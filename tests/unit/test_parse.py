"""Parsing: whatever a mail client sent, the desk gets readable text, decoded names and
attachment metadata, and bad mail becomes defects, never an exception."""
from __future__ import annotations

import base64
import hashlib
import os
import struct
from email.message import EmailMessage
from pathlib import Path

import compressed_rtf

from ingest.parse import body_hash, parse
from ingest.records import dedup_key

ODD = Path(__file__).resolve().parents[1] / "data" / "odd"
SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "reports"


def odd(name: str) -> bytes:
    return (ODD / name).read_bytes()


def mail(headers: str, body: bytes | str, charset: str = "") -> bytes:
    head = headers.strip().replace("\n", "\r\n") + "\r\n"
    if charset:
        head += f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset={charset}\r\n" \
                "Content-Transfer-Encoding: 8bit\r\n"
    data = body.encode() if isinstance(body, str) else body
    return head.encode("utf-8") + b"\r\n" + data


BASIC = "From: Budi <budi@posbalikpapan.example>\nTo: servicedesk@posbalikpapan.example\n" \
        "Subject: Ipos mati\nMessage-ID: <b1@posbalikpapan.example>\nDate: Mon, 2 Nov 2026 08:00:00 +0800"


# ---------------------------------------------------------------- names, subjects, charsets

def test_rfc2047_subject_and_display_name_are_decoded() -> None:
    parsed = parse(mail("From: =?UTF-8?Q?Dewi_Lestari_=E2=80=93_Antaran?= <dewi@posbalikpapan.example>\n"
                        "Subject: =?UTF-8?B?RS1Qb2QgdGlkYWsgYmlzYSBzaW5rcm9u?= =?UTF-8?Q?_=E2=80=93_gudang?=\n"
                        "Message-ID: <x@y>", "isi"))
    assert parsed.sender_name == "Dewi Lestari – Antaran"
    assert parsed.sender == "dewi@posbalikpapan.example"
    assert parsed.subject == "E-Pod tidak bisa sinkron – gudang"


def test_iso_2022_jp_subject_name_and_body_are_decoded() -> None:
    parsed = parse(odd("08-iso-2022-jp.eml"))
    assert parsed.subject == "【至急】Iposに出荷データを登録できません"
    assert parsed.sender_name == "田中 浩"
    assert "サービスデスク御中" in parsed.text and "\x1b" not in parsed.text


def test_latin1_body_reads_as_text() -> None:
    parsed = parse(odd("06-iso-8859-1-body.eml"))
    assert "±35°C" in parsed.text and "André" in parsed.text


def test_windows_1252_smart_quotes_are_not_control_characters() -> None:
    parsed = parse(odd("07-windows-1252-smart-quotes.eml"))
    assert "“Your connection isn’t private” – lalu halaman kosong…" in parsed.text


def test_latin1_label_on_windows_1252_bytes_reads_as_windows_1252() -> None:
    parsed = parse(mail(BASIC, "kata \x93mati\x94 \x96 server".encode("latin-1"), "iso-8859-1"))
    assert parsed.text == "kata “mati” – server"


def test_undeclared_8bit_utf8_body_and_raw_utf8_headers() -> None:
    assert "putus – kena kursi" in parse(odd("22-undeclared-8bit.eml")).text
    parsed = parse(odd("25-raw-utf8-headers.eml"))
    assert parsed.subject == "E-Pod gagal sinkron – data ± 40 kiriman tertahan"
    assert parsed.sender_name == "Dewi Lestari – Antaran"


def test_unknown_charset_is_a_defect_and_the_text_is_still_read() -> None:
    parsed = parse(odd("05-unknown-charset.eml"))
    assert "layar biru “INACCESSIBLE_BOOT_DEVICE”" in parsed.text
    assert any("unknown charset" in d for d in parsed.defects)


def test_header_injection_and_overlong_subject_stay_one_bounded_line() -> None:
    injected = parse(odd("14-header-injection-subject.eml")).subject
    assert "\r" not in injected and "\n" not in injected and "Bcc:" in injected
    assert len(parse(odd("13-long-header-line.eml")).subject) == 998


def test_nul_bytes_are_removed_and_noted() -> None:
    parsed = parse(odd("12-nul-bytes-body.eml"))
    assert "\x00" not in parsed.text and "NUL bytes in the body" in parsed.defects


def test_missing_or_address_less_from_gives_no_sender() -> None:
    for name in ("01-missing-from.eml", "02-from-display-name-only.eml"):
        parsed = parse(odd(name))
        assert parsed.sender is None and "no usable From: address" in parsed.defects


def test_first_of_two_message_ids_is_used() -> None:
    assert parse(odd("23-duplicate-message-id.eml")).message_id == "<odd-23-first@posbalikpapan.example>"


# ---------------------------------------------------------------- bodies

def test_html_only_mail_becomes_readable_text_without_scripts() -> None:
    parsed = parse(odd("15-html-script-onclick.eml"))
    assert "Wahana tidak bisa dibuka" in parsed.text and "error 503" in parsed.text
    assert "fetch(" not in parsed.text and "<" not in parsed.text
    outlook = parse((SAMPLES / "04-simsdm-gagal-booting-html-only.eml").read_bytes())
    assert "fails to boot" in outlook.text and "&nbsp;" not in outlook.text


def test_broken_mime_boundary_is_recovered() -> None:
    parsed = parse(odd("03-broken-mime-boundary.eml"))
    assert "Server SIK lambat sekali sejak pagi" in parsed.text
    assert any("boundary" in d for d in parsed.defects)


def test_mail_with_no_body_parses_with_the_subject_only() -> None:
    parsed = parse(odd("21-no-body.eml"))
    assert parsed.text == "" and parsed.subject == "Wahana tidak bisa dibuka"


def test_garbage_and_absurd_nesting_never_raise() -> None:
    nested = b"From: a@b.example\r\nSubject: deep\r\n" + b"".join(
        b"Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\n" % (i, i) for i in range(3000))
    for raw in (b"", b"\x00\xff" * 50, os.urandom(4096), nested):
        parsed = parse(raw)
        assert isinstance(parsed.text, str) and parsed.size == len(raw)


# ---------------------------------------------------------------- attachments

def test_attachments_are_metadata_with_sha256_of_the_decoded_bytes() -> None:
    raw = (SAMPLES / "05-pospay-kabel-rusak-attachment.eml").read_bytes()
    parsed = parse(raw)
    (attachment,) = parsed.attachments
    assert (attachment.name, attachment.content_type, attachment.size) == ("ping-loket3.log", "text/plain", 753)
    import email
    part = [p for p in email.message_from_bytes(raw).walk() if p.get_filename()][0]
    assert attachment.sha256 == hashlib.sha256(part.get_payload(decode=True)).hexdigest()


def test_rfc2231_filenames_are_decoded() -> None:
    names = [a.name for a in parse(odd("09-rfc2231-filename.eml")).attachments]
    assert names == ["laporan gangguan – loket 3.txt", "suhu ruang server ±35°C.txt"]


def test_path_like_attachment_names_are_only_names() -> None:
    """Names are display data: parse keeps them verbatim, and nothing in ingest writes files."""
    assert [a.name for a in parse(odd("10-attachment-path-traversal.eml")).attachments] == ["../../etc/passwd"]
    assert [a.name for a in parse(odd("11-attachment-windows-path.eml")).attachments] == ["C:\\Windows\\evil.bat"]


def with_attachment(data: bytes, name: str = "capture.bin") -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "budi@posbalikpapan.example", "desk@example.org", "lampiran"
    msg["Message-ID"] = "<att@posbalikpapan.example>"
    msg.set_content("Terlampir.")
    msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return msg.as_bytes()


def test_large_attachment_is_hashed_in_chunks_to_the_same_digest() -> None:
    data = os.urandom(3 * 1024 * 1024 + 7)
    (attachment,) = parse(with_attachment(data)).attachments
    assert attachment.size == len(data)
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()


def test_attachment_over_the_limit_is_listed_but_not_decoded() -> None:
    data = os.urandom(200_000)
    (attachment,) = parse(with_attachment(data), max_attachment_bytes=100_000).attachments
    assert attachment.over_limit and attachment.sha256 == ""
    assert abs(attachment.size - len(data)) < 1000


def test_a_large_attachment_never_goes_through_the_email_parser() -> None:
    """The email package would hold a 10 MB attachment several times over (as lines, then
    joined); it is hashed from the raw bytes instead, so parsing costs a few MB at most."""
    import tracemalloc
    data = os.urandom(10 * 1024 * 1024)
    raw = with_attachment(data)
    tracemalloc.start()
    try:
        parsed = parse(raw)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert parsed.attachments[0].sha256 == hashlib.sha256(data).hexdigest()
    assert parsed.text == "Terlampir."
    assert peak < 8 * 1024 * 1024


def test_a_large_base64_text_body_is_still_read() -> None:
    text = "Log server SIK: koneksi timeout.\n" * 40_000
    raw = mail(BASIC + "\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
               "Content-Transfer-Encoding: base64", base64.encodebytes(text.encode()).replace(b"\n", b"\r\n"))
    assert len(raw) > 1024 * 1024
    assert parse(raw).text == text.strip()


# ---------------------------------------------------------------- winmail.dat (TNEF)

def _tnef_object(level: int, name: int, kind: int, data: bytes) -> bytes:
    return struct.pack("<BHHI", level, name, kind, len(data)) + data + struct.pack("<H", sum(data) & 0xFFFF)


def _mapi(*props: tuple[int, int, bytes]) -> bytes:
    out = struct.pack("<I", len(props))
    for kind, pid, value in props:
        out += struct.pack("<HH", kind, pid)
        if kind in (0x001E, 0x001F, 0x0102):  # string8, unicode, binary: count, length, padded
            out += struct.pack("<II", 1, len(value)) + value + b"\0" * (-len(value) % 4)
        else:
            out += value
    return out


def winmail_dat(body_props: tuple[tuple[int, int, bytes], ...], files: dict[str, bytes]) -> bytes:
    """A TNEF stream as Outlook writes one (MS-OXTNEF): signature, key, message attributes
    (version, OEM code page, class, MAPI properties with the body), then per attachment its
    rendering, title, data and MAPI properties (long name, MIME type)."""
    parts = [struct.pack("<IH", 0x223E9F78, 0x0101),
             _tnef_object(1, 0x9006, 0x0008, struct.pack("<I", 0x00010000)),
             _tnef_object(1, 0x9007, 0x0006, struct.pack("<II", 1252, 0)),
             _tnef_object(1, 0x8008, 0x0007, b"IPM.Microsoft Mail.Note\0"),
             _tnef_object(1, 0x9003, 0x0006, _mapi(*body_props))]
    for name, data in files.items():
        parts += [_tnef_object(2, 0x9002, 0x0006, b"\x01\x00" + b"\xff" * 4 + b"\0" * 8),
                  _tnef_object(2, 0x8010, 0x0001, b"ATTACH~1.LOG\0"),
                  _tnef_object(2, 0x800F, 0x0006, data),
                  _tnef_object(2, 0x9005, 0x0006, _mapi(
                      (0x001F, 0x3707, (name + "\0").encode("utf-16-le")),
                      (0x001E, 0x370E, b"text/plain\0")))]
    return b"".join(parts)


def outlook_mail(tnef: bytes, plain: str = "") -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"] = "Sri Wahyuni <kabid.keuangan@posbalikpapan.example>", "desk@example.org"
    msg["Subject"], msg["Message-ID"] = "Server SIK mati", "<tnef@posbalikpapan.example>"
    msg.set_content(plain)
    msg.add_attachment(tnef, maintype="application", subtype="ms-tnef", filename="winmail.dat")
    return msg.as_bytes()


def test_winmail_dat_rich_text_body_and_files_are_unpacked() -> None:
    rtf = rb"{\rtf1\ansi\ansicpg1252 Server SIK mati sejak pagi.\par Mohon segera dicek.\par}"
    tnef = winmail_dat(((0x0102, 0x1009, compressed_rtf.compress(rtf, compressed=True)),),
                       {"hasil ping – loket 3.log": b"PING 10.0.0.1: timeout\r\n"})
    parsed = parse(outlook_mail(tnef))
    assert "Server SIK mati sejak pagi." in parsed.text and "Mohon segera dicek." in parsed.text
    (attachment,) = parsed.attachments
    assert (attachment.name, attachment.content_type) == ("hasil ping – loket 3.log", "text/plain")
    assert attachment.sha256 == hashlib.sha256(b"PING 10.0.0.1: timeout\r\n").hexdigest()


def test_winmail_dat_plain_body_property_is_used() -> None:
    tnef = winmail_dat(((0x001E, 0x1000, "Printer loket 2 macet – kertas tersangkut\0".encode("cp1252")),), {})
    assert parse(outlook_mail(tnef)).text == "Printer loket 2 macet – kertas tersangkut"


def test_unreadable_winmail_dat_is_a_defect_and_kept_as_an_attachment() -> None:
    parsed = parse(outlook_mail(b"not tnef at all", plain="Lihat lampiran."))
    assert parsed.text == "Lihat lampiran."
    assert [a.name for a in parsed.attachments] == ["winmail.dat"]
    assert any("TNEF" in d for d in parsed.defects)


# ---------------------------------------------------------------- identity of a mail

def test_body_hash_ignores_transport_headers_and_line_endings() -> None:
    one = mail("Received: from a\n" + BASIC, "Ipos mati.\r\nTolong.\r\n")
    two = mail("Received: from b\nReceived: from c\n" + BASIC, "Ipos mati.\r\nTolong.\r\n").replace(b"\r\n", b"\n")
    assert body_hash(one) == body_hash(two)
    assert dedup_key(parse(one)) == dedup_key(parse(two))


def test_mail_without_message_id_is_known_by_sender_date_subject_and_body() -> None:
    head = "From: budi@posbalikpapan.example\nSubject: Ipos mati\nDate: Mon, 2 Nov 2026 08:00:00 +0800"
    first, again = parse(mail(head, "Ipos mati.")), parse(mail("Received: x\n" + head, "Ipos mati."))
    later = parse(mail(head.replace("08:00:00", "09:00:00"), "Ipos mati."))
    assert first.message_id is None
    assert dedup_key(first) == dedup_key(again) != dedup_key(later)
    assert dedup_key(first) is not None


def test_base64_body_parts_decode() -> None:
    text = "Internet mati – lantai 2."
    raw = mail(BASIC + "\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
               "Content-Transfer-Encoding: base64", base64.encodebytes(text.encode()))
    assert parse(raw).text == text
