"""html_to_text: readable text that still shows where a reply's history starts."""
from __future__ import annotations

from pathlib import Path

import pytest

from ingest.html_text import MAX_SHOWN_DEPTH, OUTLOOK_SEPARATOR, html_to_text

REPLIES = Path(__file__).resolve().parents[1] / "data" / "replies"


def fixture(name: str) -> str:
    return (REPLIES / name).read_text(encoding="utf-8")


# -- what is dropped ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<script>alert('x')</script>Halo", "Halo"),
        ("<SCRIPT type='text/javascript'>if (a < b) { x = '</div>'; }</SCRIPT>Halo", "Halo"),
        ("<style>p { color: red; }</style>Halo", "Halo"),
        ("<head><title>Judul</title><meta charset='utf-8'></head><body>Halo</body>", "Halo"),
        ("<html><head>teks di head<meta name=x></head>Halo", "Halo"),
        ("<head><title>Judul</title><div>head tidak ditutup</div>", "head tidak ditutup"),
        ("Ha<!-- komentar <b>tebal</b> -->lo", "Halo"),
        ("<!--[if gte mso 9]><xml><o:OfficeDocumentSettings/></xml><![endif]-->Halo", "Halo"),
        ("<!DOCTYPE html><?xml version='1.0'?>Halo", "Halo"),
        ("<xml><w:WordDocument>96</w:WordDocument></xml>Halo", "Halo"),
        ("<img src='cid:image001.png' alt='logo'>Halo", "Halo"),
    ],
    ids=["script", "script-uppercase-with-markup-inside", "style", "head-and-title",
         "text-in-head", "unclosed-head-ends-at-a-block", "comment",
         "conditional-comment", "doctype-and-pi", "office-xml", "image"],
)
def test_invisible_content_is_dropped(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


# -- lines and paragraphs ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<div>Halo</div><div>Sudah dicek</div>", "Halo\nSudah dicek"),
        ("<div>Halo</div><div><br></div><div>Sudah dicek</div>", "Halo\n\nSudah dicek"),
        ("<div>Halo<br></div><div>Sudah dicek</div>", "Halo\nSudah dicek"),
        ("Baris 1<br>Baris 2<br/><BR><br />Baris 3", "Baris 1\nBaris 2\n\nBaris 3"),
        ("<p>Paragraf satu.</p><p>Paragraf dua.</p>", "Paragraf satu.\n\nParagraf dua."),
        ("<h1>Judul</h1>Isi", "Judul\n\nIsi"),
        ("<table><tr><td>Loket</td><td>Status</td></tr><tr><td>2</td><td>mati</td></tr></table>",
         "Loket\tStatus\n2\tmati"),
        ("<div><div><div>dalam</div></div></div><div>luar</div>", "dalam\nluar"),
    ],
    ids=["divs", "gmail-blank-line", "trailing-br-in-block", "br", "paragraphs", "heading",
         "table-rows", "nested-blocks"],
)
def test_block_elements_become_line_breaks(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


def test_outlook_msonormal_paragraphs_are_single_lines_so_commands_stay_together() -> None:
    html = (
        "<p class=MsoNormal>Status: proses<o:p></o:p></p>"
        "<p class=\"MsoNormal\">Urgensi: tinggi<o:p></o:p></p>"
        "<p class=MsoNormal><o:p>&nbsp;</o:p></p>"
        "<p class=MsoNormal>Sudah dicek.<o:p></o:p></p>"
    )
    assert html_to_text(html) == "Status: proses\nUrgensi: tinggi\n\nSudah dicek."


def test_list_items_get_a_dash_and_nested_lists_are_indented() -> None:
    html = "<p>Langkah:</p><ul><li>restart router</li><li>cek kabel<ol><li>loket 2</li></ol></li></ul>Selesai"
    assert html_to_text(html) == "Langkah:\n\n- restart router\n- cek kabel\n  - loket 2\n\nSelesai"


def test_a_block_inside_a_list_item_stays_on_the_bullet_line() -> None:
    html = (
        "<ul><li><div class='elementToProof'>restart router</div></li>"
        "<li><p>cek kabel</p></li><li></li></ul>Selesai"
    )
    assert html_to_text(html) == "- restart router\n- cek kabel\n-\n\nSelesai"


def test_outlook_word_list_paragraphs_lose_their_symbol_bullet() -> None:
    html = (
        "<p class=MsoListParagraph style='mso-list:l0 level1 lfo1'><![if !supportLists]>"
        "<span style='font-family:Symbol'>&middot;<span>&nbsp;&nbsp;&nbsp; </span></span>"
        "<![endif]>kabel diganti<o:p></o:p></p>"
    )
    assert html_to_text(html) == "- kabel diganti"


def test_pre_keeps_its_spaces_and_line_ends() -> None:
    html = "Log:<pre>ERROR 503\n    at ipos.login\n\tcode=7</pre>Selesai"
    assert html_to_text(html) == "Log:\n\nERROR 503\n    at ipos.login\n\tcode=7\n\nSelesai"


# -- text -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("Tom &amp; Jerry &lt;3 &#8211; &#x2014; &eacute;", "Tom & Jerry <3 \u2013 \u2014 \u00e9"),
        ("a &lt; b &amp;&amp; c &gt; d", "a < b && c > d"),
        ("AT&T dan R&D", "AT&T dan R&D"),
        ("5 < 6 dan 7 > 3", "5 < 6 dan 7 > 3"),
        ("  banyak \n\n  spasi\t dan\r\nbaris  ", "banyak spasi dan baris"),
        ("<b>Tebal</b><i>miring</i> <span>dan</span>  <u>garis</u>", "Tebalmiring dan garis"),
        ("jarak&nbsp;&nbsp;tetap", "jarak  tetap"),
        ("&#65279;Halo\u200b dunia", "Halo dunia"),
    ],
    ids=["entities", "escaped-operators", "bare-ampersand", "stray-angle-brackets",
         "whitespace-collapsed", "inline-tags", "nbsp-kept", "zero-width-dropped"],
)
def test_entities_are_decoded_and_whitespace_collapsed(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("Lihat <a href='https://wahana.posindonesia.co.id/status'>status</a> dulu",
         "Lihat status (https://wahana.posindonesia.co.id/status) dulu"),
        ("<a href='mailto:budi@posindonesia.co.id'>budi@posindonesia.co.id</a>",
         "budi@posindonesia.co.id"),
        ("<a href='https://www.posindonesia.co.id/'>www.posindonesia.co.id</a>",
         "www.posindonesia.co.id"),
        ("<a href=\"javascript:alert('x')\" onclick=\"steal()\">Klik di sini</a>", "Klik di sini"),
        ("<a href='https://apc01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fx.example%2Fa"
         "&amp;data=05'>laporan</a>", "laporan (https://x.example/a)"),
        ("<a href='https://x.example/?a=1&amp;b=2'>tautan</a>", "tautan (https://x.example/?a=1&b=2)"),
        ("<a href='https://x.example/'><img src='logo.png'></a>Halo", "Halo"),
    ],
    ids=["url-differs", "mailto-same-as-text", "url-same-as-text", "javascript-dropped",
         "outlook-safelink-unwrapped", "entity-in-href", "image-only-link"],
)
def test_links_keep_text_and_show_a_different_target(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


# -- reply structure ---------------------------------------------------------------------------
def test_blockquote_lines_are_prefixed_so_quote_stripping_can_see_them() -> None:
    html = (
        "Jawaban<blockquote>Pertanyaan<br><br>baris dua"
        "<blockquote>lebih lama</blockquote></blockquote>Sesudah"
    )
    assert html_to_text(html) == (
        "Jawaban\n\n> Pertanyaan\n>\n> baris dua\n>\n>> lebih lama\n\nSesudah"
    )


def test_gmail_attribution_stays_a_line_of_its_own_before_the_quote() -> None:
    text = html_to_text(fixture("gmail_id_reply.html"))
    lines = text.splitlines()
    attribution = ("Pada tanggal Sen, 3 Nov 2025 pukul 10.12 Budi Santoso "
                   "<budi.santoso@posindonesia.co.id> menulis:")
    assert attribution in lines
    after = lines[lines.index(attribution) + 1:]
    assert [line for line in after if line] == [
        "> Selamat pagi,", ">", "> Aplikasi Ipos di loket 3 tidak bisa login sejak pagi.",
        "> Status: baru",
    ]


def test_gmail_signature_gets_exactly_one_delimiter() -> None:
    text = html_to_text(fixture("gmail_id_reply.html"))
    assert text.splitlines().count("-- ") == 1
    assert "-- \nAndi Saputra\nService Desk SOLTEK" in text
    without_prefix = "<div>Halo</div><div class='gmail_signature'>Andi</div>"
    assert html_to_text(without_prefix) == "Halo\n-- \nAndi"


def test_outlook_hr_and_divrplyfwdmsg_give_one_separator_line_then_the_header_fields() -> None:
    text = html_to_text(fixture("outlook_en_reply.html"))
    lines = text.splitlines()
    assert lines.count(OUTLOOK_SEPARATOR) == 1
    at = lines.index(OUTLOOK_SEPARATOR)
    assert lines[at + 1:at + 5] == [
        "From: Service Desk SOLTEK <servicedesk@posbalikpapan.example>",
        "Sent: Monday, November 3, 2025 10:12 AM",
        "To: Budi Santoso <budi.santoso@posindonesia.co.id>",
        "Subject: [INC-000123] Report received: internet down at counter 2",
    ]
    assert lines[:2] == ["Urgency: high", "Impact: medium"]


def test_divrplyfwdmsg_without_hr_still_marks_the_separator() -> None:
    html = "Oke<div id='x_divRplyFwdMsg'><b>From:</b> Budi<br><b>Sent:</b> Senin</div>"
    assert html_to_text(html) == f"Oke\n\n{OUTLOOK_SEPARATOR}\nFrom: Budi\nSent: Senin"


def test_apple_ios_attribution_inside_the_quote_is_a_quoted_line() -> None:
    text = html_to_text(fixture("apple_ios_id_reply.html"))
    assert text == (
        "Sudah normal lagi, terima kasih.\n\nDikirim dari iPhone saya\n\n"
        "> Pada 3 Nov 2025, pukul 10.12, Service Desk SOLTEK <servicedesk@posbalikpapan.example>"
        " menulis:\n>\n> Status: selesai\n> Mohon dikonfirmasi bila sudah normal."
    )


def test_outlook_word_reply_keeps_commands_list_and_header_block() -> None:
    text = html_to_text(fixture("outlook_id_word_reply.html"))
    assert text.startswith(
        "Status: proses\nUrgensi: tinggi\n\nSudah kami cek, ada kabel LAN putus di loket 2:\n"
        "- kabel sudah diganti\n- koneksi dipantau sampai sore\n\nTerima kasih,\nAndi Saputra\n"
    )
    assert "Dari: Budi Santoso <budi.santoso@posindonesia.co.id>\nDikirim: Senin, 03 November 2025 10.12\n" in text
    assert "font-family" not in text and "shapedefaults" not in text


def test_thunderbird_reply_keeps_signature_delimiter_and_cite_prefix() -> None:
    text = html_to_text(fixture("thunderbird_id_reply.html"))
    assert "ERROR 503: service unavailable\n    at ipos.login (server-apl-02)" in text
    assert "\n-- \nBudi Santoso\n" in text
    assert "\nPada 03/11/2025 10.12, Service Desk SOLTEK menulis:\n" in text
    assert text.endswith("> Mohon dicoba login ulang.\n>\n> Status: menunggu pengguna")


# -- robustness -------------------------------------------------------------------------------
MALFORMED = [
    "", "<", ">", "&", "&#", "&#xZZ;", "&#99999999999;", "<<<>>>", "</", "</>", "<!", "<!-", "<!--",
    "<!-- never closed <div>text</div>", "<![ x", "<![CDATA[ x < y ]]>", "<![if !supportLists]>",
    "<?", "<?php echo 1; ?>", "<a", "<a href='x", '<div class="unclosed>Halo</div>',
    "<script>never closed <div>x</div>", "<style>", "<title>", "</div></p></blockquote></ul>",
    "<blockquote><blockquote>", "<a href='https://x'><a href='https://y'>dua</a>",
    "<pre>", "<td>sel</td>", "<li>butir", "\x00<div>\x00NUL\x00</div>", "<div\x00>x</div>",
    "<div " + "a=1 " * 1000 + ">x", "<a href='" + "x" * 10_000 + "'>t</a>", "<br" * 100,
    "<" + "ä" * 50 + ">", "\ud800 lone surrogate", "<p>\u202eRTL\u202c</p>",
]


@pytest.mark.parametrize("html", MALFORMED, ids=[f"malformed-{i}" for i in range(len(MALFORMED))])
def test_malformed_html_never_raises(html: str) -> None:
    assert isinstance(html_to_text(html), str)


def test_unclosed_comment_and_script_swallow_the_rest_like_a_browser() -> None:
    assert html_to_text("Halo<!-- sisa") == "Halo"
    assert html_to_text("Halo<script>sisa") == "Halo"


@pytest.mark.parametrize("tag", ["div", "blockquote", "ul", "li", "table", "span", "a"])
def test_five_thousand_nested_tags_do_not_recurse(tag: str) -> None:
    html = f"<{tag}>" * 5000 + "dalam" + f"</{tag}>" * 5000 + "luar"
    text = html_to_text(html)
    assert "dalam" in text and "luar" in text


def test_deep_quoting_prefix_is_capped_so_output_stays_linear() -> None:
    html = "<blockquote>baris".join([""] * 5001)
    text = html_to_text(html)
    assert max(len(line) for line in text.splitlines()) <= MAX_SHOWN_DEPTH + len(" baris")
    assert len(text) < 20 * len(html)


# -- big and hostile bodies ------------------------------------------------------------------
# Speed is measured by bench/text_parsing.py; here the big inputs only have to come out as text.
SIZE = 100_000


def _sized(unit: str, size: int) -> str:
    return unit * (size // len(unit) + 1)


@pytest.mark.parametrize(
    "name",
    ["outlook_id_word_reply.html", "outlook_en_reply.html", "gmail_id_reply.html",
     "thunderbird_id_reply.html", "apple_ios_id_reply.html"],
)
def test_big_realistic_body_converts_to_text_without_markup(name: str) -> None:
    text = html_to_text(_sized(fixture(name), SIZE))
    assert text and "<div" not in text and "<p" not in text


HOSTILE_UNITS = ["<a ", "<!--", "</", "<?", "<![ x", "<div a='x", "a < b ", "&amp;", "<br>",
                 "<div class='x'>Halo dunia &amp; teman</div>", "<blockquote>teks ", "<li>butir",
                 "<a href='https://x.example/'>tautan</a> ", "<script>", "<td>sel"]
HOSTILE_IDS = ["unclosed-a", "unclosed-comments", "end-tag-openers", "pi-openers", "bad-marked-section",
               "unclosed-attribute", "stray-lt", "entities", "br-run", "dense-divs", "deep-quotes",
               "unclosed-items", "links", "unclosed-scripts", "cells"]


@pytest.mark.parametrize("unit", HOSTILE_UNITS, ids=HOSTILE_IDS)
def test_big_hostile_body_never_raises(unit: str) -> None:
    assert isinstance(html_to_text(_sized(unit, SIZE)), str)
