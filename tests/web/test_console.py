"""The web console in a real browser against the real server process: login and its limits,
the queue with its deadlines, the ticket page, every form (through the same rules as an
agent's mail), refusals, CSRF, escaping, and screenshots in both languages under var/."""
from __future__ import annotations

import email
import re
from datetime import datetime, timedelta, timezone
from email import policy
from typing import Any

from sqlalchemy import select, update

from models import Escalation, LoginFailure, Ticket, TicketEvent, WebSession
from tests.web.conftest import AGUS, DEWI, PASSWORD, RINA, Console, login, screenshot
from web.auth import digest

REPORTER = "budi.loket@posbalikpapan.example"


def _text(raw: bytes) -> str:
    msg = email.message_from_bytes(raw, policy=policy.default)
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def _open(console: Console, page: Any, subject: str) -> Ticket:
    ticket = console.ticket(subject)
    page.goto(f"{console.server.url}/tickets/{ticket.number}")
    return ticket


def _events(console: Console, ticket: Ticket, kind: str) -> list[TicketEvent]:
    with console.rt.readers() as session:
        return list(session.scalars(select(TicketEvent).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.kind == kind)))


# ------------------------------------------------------------------ login


def test_wrong_password_is_refused_and_the_right_one_opens_the_queue(console: Console) -> None:
    page = console.browser.new_page()
    page.goto(console.server.url + "/")
    assert page.url.startswith(console.server.url + "/login")   # nothing without a login
    page.fill("input[name=address]", RINA)
    page.fill("input[name=password]", "not-the-password")
    response_code = []
    page.on("response", lambda r: response_code.append(r.status) if r.url.endswith("/login") else None)
    page.click("form[action='/login'] button[type=submit]")
    assert "Alamat atau kata sandi salah" in page.inner_text("#login-error")   # desk.language
    assert 401 in response_code
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(console.server.url + "/")
    assert page.inner_text("h1").startswith("Open tickets")
    cookie = next(c for c in page.context.cookies() if c["name"] == "incidentdesk")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    page.context.close()


def test_after_five_failures_further_tries_wait_and_are_logged(console: Console) -> None:
    page = console.browser.new_page()
    page.goto(console.server.url + "/login")
    for _ in range(5):
        page.fill("input[name=address]", AGUS)
        page.fill("input[name=password]", "wrong-password")
        page.click("form[action='/login'] button[type=submit]")
        assert "Alamat atau kata sandi salah" in page.inner_text("#login-error")
    page.fill("input[name=address]", AGUS)
    page.fill("input[name=password]", PASSWORD)     # even the right password waits
    page.click("form[action='/login'] button[type=submit]")
    assert "Terlalu banyak percobaan masuk yang gagal" in page.inner_text("#login-error")
    minutes = int(re.search(r"(\d+) menit", page.inner_text("#login-error")).group(1))
    assert 1 <= minutes <= 15
    assert any(e["address"] == AGUS for e in console.server.wait_logged("web.login_throttled"))
    with console.rt.sessions.begin() as session:    # the clock: 16 minutes later
        session.execute(update(LoginFailure).where(LoginFailure.address == AGUS)
                        .values(at=datetime.now(timezone.utc) - timedelta(minutes=16)))
    page.fill("input[name=address]", AGUS)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(console.server.url + "/")
    page.context.close()


def test_a_login_link_is_mailed_through_the_outbox_and_works_once(console: Console) -> None:
    page = console.browser.new_page()
    page.goto(console.server.url + "/login")
    page.fill("#link-address", DEWI)
    page.click("form[action='/login/link'] button[type=submit]")
    assert "15" in page.inner_text(".flash")
    page.fill("#link-address", "nobody@posbalikpapan.example")   # the same answer: no enumeration
    page.click("form[action='/login/link'] button[type=submit]")
    assert "15" in page.inner_text(".flash")
    [row] = console.outbox("login_link", DEWI)
    assert row.language == "id" and not console.outbox("login_link", "nobody@posbalikpapan.example")
    link = re.search(r"http://\S+/login/link/\S+", _text(row.raw)).group(0)
    page.goto(link)
    page.click("button[type=submit]")
    page.wait_for_url(console.server.url + "/")
    assert page.inner_text("h1").startswith("Tiket terbuka")   # Dewi reads Indonesian
    other = console.browser.new_page()
    other.goto(link)
    other.click("button[type=submit]")
    assert "tidak berlaku" in other.inner_text("#login-error")   # used once already
    changed = console.browser.new_page()
    changed.goto(link[:-2] + ("AA" if not link.endswith("AA") else "BB"))
    changed.click("button[type=submit]")
    assert changed.locator("#login-error").count() == 1
    for p in (page, other, changed):
        p.context.close()


def test_logout_and_the_idle_timeout_end_the_session(console: Console) -> None:
    page = login(console, RINA)
    page.click("header form button[type=submit]")
    page.wait_for_url(console.server.url + "/login")
    page.goto(console.server.url + "/")
    assert page.url.startswith(console.server.url + "/login")
    page.context.close()
    page = login(console, RINA)
    with console.rt.sessions.begin() as session:    # the clock: 31 idle minutes later
        session.execute(update(WebSession).values(
            last_seen_at=datetime.now(timezone.utc) - timedelta(minutes=31)))
    page.goto(console.server.url + "/")
    assert page.url.startswith(console.server.url + "/login")
    assert "Sesi Anda berakhir" in page.inner_text(".flash")
    page.context.close()


def test_a_session_is_new_at_every_login(console: Console) -> None:
    page = console.browser.new_page()
    page.goto(console.server.url + "/login")
    before = {c["name"]: c["value"] for c in page.context.cookies()}
    page.fill("#address", RINA)
    page.fill("#password", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(console.server.url + "/")
    after = {c["name"]: c["value"] for c in page.context.cookies()}
    assert after["incidentdesk"] != before.get("incidentdesk")
    with console.rt.readers() as session:
        stored = set(session.scalars(select(WebSession.id_hash)))
    assert all(digest(v) not in stored for v in before.values())
    page.context.close()


# ------------------------------------------------------------------ the queue


def test_the_queue_sorts_by_the_next_deadline_marks_overdue_and_pages(console: Console, as_rina: Any) -> None:
    now = datetime.now(timezone.utc)
    console.mail(REPORTER, "PosPay mati total di semua loket", "PosPay mati, semua loket tidak bisa transaksi.",
                 name="Budi Loket", at=now - timedelta(hours=2))
    for i in range(4):
        console.mail(REPORTER, f"PosPay agak lambat {i}", "PosPay lambat di loket saya.", name="Budi Loket")
    page = as_rina
    page.goto(console.server.url + "/?service=pospay")
    rows = page.locator("#queue tbody tr")
    assert rows.count() == 4                                     # web.page_size
    first = rows.nth(0)
    assert first.get_attribute("data-number") == console.ticket("PosPay mati total di semua loket").number
    assert "P1" in first.inner_text() and "Budi Loket" in first.inner_text()
    assert "overdue by" in first.locator("td.response .overdue").inner_text()
    assert "left" in rows.nth(1).locator("td.response").inner_text()
    assert page.inner_text("nav.pages span") == "Page 1 of 2"
    page.click("a[rel=next]")
    assert "service=pospay" in page.url and page.locator("#queue tbody tr").count() == 1
    page.goto(console.server.url + "/?service=pospay&priority=P1")
    assert page.locator("#queue tbody tr").count() == 1
    with console.rt.readers() as session:
        new = session.scalar(select(Ticket.id).where(Ticket.status == "new").order_by(Ticket.id.desc()).limit(1))
        count = len(list(session.scalars(select(Ticket.id).where(Ticket.status == "new"))))
    assert new and page.inner_text("[data-status=new]") == str(count)


def test_a_subject_with_a_script_is_shown_as_text(console: Console, as_rina: Any) -> None:
    subject = "<script>alert('x')</script> Ipos error"
    console.mail(REPORTER, subject, "Ipos error <b>bold</b>", name="<i>Budi</i>")
    dialogs: list[str] = []
    as_rina.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    as_rina.goto(console.server.url + "/")
    ticket = _open(console, as_rina, subject)
    assert as_rina.inner_text("#subject") == subject
    assert "<b>bold</b>" in as_rina.inner_text("#description")
    assert as_rina.locator("script").count() == 0 and not dialogs
    assert ticket.number in as_rina.inner_text("#number")


# ------------------------------------------------------------------ the ticket page and its forms


def test_the_ticket_page_shows_the_fields_the_triage_the_original_and_the_timeline(
        console: Console, as_rina: Any) -> None:
    console.mail(REPORTER, "Komputer SIK terkena virus", "Komputer SIK lambat, sepertinya virus.",
                 name="Budi Loket", attachment=("layar-error.png", b"\x89PNG fake"))
    ticket = _open(console, as_rina, "Komputer SIK terkena virus")
    page = as_rina
    assert page.inner_text("#status") == "New"
    assert "Hardware - Komputer" in page.inner_text("section[aria-labelledby=h-triage]")
    assert "komputer" in page.inner_text("section[aria-labelledby=h-triage] ul")   # the reasons
    assert "layar-error.png" in page.inner_text("section[aria-labelledby=h-triage]")
    timeline = page.inner_text("#timeline-table")
    assert "reported" in timeline and "mail in" in timeline and "mail out" in timeline
    assert page.locator("#timeline-table tr.created .public").count() == 1   # the reporter's own
    assert ticket.number in page.title()
    for form in ("status", "triage", "assign", "escalate", "message", "note", "close"):
        assert page.locator(f"#{form}-form").count() == 1
        for field in page.locator(f"#{form}-form select, #{form}-form textarea, #{form}-form input:not([type=hidden])").all():
            assert page.locator(f"label[for={field.get_attribute('id')}]").count() == 1   # every field labelled


def test_status_form_moves_the_ticket_and_the_reporter_is_mailed(console: Console, as_rina: Any) -> None:
    console.mail(REPORTER, "Wahana tidak bisa dibuka", "Wahana tidak bisa dibuka sejak pagi.")
    ticket = _open(console, as_rina, "Wahana tidak bisa dibuka")
    as_rina.select_option("#st-status", "in_progress")
    as_rina.click("#status-form button[type=submit]")
    assert "Status: New -> In Progress" in as_rina.inner_text(".flash.done")
    assert as_rina.inner_text("#status") == "In Progress"
    [mail] = [m for m in console.outbox("status_changed", REPORTER) if m.ticket_id == ticket.id]
    assert mail.language == "id"


def test_a_refusal_is_shown_with_the_reason_and_nothing_changes(console: Console, as_rina: Any) -> None:
    console.mail(REPORTER, "Kabel LAN putus di loket 2", "Kabel putus.")
    ticket = _open(console, as_rina, "Kabel LAN putus di loket 2")
    as_rina.select_option("#st-status", "closed")
    as_rina.click("#status-form button[type=submit]")
    refusal = as_rina.inner_text("#refusal")
    assert "Status: closed" in refusal
    assert "Please add a line 'Resolution: what was done' to close the ticket" in refusal
    assert as_rina.inner_text("#status") == "New"
    assert console.ticket("Kabel LAN putus di loket 2").status == "new"
    assert not _events(console, ticket, "status")
    (kept,) = [e for e in _events(console, ticket, "comment") if e.data.get("refused")]
    assert kept.note == "Status: closed" and not kept.public  # kept for the desk, as a refused mail is
    assert kept.data["channel"] == "web" and "Resolution" in kept.data["refused"][0]["en"]


def test_triage_form_sets_the_levels_and_the_priority_follows(console: Console, as_rina: Any) -> None:
    console.mail(REPORTER, "Website posindonesia lambat", "Website lambat dibuka.")
    ticket = _open(console, as_rina, "Website posindonesia lambat")
    as_rina.select_option("#tr-urgency", "low")
    as_rina.select_option("#tr-impact", "low")
    as_rina.select_option("#tr-category", "infrastructure/network")
    as_rina.click("#triage-form button[type=submit]")
    assert "Triage confirmed" in as_rina.inner_text("#content")
    assert as_rina.inner_text("#priority") == "P5"
    changed = console.ticket("Website posindonesia lambat")
    assert (changed.urgency, changed.impact, changed.priority, changed.category) == \
        ("low", "low", "P5", "infrastructure/network")
    assert changed.triage_confirmed and _events(console, ticket, "priority")


def test_assign_form_assigns_and_tells_the_new_assignee(console: Console, as_rina: Any) -> None:
    console.mail(REPORTER, "SIM SDM error saat login", "SIM SDM error.")
    ticket = _open(console, as_rina, "SIM SDM error saat login")
    as_rina.select_option("#as-agent", AGUS)
    as_rina.click("#assign-form button[type=submit]")
    assert as_rina.inner_text("#assignee") == "Agus Level Dua"
    assert [m for m in console.outbox("assigned", AGUS) if m.ticket_id == ticket.id]


def test_escalation_form_of_fig_14(console: Console, as_rina: Any) -> None:
    console.mail(REPORTER, "Server Ipos down lagi", "Server Ipos down.")
    ticket = _open(console, as_rina, "Server Ipos down lagi")
    assert as_rina.input_value("#es-number") == ticket.number
    as_rina.select_option("#es-status", "in_progress")
    as_rina.select_option("#es-level", "2")
    as_rina.select_option("#es-handler", AGUS)
    as_rina.fill("#es-description", "Restart layanan sudah dicoba; perlu dicek di server.")
    as_rina.click("#escalate-form button[type=submit]")
    assert as_rina.inner_text("#level") == "2"
    assert as_rina.inner_text("#status") == "In Progress"
    with console.rt.readers() as session:
        [row] = session.scalars(select(Escalation).where(Escalation.ticket_id == ticket.id))
    assert (row.level, row.handler_address) == (2, AGUS)
    assert row.description == "Restart layanan sudah dicoba; perlu dicek di server."
    assert [m for m in console.outbox("escalation", AGUS) if m.ticket_id == ticket.id]


def test_message_to_the_reporter_and_internal_note(console: Console, as_rina: Any) -> None:
    console.mail(REPORTER, "E-Pod tidak sinkron", "E-Pod tidak sinkron di gudang.")
    ticket = _open(console, as_rina, "E-Pod tidak sinkron")
    as_rina.fill("#me-message", "Mohon restart aplikasi E-Pod.\nStatus: tutup")
    as_rina.click("#message-form button[type=submit]")
    [mail] = [m for m in console.outbox("agent_reply", REPORTER) if m.ticket_id == ticket.id]
    assert "Mohon restart aplikasi E-Pod." in _text(mail.raw)
    assert console.ticket("E-Pod tidak sinkron").status == "new"   # a text box never commands
    before = len(console.outbox("agent_reply", REPORTER)) + len(console.outbox("status_changed", REPORTER))
    as_rina.fill("#no-note", "Sudah koordinasi dengan tim gudang")
    as_rina.click("#note-form button[type=submit]")
    note = as_rina.locator("#timeline-table tr.comment", has_text="Sudah koordinasi dengan tim gudang")
    assert note.locator(".tag").last.inner_text() == "internal"
    after = len(console.outbox("agent_reply", REPORTER)) + len(console.outbox("status_changed", REPORTER))
    assert before == after                                       # the reporter is not told
    [reply] = _events(console, ticket, "reply")
    assert reply.public and reply.note.startswith("Mohon restart")


def test_closure_form_of_fig_15(console: Console, as_rina: Any) -> None:
    console.mail(REPORTER, "PGM registrasi gagal", "Pos Giro Mobile gagal registrasi.")
    ticket = _open(console, as_rina, "PGM registrasi gagal")
    as_rina.fill("#cl-resolution", "Cache server PGM dibersihkan")
    as_rina.fill("#cl-message", "Silakan dicoba lagi.")
    as_rina.click("#close-form button[type=submit]")
    assert as_rina.inner_text("#status") == "Closed"
    assert as_rina.inner_text("#resolution") == "Cache server PGM dibersihkan"
    [mail] = [m for m in console.outbox("closure", REPORTER) if m.ticket_id == ticket.id]
    body = _text(mail.raw)
    assert "Cache server PGM dibersihkan" in body and "Silakan dicoba lagi." in body


def test_a_post_without_the_csrf_token_is_refused(console: Console, as_rina: Any) -> None:
    console.mail(REPORTER, "Jaringan lantai 2 putus", "Jaringan putus.")
    ticket = _open(console, as_rina, "Jaringan lantai 2 putus")
    response = as_rina.request.post(f"{console.server.url}/tickets/{ticket.number}/note",
                                    form={"note": "forged"})
    assert response.status == 403
    assert not _events(console, ticket, "comment")
    assert console.server.wait_logged("web.csrf_refused")


def test_mail_and_web_see_each_others_changes(console: Console, as_rina: Any) -> None:
    console.mail(REPORTER, "Ipos loket 4 error cetak", "Printer Ipos error.")
    ticket = _open(console, as_rina, "Ipos loket 4 error cetak")
    as_rina.select_option("#st-status", "in_progress")
    as_rina.click("#status-form button[type=submit]")
    [ack] = [m for m in console.outbox("ack", REPORTER) if m.ticket_id == ticket.id]
    console.mail(REPORTER, f"Re: [{ticket.number}] Ipos loket 4 error cetak", "Masih error pak, sudah dicoba.",
                 reply_to=ack.message_id)
    as_rina.reload()
    assert "Masih error pak" in as_rina.inner_text("#timeline-table")


# ------------------------------------------------------------------ both languages


def test_screenshots_of_the_queue_and_a_ticket_in_both_languages(console: Console) -> None:
    console.mail(REPORTER, "Server Ipos mati, semua loket berhenti", "Server Ipos mati total.", name="Budi Loket")
    for address, lang, heading in ((RINA, "en", "Open tickets"), (DEWI, "id", "Tiket terbuka")):
        page = login(console, address)
        assert page.inner_text("h1").startswith(heading)
        assert page.get_attribute("html", "lang") == lang
        screenshot(page, f"queue-{lang}")
        _open(console, page, "Server Ipos mati, semua loket berhenti")
        assert page.inner_text("#status") == ("Baru" if lang == "id" else "New")
        screenshot(page, f"ticket-{lang}")
        page.context.close()
    phone = login(console, DEWI, viewport={"width": 390, "height": 844})
    screenshot(phone, "queue-id-phone")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390                          # no sideways scrolling on a phone
    phone.context.close()
