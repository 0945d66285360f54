"""split_reply: the sender's new words, the signature, and the quoted history."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from ingest.html_text import html_to_text
from ingest.quotes import Reply, split_reply

REPLIES = Path(__file__).resolve().parents[1] / "data" / "replies"


@dataclasses.dataclass(frozen=True)
class Case:
    id: str
    text: str
    new: str
    signature: str = ""
    quoted_starts: str = ""  # the first line `quoted` must start with ("" = quoted is empty)


# Every client style in both languages. `text` is what the client puts in text/plain.
CASES = [
    Case(
        "gmail-english-header-cuts-history",
        "Sudah normal, silakan dicoba.\n\n"
        "On Mon, 3 Nov 2025 at 10:12, Budi <budi@posindonesia.co.id> wrote:\n\n"
        "> Ipos tidak bisa login.\n> Status: baru\n",
        "Sudah normal, silakan dicoba.",
        quoted_starts="On Mon, 3 Nov 2025 at 10:12, Budi <budi@posindonesia.co.id> wrote:",
    ),
    Case(
        "gmail-english-iso-date-header-cuts-history",
        "Done, router restarted.\n\nOn 2025-11-03 10:12, Budi wrote:\n> The internet is down.\n",
        "Done, router restarted.",
        quoted_starts="On 2025-11-03 10:12, Budi wrote:",
    ),
    Case(
        "indonesian-gmail-header-cuts-history",
        "Sudah kami restart.\n\n"
        "Pada tanggal Sen, 3 Nov 2025 pukul 10.12 Budi <budi@posindonesia.co.id> menulis:\n\n"
        "> Internet loket 2 mati.\n",
        "Sudah kami restart.",
        quoted_starts="Pada tanggal Sen, 3 Nov 2025 pukul 10.12 Budi",
    ),
    Case(
        "indonesian-gmail-short-header-cuts-history",
        "Oke, ditunggu.\n\nPada Sen, 3 Nov 2025 10.12, Budi <budi@posindonesia.co.id> menulis:\n"
        "> Teknisi segera datang.\n",
        "Oke, ditunggu.",
        quoted_starts="Pada Sen, 3 Nov 2025 10.12, Budi",
    ),
    Case(
        "gmail-english-header-wrapped-over-two-lines-cuts-history",
        "Thanks, works again.\n\n"
        "On Mon, 3 Nov 2025 at 10:12, Budi Santoso Wijaya Kusumanegara <\n"
        "budi.santoso.wijaya@posindonesia.co.id> wrote:\n\n> Please retry.\n",
        "Thanks, works again.",
        quoted_starts="On Mon, 3 Nov 2025 at 10:12, Budi Santoso Wijaya Kusumanegara <",
    ),
    Case(
        "indonesian-gmail-header-wrapped-over-two-lines-cuts-history",
        "Sudah bisa, terima kasih.\n\n"
        "Pada tanggal Sen, 3 Nov 2025 pukul 10.12 Service Desk SOLTEK Balikpapan <\n"
        "servicedesk@posbalikpapan.example> menulis:\n\n> Mohon dicoba lagi.\n",
        "Sudah bisa, terima kasih.",
        quoted_starts="Pada tanggal Sen, 3 Nov 2025 pukul 10.12 Service Desk SOLTEK",
    ),
    Case(
        "outlook-english-header-block-cuts-history",
        "Please escalate, all counters are affected.\n\n"
        "From: Budi Santoso <budi@posindonesia.co.id>\n"
        "Sent: Monday, November 3, 2025 10:12 AM\n"
        "To: Service Desk <servicedesk@posbalikpapan.example>\n"
        "Subject: Ipos down\n\nIpos down at counter 2.\n",
        "Please escalate, all counters are affected.",
        quoted_starts="From: Budi Santoso <budi@posindonesia.co.id>",
    ),
    Case(
        "outlook-indonesian-header-block-cuts-history",
        "Status: proses\n\nSedang kami cek.\n\n"
        "Dari: Service Desk SOLTEK <servicedesk@posbalikpapan.example>\n"
        "Dikirim: Senin, 03 November 2025 08.18\n"
        "Kepada: Hendra Wijaya <kepala.kantor@posbalikpapan.example>\n"
        "Cc: Andi Saputra <andi@posbalikpapan.example>\n"
        "Subjek: [INC-000001] Laporan diterima\n\nStatus: baru\n",
        "Status: proses\n\nSedang kami cek.",
        quoted_starts="Dari: Service Desk SOLTEK",
    ),
    Case(
        "outlook-indonesian-tanggal-perihal-block-cuts-history",
        "Noted.\n\nDari: Budi <budi@posindonesia.co.id>\nTanggal: 3 November 2025 10.12\n"
        "Kepada: servicedesk@posbalikpapan.example\nPerihal: Printer loket rusak\n\nPrinter rusak.\n",
        "Noted.",
        quoted_starts="Dari: Budi <budi@posindonesia.co.id>",
    ),
    Case(
        "gmail-rendering-of-outlook-bold-labels-cuts-history",
        "Sudah.\n\n*From:* Budi <budi@posindonesia.co.id>\n*Sent:* Monday, November 3, 2025 10:12\n"
        "*To:* Service Desk\n*Subject:* RE: Ipos\n",
        "Sudah.",
        quoted_starts="*From:* Budi",
    ),
    Case(
        "outlook-underscore-separator-cuts-history",
        "Sudah dicek.\n\n________________________________\n"
        "Dari: Service Desk SOLTEK <servicedesk@posbalikpapan.example>\nDikirim: Senin\n",
        "Sudah dicek.",
        quoted_starts="________________________________",
    ),
    Case(
        "original-message-separator-cuts-history",
        "See below.\n\n-----Original Message-----\nFrom: Budi\nSent: Monday\n\nold text\n",
        "See below.",
        quoted_starts="-----Original Message-----",
    ),
    Case(
        "indonesian-pesan-asli-separator-cuts-history",
        "Lihat di bawah.\n\n-----Pesan Asli-----\nDari: Budi\n\nteks lama\n",
        "Lihat di bawah.",
        quoted_starts="-----Pesan Asli-----",
    ),
    Case(
        "thunderbird-indonesian-original-message-block-cuts-history",
        "Sudah saya teruskan.\n\n-------- Pesan Asli --------\nSubjek: Ipos error\n"
        "Tanggal: Mon, 3 Nov 2025 10:12:00 +0800\nDari: Budi <budi@posindonesia.co.id>\n"
        "Kepada: servicedesk@posbalikpapan.example\n\nIpos error.\n",
        "Sudah saya teruskan.",
        quoted_starts="-------- Pesan Asli --------",
    ),
    Case(
        "thunderbird-indonesian-field-names-block-cuts-history",
        "Terlampir.\n\nDari: Budi <budi@posindonesia.co.id>\nPengirim: Loket 3 <loket3@posindonesia.co.id>\n"
        "Balas ke: budi@posindonesia.co.id\nTanggal: 03/11/2025 10.12\n\nIsi lama.\n",
        "Terlampir.",
        quoted_starts="Dari: Budi <budi@posindonesia.co.id>",
    ),
    Case(
        "thunderbird-indonesian-attribution-cuts-history",
        "Sudah bisa login.\n\nPada 03/11/2025 10.12, Service Desk SOLTEK menulis:\n"
        "> Mohon dicoba login ulang.\n",
        "Sudah bisa login.",
        quoted_starts="Pada 03/11/2025 10.12, Service Desk SOLTEK menulis:",
    ),
    Case(
        "thunderbird-author-wrote-on-date-before-quote-cuts-history",
        "Sudah.\n\nService Desk SOLTEK menulis di 03/11/2025 10.12:\n> Mohon dicek.\n",
        "Sudah.",
        quoted_starts="Service Desk SOLTEK menulis di 03/11/2025 10.12:",
    ),
    Case(
        "apple-english-header-cuts-history",
        "Fixed.\n\nSent from my iPhone\n\nOn 3 Nov 2025, at 10:12, Budi <budi@posindonesia.co.id> wrote:\n\n"
        "> Printer jammed.\n",
        "Fixed.",
        signature="Sent from my iPhone",
        quoted_starts="Sent from my iPhone",
    ),
    Case(
        "apple-indonesian-header-cuts-history",
        "Sudah beres.\n\nDikirim dari iPhone saya\n\n"
        "Pada 3 Nov 2025, pukul 10.12, Budi <budi@posindonesia.co.id> menulis:\n\n> Printer macet.\n",
        "Sudah beres.",
        signature="Dikirim dari iPhone saya",
        quoted_starts="Dikirim dari iPhone saya",
    ),
    Case(
        "gmail-forwarded-message-separator-cuts-history",
        "Pak, mohon dibantu, ini laporan dari loket.\n\n---------- Forwarded message ---------\n"
        "From: Budi <budi@posindonesia.co.id>\nDate: Mon, Nov 3, 2025 at 10:12 AM\n",
        "Pak, mohon dibantu, ini laporan dari loket.",
        quoted_starts="---------- Forwarded message ---------",
    ),
    Case(
        "apple-indonesian-forward-cuts-history",
        "Mohon ditindaklanjuti.\n\nAwal pesan yang diteruskan:\n\nDari: Budi\n",
        "Mohon ditindaklanjuti.",
        quoted_starts="Awal pesan yang diteruskan:",
    ),
    Case(
        "trailing-quote-block-without-header-is-history",
        "Sudah dicek, aman.\n\n> Tolong cek server SIK.\n> Terima kasih.\n",
        "Sudah dicek, aman.",
        quoted_starts="> Tolong cek server SIK.",
    ),
    Case(
        "command-lines-at-the-top-stay-in-new",
        "Status: proses\nUrgensi: tinggi\n\nSudah dicek.\n\n"
        "Pada Sen, 3 Nov 2025 10.12, Budi <budi@posindonesia.co.id> menulis:\n> Status: baru\n> Ipos mati\n",
        "Status: proses\nUrgensi: tinggi\n\nSudah dicek.",
        quoted_starts="Pada Sen, 3 Nov 2025 10.12, Budi",
    ),
    Case(
        "mixed-indonesian-english-reply-cuts-at-english-header",
        "Pak Budi, router sudah di-restart. Please check again from your side ya.\n"
        "Kalau masih error, reply email ini.\n\nTerima kasih,\nAndi\n\n"
        "On Mon, 3 Nov 2025 at 10:12, Budi <budi@posindonesia.co.id> wrote:\n"
        "> Internet di loket 2 mati, all counters affected.\n",
        "Pak Budi, router sudah di-restart. Please check again from your side ya.\n"
        "Kalau masih error, reply email ini.\n\nTerima kasih,\nAndi",
        quoted_starts="On Mon, 3 Nov 2025 at 10:12",
    ),
    Case(
        "indonesian-closing-is-not-a-signature",
        "Mohon dicek printer loket 3.\n\nTerima kasih\nSalam,\nBudi Santoso\nKantor Pos Balikpapan\n",
        "Mohon dicek printer loket 3.\n\nTerima kasih\nSalam,\nBudi Santoso\nKantor Pos Balikpapan",
    ),
    Case(
        "dash-dash-space-delimiter-starts-signature",
        "Sudah normal.\n\nTerima kasih,\nAndi\n-- \nAndi Saputra\nService Desk SOLTEK\nExt. 123\n",
        "Sudah normal.\n\nTerima kasih,\nAndi",
        signature="-- \nAndi Saputra\nService Desk SOLTEK\nExt. 123",
        quoted_starts="-- ",
    ),
    Case(
        "from-inside-a-sentence-does-not-cut",
        "Please check the From: field, it shows the wrong name.\n"
        "From: this morning on, Ipos rejects logins.\nTo: be honest it is urgent.\n\nThanks, Budi\n",
        "Please check the From: field, it shows the wrong name.\n"
        "From: this morning on, Ipos rejects logins.\nTo: be honest it is urgent.\n\nThanks, Budi",
    ),
    Case(
        "memo-fields-written-by-the-sender-do-not-cut",
        "Kepada: Tim IT SOLTEK\nDari: Loket 3\nPerihal: Internet mati\nTanggal: 3 November 2025\n\n"
        "Internet di loket 3 mati sejak pagi.\n",
        "Kepada: Tim IT SOLTEK\nDari: Loket 3\nPerihal: Internet mati\nTanggal: 3 November 2025\n\n"
        "Internet di loket 3 mati sejak pagi.",
    ),
    Case(
        "sentence-starting-with-on-does-not-cut",
        "On Monday the server went down at 10:12 again.\nPada pukul 10.12 server mati lagi.\n",
        "On Monday the server went down at 10:12 again.\nPada pukul 10.12 server mati lagi.",
    ),
    Case(
        "sentence-ending-with-menulis-colon-does-not-cut",
        "Pada tanggal 3 Nov 2025 teknisi menulis:\nkabel diganti, router di-reset.\n",
        "Pada tanggal 3 Nov 2025 teknisi menulis:\nkabel diganti, router di-reset.",
    ),
    Case(
        "whole-text-quoted-gives-empty-new",
        "On Mon, 3 Nov 2025 at 10:12, Budi <budi@posindonesia.co.id> wrote:\n> Ipos mati.\n",
        "",
        quoted_starts="On Mon, 3 Nov 2025 at 10:12",
    ),
    Case(
        "only-quote-lines-give-empty-new",
        "> Ipos mati.\n> Tolong.\n",
        "",
        quoted_starts="> Ipos mati.",
    ),
    Case(
        "bottom-posted-thunderbird-reply-keeps-text-below-the-quote",
        "Pada 03/11/2025 10.12, Service Desk SOLTEK menulis:\n> Mohon dicoba login ulang.\n>\n"
        "\nSudah saya coba, masih gagal.\n\n-- \nBudi\n",
        "Sudah saya coba, masih gagal.",
        signature="-- \nBudi",
        quoted_starts="Pada 03/11/2025 10.12, Service Desk SOLTEK menulis:",
    ),
    Case(
        "inline-answers-keep-the-answers-and-drop-the-quotes",
        "On Mon, 3 Nov 2025 at 10:12, Service Desk <sd@posbalikpapan.example> wrote:\n"
        "> Loket berapa?\nLoket 3.\n\n> Sejak kapan?\nSejak pagi.\n",
        "Loket 3.\n\nSejak pagi.",
        quoted_starts="On Mon, 3 Nov 2025 at 10:12",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_reply_is_split_into_new_signature_and_history(case: Case) -> None:
    reply = split_reply(case.text)
    assert reply.new == case.new
    assert reply.signature == case.signature
    if case.quoted_starts:
        assert reply.quoted.startswith(case.quoted_starts)
    else:
        assert reply.quoted == ""


@pytest.mark.parametrize(
    "footer",
    ["Sent from my iPhone", "Dikirim dari iPhone saya", "Sent from my Android",
     "Dikirim dari Yahoo Mail di Android", "Get Outlook for Android", "Get Outlook for iOS",
     "Sent from my Samsung Galaxy smartphone.", "Dikirim dari ponsel Samsung Galaxy saya",
     "Sent from Mail for Windows", "Dapatkan Outlook untuk Android"],
)
def test_phone_and_app_footers_go_to_signature(footer: str) -> None:
    reply = split_reply(f"Sudah beres.\n\n{footer}\n")
    assert (reply.new, reply.signature, reply.quoted) == ("Sudah beres.", footer, footer)


@pytest.mark.parametrize(
    "line",
    ["Dikirim dari loket 3 kemarin sore tapi belum sampai.", "Sent from the branch office at 9."],
)
def test_sentences_that_look_like_footers_stay_in_new(line: str) -> None:
    assert split_reply(f"{line}\nMohon dicek.").new == f"{line}\nMohon dicek."


def test_quoted_holds_signature_and_history_in_order() -> None:
    text = (
        "Sudah.\n-- \nAndi\n\nOn Mon, 3 Nov 2025 at 10:12, Budi <b@x.example> wrote:\n> Ipos mati.\n"
    )
    reply = split_reply(text)
    assert reply.quoted == (
        "-- \nAndi\n\nOn Mon, 3 Nov 2025 at 10:12, Budi <b@x.example> wrote:\n> Ipos mati."
    )
    assert reply.signature == "-- \nAndi"


def test_new_is_never_empty_when_there_is_text_above_the_first_marker() -> None:
    reply = split_reply("ok\n________________________________\nFrom: x\nSent: y\n")
    assert reply.new == "ok"


def test_leading_and_trailing_blank_lines_are_trimmed_and_crlf_is_read() -> None:
    reply = split_reply("\r\n\r\n  \r\nSudah.\r\n\r\n\r\nOn 2025-11-03 10:12, Budi wrote:\r\n> x\r\n\r\n")
    assert reply.new == "Sudah."
    assert reply.quoted == "On 2025-11-03 10:12, Budi wrote:\n> x"


def test_indented_and_nbsp_quote_markers_are_still_quotes() -> None:
    reply = split_reply("Sudah.\n\n  > lama\n\xa0> lama juga\n")
    assert reply.new == "Sudah."


def test_empty_and_blank_text_give_empty_parts() -> None:
    assert split_reply("") == Reply(new="", quoted="", signature="")
    assert split_reply("\n \n\t\n") == Reply(new="", quoted="", signature="")


def test_reply_is_frozen() -> None:
    reply = split_reply("Halo")
    with pytest.raises(dataclasses.FrozenInstanceError):
        reply.new = "lain"  # type: ignore[misc]


# -- HTML-only mail: html_to_text first, then split_reply ---------------------------------------
@pytest.mark.parametrize(
    ("name", "new", "signature"),
    [
        (
            "outlook_id_word_reply.html",
            "Status: proses\nUrgensi: tinggi\n\nSudah kami cek, ada kabel LAN putus di loket 2:\n"
            "- kabel sudah diganti\n- koneksi dipantau sampai sore\n\nTerima kasih,\nAndi Saputra",
            "",
        ),
        (
            "outlook_en_reply.html",
            "Urgency: high\nImpact: medium\n\nThe router at counter 2 keeps dropping the connection. "
            "From: the logs it started at 08:00, see the monitor "
            "(https://monitor.posbalikpapan.example/router2).\n\nRegards,\nBudi",
            "",
        ),
        (
            "gmail_id_reply.html",
            "Status: selesai\nSolusi: restart service Ipos di server aplikasi\n\n"
            "Sudah normal kembali Pak, silakan dicoba & kabari kalau masih error.\n\n"
            "Terima kasih,\nAndi",
            "-- \nAndi Saputra\nService Desk SOLTEK",
        ),
        (
            "apple_ios_id_reply.html",
            "Sudah normal lagi, terima kasih.",
            "Dikirim dari iPhone saya",
        ),
        (
            "thunderbird_id_reply.html",
            "Sudah saya coba login ulang, masih error yang sama:\n\n"
            "ERROR 503: service unavailable\n    at ipos.login (server-apl-02)",
            "-- \nBudi Santoso\nLoket 3 - Kantor Pos Balikpapan",
        ),
    ],
)
def test_html_only_reply_splits_after_conversion(name: str, new: str, signature: str) -> None:
    reply = split_reply(html_to_text((REPLIES / name).read_text(encoding="utf-8")))
    assert reply.new == new
    assert reply.signature == signature
    assert "Status: baru" not in reply.new and "menunggu pengguna" not in reply.new
    assert "Status: selesai" not in reply.new or name == "gmail_id_reply.html"


def test_html_only_outlook_reply_keeps_quoted_status_out_of_new() -> None:
    html = (REPLIES / "outlook_en_reply.html").read_text(encoding="utf-8")
    reply = split_reply(html_to_text(html))
    assert reply.quoted.startswith("________________________________\nFrom: Service Desk SOLTEK")
    assert reply.quoted.endswith("Status: new")


# -- speed ----------------------------------------------------------------------------------
MEGABYTE = 100_000  # big enough to expose quadratic work; bench/text_parsing.py times 1 MB


def _sized(unit: str, size: int = MEGABYTE) -> str:
    return unit * (size // len(unit) + 1)


@pytest.mark.parametrize(
    "text",
    [
        _sized("Baris biasa dari pelapor tentang Ipos.\n"),
        _sized("x"),  # one line without a newline
        _sized("On " * 50 + "\n"),  # attribution-like starts that never end with "wrote:"
        _sized("On Monday the server went down at 10:12 and\n"),
        _sized("From: Budi\n\n\n"),  # field lines that never form a block
        _sized("Budi wrote:\n\n\n\n"),  # bare attributions far from any quote
        _sized("> quoted\n"),
        "On Mon, 3 Nov 2025 Budi wrote:\n" + _sized("> quoted\n") + "mine\n",
        _sized("On Mon, 3 Nov 2025 Budi wrote:\n> q\nanswer\n"),  # endless inline answers
        _sized("-" * 40 + "\n"),
        _sized("Pada " + "tanggal " * 100 + "menulis\n"),
    ],
    ids=["prose", "one-long-line", "on-prefixes", "on-sentences", "lonely-fields",
         "bare-attributions", "all-quoted", "long-inline-quote", "inline-answers", "dash-rules",
         "pada-without-colon"],
)
def test_big_reply_splits_into_parts_that_rebuild_the_text(text: str) -> None:
    reply = split_reply(text)
    assert len(reply.new) + len(reply.quoted) <= len(text)
