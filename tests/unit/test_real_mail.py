"""What real mail says, however its client wrote it: charset labels read as browsers read
them, raw 8-bit headers in a legacy charset, a header block that lost its folding, and a
sender salvaged from a malformed From: (issue #11)."""
from __future__ import annotations

import base64

import pytest

from ingest.charset import decode_bytes, decode_words, header_text
from ingest.detect import detect_charset
from ingest.header_repair import repair_folding
from ingest.parse import parse

HEAD = ("From: Budi <budi@posbalikpapan.example>\r\nTo: servicedesk@posbalikpapan.example\r\n"
        "Message-ID: <real@posbalikpapan.example>\r\n")


def raw_mail(head: bytes, body: bytes = b"isi laporan\r\n", charset: str = "") -> bytes:
    """A mail from header bytes (8-bit allowed) and a body, optionally labelled."""
    ctype = (f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset={charset}\r\n"
             "Content-Transfer-Encoding: 8bit\r\n").encode() if charset else b""
    return head + ctype + b"\r\n" + body


# ---------------------------------------------------------------- labels as browsers read them

# (label, text that needs the superset the label really means in mail, the superset)
SUPERSETS = [
    ("gb2312", "镕基 — 服务器", "gbk"),          # 镕 is GBK, not GB2312
    ("GBK", "服务器 𠀀", "gb18030"),          # four-byte GB18030 beyond GBK
    ("ks_c_5601-1987", "똠방각하 서버", "cp949"),  # 똠 is only in cp949 (UHC)
    ("shift_jis", "①番窓口のサーバー停止", "cp932"),  # circled digits are Windows-31J only
    ("big5", "係咪㗎 香港", "big5hkscs"),       # Cantonese 㗎: HKSCS
    ("tis-620", "เซิร์ฟเวอร์ล่ม “ด่วน”", "cp874"),  # curly quotes: windows-874 only
    ("us-ascii", "kata “mati” – server", "cp1252"),
    ("iso-8859-1", "kata “mati” – server € 5", "cp1252"),
]


@pytest.mark.parametrize("label,text,written_in", SUPERSETS)
def test_body_labels_mean_what_their_senders_write(label: str, text: str, written_in: str) -> None:
    data = text.encode(written_in)
    assert data.decode(label, errors="replace") != text   # the label's own codec misreads it
    parsed = parse(raw_mail(HEAD.encode() + b"Subject: x\r\n", data, label))
    assert parsed.text == text and not parsed.defects


@pytest.mark.parametrize("label,text,written_in", SUPERSETS)
def test_encoded_words_read_labels_the_same_way(label: str, text: str, written_in: str) -> None:
    b_word = f"=?{label}?B?{base64.b64encode(text.encode(written_in)).decode()}?="
    assert decode_words(b_word) == text
    q_word = "=?" + label + "?Q?" + "".join(f"={b:02X}" for b in text.encode(written_in)) + "?="
    assert decode_words(q_word) == text


def test_gb2312_subject_with_gbk_only_characters_decodes() -> None:
    subject = "=?GB2312?B?" + base64.b64encode("朱镕基：邮件服务器故障".encode("gbk")).decode() + "?="
    parsed = parse(raw_mail(HEAD.encode() + f"Subject: {subject}\r\n".encode()))
    assert parsed.subject == "朱镕基：邮件服务器故障"


def test_a_character_split_across_two_encoded_words_is_joined() -> None:
    data = "服务器故障".encode("gbk")
    first, second = base64.b64encode(data[:3]).decode(), base64.b64encode(data[3:]).decode()
    assert header_text(f"=?gbk?B?{first}?=\r\n =?gbk?B?{second}?=") == "服务器故障"


def test_encoded_words_keep_text_between_them_and_leave_malformed_ones() -> None:
    assert decode_words("=?utf-8?q?Ipos?= mati =?utf-8?q?lagi?=") == "Ipos mati lagi"
    assert decode_words("Re: =?utf-8?b?not base64!?= tetap") == "Re: =?utf-8?b?not base64!?= tetap"
    assert decode_words("=?utf-8*id?q?Layanan_=E2=80=93_Ipos?=") == "Layanan – Ipos"


def test_a_label_that_names_no_charset_is_unknown_not_a_crash() -> None:
    for label in ("base64", "rot13", "zlib", "x-nonsense"):
        text, defect = decode_bytes("Ipos mati".encode(), label)
        assert text == "Ipos mati" and defect == f"unknown charset {label!r}"


def test_an_unlabelled_legacy_body_is_detected() -> None:
    text = "服务器无法登录，请尽快处理。\n所有窗口都不能输入包裹数据。"
    assert decode_bytes(text.encode("gbk"), None) == (text, None)


# ---------------------------------------------------------------- raw 8-bit header text

CHINESE = "服务器无法登录，请尽快处理"
JAPANESE = "【至急】Iposに出荷データを登録できません"


@pytest.mark.parametrize("text,codec,label", [
    (CHINESE, "gbk", "gb2312"), (JAPANESE, "cp932", "shift_jis"), ("张伟", "gbk", "GBK")])
def test_raw_8bit_subject_and_name_read_with_the_body_charset(text: str, codec: str, label: str) -> None:
    head = (b"Subject: " + text.encode(codec) + b"\r\nFrom: " + "王芳".encode(codec)
            + b" <wang@example.cn>\r\nTo: servicedesk@posbalikpapan.example\r\n")
    parsed = parse(raw_mail(head, "正文".encode(codec), label))
    assert parsed.subject == text
    assert parsed.sender_name == "王芳" and parsed.sender == "wang@example.cn"


@pytest.mark.parametrize("text,codec", [(CHINESE, "gbk"), (JAPANESE, "cp932"), ("打印机故障", "gbk"),
                                        ("サーバー停止", "cp932")])
def test_raw_8bit_subject_without_a_declared_charset_is_detected(text: str, codec: str) -> None:
    for label in ("", "us-ascii"):        # us-ascii declares nothing about 8-bit bytes
        parsed = parse(raw_mail(HEAD.encode() + b"Subject: " + text.encode(codec) + b"\r\n",
                                b"Mohon dicek.\r\n", label))
        assert parsed.subject == text, label


def test_raw_subject_in_windows_1252_and_utf8_still_read() -> None:
    latin = parse(raw_mail(HEAD.encode() + "Subject: Café – réseau en panne\r\n".encode("cp1252")))
    assert latin.subject == "Café – réseau en panne"
    utf8 = parse(raw_mail(HEAD.encode() + "Subject: 服务器 – Ipos\r\n".encode(), b"x", "gb2312"))
    assert utf8.subject == "服务器 – Ipos"      # RFC 6532 UTF-8 wins over the body's label


@pytest.mark.parametrize("text,codec", [
    ("服务器无法登录", "gbk"), ("田中 浩", "cp932"), ("鈴木一郎", "cp932"), ("陳大文", "big5"),
    ("伺服器無法連線", "big5"), ("เซิร์ฟเวอร์ล่ม", "cp874"), ("André Müller", "cp1252"),
    ("Ipos mati – loket 5", "cp1252"), ("ネットワーク障害のお知らせ", "euc_jp"),
    ("Сервер не работает", "cp1251")])
def test_detection_reads_short_legacy_text(text: str, codec: str) -> None:
    found = detect_charset(text.encode(codec))
    assert found is not None and text.encode(codec).decode(found) == text


# ---------------------------------------------------------------- lost folding

def test_continuation_lines_without_white_space_are_folded_again() -> None:
    blob = base64.b64encode(bytes(range(256)) * 2).decode()
    lines = [blob[i:i + 76] for i in range(0, len(blob), 76)]
    head = ("Received: from gw.example by mx.posbalikpapan.example\r\n"
            f"X-Gateway-Data: {lines[0]}\r\n" + "".join(f"{line}\r\n" for line in lines[1:])
            + "From: Budi <budi@posbalikpapan.example>\r\nSubject: Printer loket 2 mati\r\n")
    parsed = parse(raw_mail(head.encode(), b"Printer resi tidak mau mencetak.\r\n"))
    assert parsed.sender == "budi@posbalikpapan.example" and parsed.subject == "Printer loket 2 mati"
    assert parsed.text == "Printer resi tidak mau mencetak."
    assert any("without the leading white space" in d for d in parsed.defects)


def test_a_lost_continuation_of_a_subject_joins_the_subject() -> None:
    head = (b"From: Budi <budi@posbalikpapan.example>\r\nSubject: Ipos loket 5 tidak bisa login\r\n"
            b"sejak jam 10 pagi\r\nTo: servicedesk@posbalikpapan.example\r\n")
    parsed = parse(raw_mail(head))
    assert parsed.subject == "Ipos loket 5 tidak bisa login sejak jam 10 pagi"
    assert parsed.recipients == ("servicedesk@posbalikpapan.example",)


def test_bare_lines_after_the_last_field_stay_body_and_the_blank_line_ends_the_block() -> None:
    no_blank = b"From: budi@posbalikpapan.example\r\nSubject: x\r\nHalo, Ipos mati.\r\nMohon dicek.\r\n"
    assert repair_folding(no_blank) == (no_blank, None)
    body_field = HEAD.encode() + b"Subject: x\r\n\r\nbaris\r\nNote: bukan header\r\n"
    assert repair_folding(body_field) == (body_field, None)
    parsed = parse(no_blank)
    assert parsed.subject == "x" and "Halo, Ipos mati." in parsed.text


def test_a_clean_header_block_is_returned_uncopied() -> None:
    raw = raw_mail(HEAD.encode() + b"Subject: Ipos mati\r\n X-folded: still subject\r\n")
    mended, defect = repair_folding(raw)
    assert mended is raw and defect is None


# ---------------------------------------------------------------- sender salvage

def sender_of(from_lines: str, extra: str = "") -> tuple[str | None, str, bool, tuple[str, ...]]:
    parsed = parse(raw_mail(f"{from_lines}{extra}To: servicedesk@posbalikpapan.example\r\n"
                            "Subject: Ipos mati\r\n".encode()))
    return parsed.sender, parsed.sender_name, parsed.sender_salvaged, parsed.defects


def test_one_exact_from_address_is_not_salvaged() -> None:
    assert sender_of("From: Budi <Budi@Posbalikpapan.example>\r\n") == \
        ("budi@posbalikpapan.example", "Budi", False, ())


def test_two_from_headers_with_one_valid_address() -> None:
    address, name, salvaged, defects = sender_of("From: Budi Santoso\r\nFrom: Budi <budi@posbalikpapan.example>\r\n")
    assert (address, name, salvaged) == ("budi@posbalikpapan.example", "Budi", True)
    assert "sender salvaged (budi@posbalikpapan.example): 2 From: headers; one address between them" in defects


def test_several_from_addresses_use_the_one_sender_names_else_the_first() -> None:
    many = "From: Ani <ani@posbalikpapan.example>, Budi <budi@posbalikpapan.example>\r\n"
    named = sender_of(many, "Sender: budi@posbalikpapan.example\r\n")
    assert named[:3] == ("budi@posbalikpapan.example", "Budi", True)
    assert any("used the one Sender: names" in d for d in named[3])
    first = sender_of(many)
    assert first[:3] == ("ani@posbalikpapan.example", "Ani", True)
    assert any("2 addresses in From:, used the first" in d for d in first[3])


def test_a_stray_quote_is_dropped_and_a_space_is_quoted_never_split() -> None:
    assert sender_of('From: john.doe"@example.com\r\n')[:3] == ("john.doe@example.com", "", True)
    assert sender_of('From: John <john.doe"@example.com>\r\n')[:3] == ("john.doe@example.com", "John", True)
    spaced = sender_of("From: john doe@example.com\r\n")
    assert spaced[:3] == ('"john doe"@example.com', "", True)     # not doe@example.com: another person
    assert any("a space in the address" in d for d in spaced[3])
    assert sender_of('From: "john doe"@example.com\r\n')[:3] == ('"john doe"@example.com', "", True)


def test_reply_to_or_return_path_only_when_from_has_no_address() -> None:
    name_only = "From: Budi Santoso - Loket 2\r\n"
    assert sender_of(name_only, "Reply-To: budi@posbalikpapan.example\r\n")[:3] == \
        ("budi@posbalikpapan.example", "Budi Santoso - Loket 2", True)
    via_path = sender_of(name_only, "Return-Path: <budi@posbalikpapan.example>\r\n")
    assert via_path[0] == "budi@posbalikpapan.example"
    assert "sender salvaged: no address in From:; used Return-Path: budi@posbalikpapan.example" in via_path[3]
    # a From: with an address wins over Reply-To, exactly as before
    assert sender_of("From: budi@posbalikpapan.example\r\n", "Reply-To: other@example.com\r\n")[:3] == \
        ("budi@posbalikpapan.example", "", False)
    nothing = sender_of(name_only, "Return-Path: <>\r\n")
    assert nothing[0] is None and "no usable From: address" in nothing[3]


def test_junk_beside_the_from_address_is_salvage_too() -> None:
    assert sender_of("From: budi@posbalikpapan.example, undisclosed\r\n")[:3] == \
        ("budi@posbalikpapan.example", "", True)


def test_salvage_never_raises_on_hostile_from_headers() -> None:
    for value in ('"' * 500, "<" * 200 + "@", "a@b, " * 2000, '=?utf-8?b?IiI=?=@x', "@", '""@x.example',
                  "x" * 400 + " y@example.com", "From: \x00@\x00"):
        parsed = parse(raw_mail(f"From: {value}\r\nSubject: x\r\n".encode()))
        assert parsed.sender is None or "@" in parsed.sender


def test_a_local_part_longer_than_any_real_mailbox_is_no_address() -> None:
    assert sender_of(f"From: {'x' * 64}@example.com\r\n")[0] == f"{'x' * 64}@example.com"
    too_long = sender_of(f"From: {'x' * 65}@example.com\r\n")
    assert too_long[0] is None and "no usable From: address" in too_long[3]
