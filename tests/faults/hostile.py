"""Generated hostile mail: deterministic (seeded), a few hundred messages of every broken
shape we know of. Each item is (name, raw bytes)."""
from __future__ import annotations

import base64
import random
from typing import Iterator

HEAD = (b"From: {sender}\r\nTo: servicedesk@posbalikpapan.example\r\n"
        b"Subject: {subject}\r\nMessage-ID: <hostile-{n}@attacker.example>\r\n"
        b"Date: Mon, 23 Nov 2026 09:00:00 +0800\r\n")

SCRIPT_HTML = (b"<html><body onload=\"steal()\"><p>Server mati</p><script>alert('x')</script>"
               b"<img src=x onerror=alert(1)><a href=\"javascript:alert(2)\">klik</a>"
               b"<iframe src=\"http://evil.example\"></iframe></body></html>")
TRAVERSAL_NAMES = ["../../etc/passwd", "..\\..\\windows\\system32\\evil.dll", "/etc/shadow",
                   "C:\\Windows\\evil.bat", "....//....//tmp/pwned", "%2e%2e%2fpwned", "\x00evil.txt",
                   "con.txt", "a" * 600 + ".txt"]


def _head(n: int, subject: bytes = b"Server mati", sender: bytes = b"budi@posbalikpapan.example") -> bytes:
    return HEAD.replace(b"{sender}", sender).replace(b"{subject}", subject).replace(b"{n}", str(n).encode())


def broken_boundary(n: int, rng: random.Random) -> bytes:
    junk = bytes(rng.getrandbits(8) for _ in range(200))
    return (_head(n) + b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="AAA"\r\n\r\n'
            b"--BBB\r\nContent-Type: text/plain\r\n\r\nserver down\r\n--AAA\r\n" + junk + b"\r\n")


def bad_base64(n: int, rng: random.Random) -> bytes:
    body = base64.b64encode(b"internet mati " * rng.randint(1, 50))
    cut = body[: rng.randint(1, len(body))] + b"!!**~~"
    return (_head(n) + b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n" + cut + b"\r\n")


def invalid_charset(n: int, rng: random.Random) -> bytes:
    charset = rng.choice([b"x-unknown", b"utf-99", b"\"\"", b"iso-8859-99", b"../../etc"])
    subject = b"=?" + charset + b"?B?" + base64.b64encode(b"Ipos error") + b"?="
    return (_head(n, subject=subject) + b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset="
            + charset + b"\r\n\r\n" + bytes(rng.getrandbits(8) for _ in range(300)) + b"\r\n")


def deeply_nested(n: int, depth: int = 5000) -> bytes:
    parts = [_head(n) + b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b0"\r\n\r\n']
    for i in range(1, depth):
        parts.append(f'--b{i - 1}\r\nContent-Type: multipart/mixed; boundary="b{i}"\r\n\r\n'.encode())
    parts.append(f"--b{depth - 1}\r\nContent-Type: text/plain\r\n\r\nsangat dalam\r\n".encode())
    parts += [f"--b{i}--\r\n".encode() for i in reversed(range(depth))]
    return b"".join(parts)


def header_injection(n: int, rng: random.Random) -> bytes:
    payload = rng.choice([
        b"=?utf-8?q?Ipos_mati=0D=0ABcc:_victim@example.com?=",
        b"=?utf-8?b?" + base64.b64encode(b"x\r\nBcc: victim@example.com\r\n\r\nbody") + b"?=",
        b"normal\r\n Bcc: folded@example.com",
    ])
    sender = rng.choice([b"\"Evil\r\nBcc: x@example.com\" <budi@posbalikpapan.example>",
                         b"=?utf-8?q?Budi=0D=0ABcc=3A_x=40example=2Ecom?= <budi@posbalikpapan.example>"])
    return _head(n, subject=payload, sender=sender) + b"\r\nserver down\r\n"


def nul_bytes(n: int, rng: random.Random) -> bytes:
    return _head(n, subject=b"Ipos\x00mati") + b"\r\nserver\x00 down\x00\x00" + bytes(rng.getrandbits(8) for _ in range(50)) + b"\r\n"


def traversal_attachment(n: int, name: str) -> bytes:
    encoded = name.encode("utf-8", "replace")
    return (_head(n) + b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="X"\r\n\r\n'
            b"--X\r\nContent-Type: text/plain\r\n\r\nterlampir log\r\n--X\r\n"
            b'Content-Type: application/octet-stream; name="' + encoded + b'"\r\n'
            b'Content-Disposition: attachment; filename="' + encoded + b'"\r\n'
            b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(b"owned\n") + b"\r\n--X--\r\n")


def html_with_scripts(n: int) -> bytes:
    return (_head(n, subject=b"<script>alert(1)</script> server down") +
            b"MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + SCRIPT_HTML + b"\r\n")


def huge_attachment(n: int, megabytes: int = 30) -> bytes:
    blob = base64.encodebytes(b"\xab" * (megabytes * 1024 * 1024))
    return (_head(n) + b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="X"\r\n\r\n'
            b"--X\r\nContent-Type: text/plain\r\n\r\nlampiran besar\r\n--X\r\n"
            b"Content-Type: application/octet-stream; name=\"dump.bin\"\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n" + blob + b"--X--\r\n")


OVERLONG_FIELDS = ("name", "subject", "message_id", "references", "address", "attachment")


def overlong(n: int, field: str) -> bytes:
    """A report with one field far over its column: display name, subject (multibyte,
    so a cut on a byte would split a character), Message-ID, References, address,
    attachment name. PostgreSQL refuses such values; SQLite stores them."""
    name, subject = "Budi Santoso", "Ipos mati di loket 3"
    msgid, refs = f"<overlong-{n}@posbalikpapan.example>", ""
    local, filename = "budi", "log.txt"
    if field == "name":
        name = "Budi " + "Santoso Wijaya Kusuma " * 300
    elif field == "subject":
        subject = "Ipos mati — 邮件服务器 tidak bisa dipakai " * 200
    elif field == "message_id":
        msgid = f"<overlong-{n}-{'x' * 2000}@posbalikpapan.example>"
    elif field == "references":
        refs = " ".join(f"<ref-{i}-{'y' * 40}@elsewhere.example>" for i in range(500))
    elif field == "address":
        local = "budi." + "s" * 400
    elif field == "attachment":
        filename = "laporan " * 800 + ".txt"
    head = (f"From: =?utf-8?b?{base64.b64encode(name.encode()).decode()}?= <{local}@posbalikpapan.example>\r\n"
            f"To: servicedesk@posbalikpapan.example\r\n"
            f"Subject: =?utf-8?b?{base64.b64encode(subject.encode()).decode()}?=\r\n"
            f"Message-ID: {msgid}\r\nDate: Mon, 23 Nov 2026 09:00:00 +0800\r\n"
            + (f"References: {refs}\r\nIn-Reply-To: {refs.split(' ')[-1]}\r\n" if refs else ""))
    return (head.encode() + b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="X"\r\n\r\n'
            b"--X\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nIpos di loket 3 mati sejak pagi.\r\n--X\r\n"
            b"Content-Type: text/plain\r\nContent-Disposition: attachment; filename*=utf-8''"
            + filename.replace(" ", "%20").encode() + b"\r\n\r\nlog\r\n--X--\r\n")


def random_garbage(n: int, rng: random.Random) -> bytes:
    return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 4000)))


def generate(count: int = 300, seed: int = 20261128, with_huge: bool = True) -> Iterator[tuple[str, bytes]]:
    rng = random.Random(seed)
    n = 0
    yield "nested-5000", deeply_nested(n := n + 1)
    if with_huge:
        yield "huge-30mb", huge_attachment(n := n + 1)
    yield "html-scripts", html_with_scripts(n := n + 1)
    for name in TRAVERSAL_NAMES:
        yield "traversal", traversal_attachment(n := n + 1, name)
    for field in OVERLONG_FIELDS:
        yield f"overlong-{field}", overlong(n := n + 1, field)
    makers = [broken_boundary, bad_base64, invalid_charset, header_injection, nul_bytes, random_garbage]
    while n < count:
        maker = makers[n % len(makers)]
        yield maker.__name__, maker(n := n + 1, rng)
