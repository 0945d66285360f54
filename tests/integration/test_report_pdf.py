"""The HTML report printed by headless Chromium (Debian package chromium) to PDF: A4 pages,
one section per page, organisation and period in the header, "page X of Y" in the footer.
Page count and text are read with pdfinfo / pdftotext (Debian package poppler-utils)."""
from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from app.report_request import ReportRequest, make_report
from app.runtime import Runtime
from models import Person
from tests.conftest import Clock
from tests.integration.report_fixtures import NOW, add_ticket, build_month, number
from tests.servers.fixtures import server_unavailable

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--no-pdf-header-footer"]


def tools() -> str:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        server_unavailable("chromium is not installed (Debian package chromium)")
    if shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None:
        server_unavailable("pdftotext/pdfinfo are not installed (Debian package poppler-utils)")
    return str(chromium)


def print_to_pdf(html: bytes, tmp_path: Path) -> tuple[int, list[str]]:
    """The page count and each page's text of `html` printed to PDF."""
    chromium = tools()
    page, pdf = tmp_path / "report.html", tmp_path / "report.pdf"
    page.write_bytes(html)
    subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chromium'}",
                    f"--print-to-pdf={pdf}", page.as_uri()],
                   check=True, capture_output=True, timeout=120)
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    assert re.search(r"^Page size:\s+59[45]\.\d+ x 841\.\d+ pts \(A4\)", info, re.M), info
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    return pages, text.split("\f")[:pages]


@pytest.fixture(params=["sqlite"])
def db_url(tmp_path: Path) -> str:
    """Printing is about the page, not the database: SQLite only, to keep the suite fast."""
    return f"sqlite:///{tmp_path / 'desk.db'}"


def test_indonesian_report_prints_four_a4_pages_with_header_and_page_numbers(
        runtime: Runtime, clock: Clock, tmp_path: Path) -> None:
    build_month(runtime)
    clock.now = NOW
    _, html = make_report(runtime, ReportRequest(date(2026, 11, 1), date(2026, 11, 30), language="id"))
    count, pages = print_to_pdf(html, tmp_path)
    assert count == 4   # summary and charts; tables; problem candidates; the incident list
    for n, text in enumerate(pages, 1):
        assert "PT Pos Indonesia - Kantor Balikpapan" in text
        assert "01-11-2026 - 30-11-2026" in text
        assert f"Halaman {n} dari 4" in text
    assert "Laporan insiden" in pages[0] and "85,7 %" in pages[0] and "Insiden per hari" in pages[0]
    assert "Kepatuhan SLA per prioritas" in pages[1] and "Insiden per layanan" in pages[1]
    assert "Kandidat problem" in pages[2]
    assert all(number(n) in pages[2] for n in (1, 2, 9))
    assert "Daftar insiden" in pages[3]
    assert all(number(n) in pages[3] for n in (1, 2, 3, 4, 7, 8, 9))
    assert "terlambat" in pages[3]


def test_a_long_incident_list_runs_over_landscape_pages_with_its_header_on_each(
        runtime: Runtime, clock: Clock, tmp_path: Path) -> None:
    clock.now = datetime(2026, 12, 1, tzinfo=timezone.utc)
    start = datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc)
    with runtime.sessions.begin() as session:
        reporter = Person(address="budi@posbalikpapan.example", name="Budi", created_at=start)
        session.add(reporter)
        session.flush()
        for n in range(1, 121):
            reported = start + timedelta(hours=5 * n)
            add_ticket(session, runtime, reporter, reporter, n=n, priority="P3", service="epod",
                       category="hardware/cable", reported=reported,
                       responded=reported + timedelta(minutes=20), closed=reported + timedelta(hours=2))
    _, html = make_report(runtime, ReportRequest(date(2026, 11, 1), date(2026, 11, 30), language="en"))
    count, pages = print_to_pdf(html, tmp_path)
    assert count >= 6
    listing = pages[next(i for i, p in enumerate(pages) if "Incident list" in p):]
    assert len(listing) >= 3
    for n, text in enumerate(pages, 1):
        assert f"Page {n} of {count}" in text
    for text in listing:
        assert "Number" in text and "Resolution (h:mm)" in text   # the header repeats
    assert number(120) in pages[-1]
