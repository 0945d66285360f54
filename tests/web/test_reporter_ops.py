"""The reporter's signed page (figs. 11-12), operations (/healthz, /metrics) and the pages
for management, in a real browser against the real server, on a console whose mails carry
links (`web.base_url` set: the links start with it; the test opens their path on the
server's own loopback address)."""
from __future__ import annotations

import email
import json
import re
from datetime import date, datetime, timedelta, timezone
from email import policy
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import select, update

from app import health, work
from app.report_request import ReportRequest, make_report
from app.wiring import make_source
from models import Feedback, MailboxState, Person, Ticket, TicketEvent
from outbound.outbox import reporter_link
from outbound.settings import DeskInfo
from tests.web.conftest import AGUS, RINA, Console, login, open_console, screenshot
from web.ops import may_read_metrics
from web.services import AgentAction
from workflow.tokens import is_reporter_page_mac, reporter_page_mac, reporter_page_path

BASE = "http://servicedesk.posbalikpapan.test"
REPORTER = "sri.gudang@posbalikpapan.example"
ENGLISH_REPORTER = "tom.visitor@posbalikpapan.example"


@pytest.fixture(scope="module")
def console(module_db_url: str, tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[Console]:
    yield from open_console(module_db_url, tmp_path_factory.mktemp("reporter"), browser,
                            web={"base_url": BASE})


def _parts(raw: bytes) -> tuple[str, str]:
    msg = email.message_from_bytes(raw, policy=policy.default)
    text, html = msg.get_body(preferencelist=("plain",)), msg.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def _link_in(console: Console, kind: str, ticket: Ticket, recipient: str = REPORTER) -> str:
    """The reporter link of the newest `kind` mail, moved onto the test server."""
    rows = [m for m in console.outbox(kind, recipient) if m.ticket_id == ticket.id]
    assert rows, kind
    text, html = _parts(rows[-1].raw)
    found = re.search(re.escape(BASE) + r"/r/\S+", text)
    assert found, text
    assert f'href="{found.group(0)}"' in html                       # the HTML part links it too
    return console.server.url + found.group(0)[len(BASE):]


def _agent(console: Console, number: str, *lines: str, note: str = "", reply: str = "") -> None:
    """An agent acts on the ticket through the unit of work every front door uses."""
    result = work.agent_action(console.rt, AgentAction(number, RINA, tuple(lines), note=note, reply=reply))
    assert not result.refused, result.refusals


def _status(page: Any, url: str) -> int:
    response = page.goto(url)
    assert response is not None
    return response.status


# ------------------------------------------------------------------ the signed link


def test_the_link_is_signed_for_one_ticket_only() -> None:
    mac = reporter_page_mac("s3cret", "INC-000001")
    assert is_reporter_page_mac("s3cret", "INC-000001", mac)
    assert not is_reporter_page_mac("s3cret", "INC-000002", mac)          # another ticket
    assert not is_reporter_page_mac("other", "INC-000001", mac)           # another desk
    assert not is_reporter_page_mac("s3cret", "INC-000001", mac[:-1] + ("0" if mac[-1] != "0" else "1"))
    assert not is_reporter_page_mac("", "INC-000001", mac) and reporter_page_path("", "INC-000001") == ""
    assert len(mac) == 32


def test_no_base_url_no_link(console: Console) -> None:
    console.mail(REPORTER, "Printer gudang macet", "Printer macet.", name="Sri Gudang")
    ticket = console.ticket("Printer gudang macet")
    with console.rt.readers() as session:
        ticket = session.get(Ticket, ticket.id)
        desk = DeskInfo(name="d", organisation="o", address="sd@posbalikpapan.example",
                        timezone=console.rt.desk.timezone, secret="x", base_url="")
        assert reporter_link(desk, ticket, REPORTER) == ""
        assert reporter_link(console.rt.desk, ticket, RINA) == ""           # agents: their console
        assert reporter_link(console.rt.desk, ticket, REPORTER).startswith(BASE + "/r/")


def test_reporter_mails_carry_the_link_and_it_shows_only_what_the_reporter_may_see(console: Console) -> None:
    console.mail(REPORTER, "Aplikasi Ipos error di gudang", "Ipos error saat cetak resi.", name="Sri Gudang")
    ticket = console.ticket("Aplikasi Ipos error di gudang")
    link = _link_in(console, "ack", ticket)
    text, _html = _parts(console.outbox("ack", REPORTER)[-1].raw)
    assert "Pantau tiket di halamannya" in text and "Follow" not in text   # one language per mail
    assert all("/r/" not in _parts(m.raw)[0] for m in console.outbox("new_ticket") if m.ticket_id == ticket.id)
    _agent(console, ticket.number, "Status: proses", note="Rahasia internal: cek server 10.0.0.5")
    _agent(console, ticket.number, reply="Sedang kami periksa.")
    page = console.browser.new_page()
    assert _status(page, link) == 200
    assert page.inner_text("#number") == ticket.number
    assert page.inner_text("#status") == "Dalam Proses"
    assert ticket.priority in page.inner_text("#priority")
    assert page.inner_text("#response-due") and page.inner_text("#resolution-due")
    history = page.inner_text("#history")
    assert "Sedang kami periksa." in history and "Rahasia internal" not in history
    assert RINA not in page.content()                               # who at the desk stays internal
    assert page.locator("#feedback-form").count() == 0              # not before closure
    assert page.locator("header a[href='/']").count() == 0          # no console for a reporter
    screenshot(page, "reporter-id")
    other = console.ticket("Printer gudang macet") if _has(console, "Printer gudang macet") else None
    changed = link[:-1] + ("0" if link[-1] != "0" else "1")
    assert _status(page, changed) == 404
    if other is not None:                                          # this MAC under another number
        assert _status(page, link.replace(ticket.number, other.number)) == 404
    assert _status(page, link.replace(ticket.number, "INC-999999")) == 404
    page.context.close()


def _has(console: Console, subject: str) -> bool:
    with console.rt.readers() as session:
        return session.scalar(select(Ticket.id).where(Ticket.subject == subject)) is not None


def test_a_comment_on_the_page_is_the_reporters_reply(console: Console) -> None:
    console.mail(REPORTER, "Scanner loket 3 rusak", "Scanner tidak terbaca.", name="Sri Gudang")
    ticket = console.ticket("Scanner loket 3 rusak")
    _agent(console, ticket.number, f"Tugaskan: {AGUS}")
    page = console.browser.new_page()
    page.goto(_link_in(console, "ack", ticket))
    page.fill("#co-comment", "Sudah saya coba kabel lain, tetap rusak.\nStatus: tutup")
    page.click("#comment-form button[type=submit]")
    assert "pesan Anda sudah tercatat" in page.inner_text(".flash.done")
    assert "Sudah saya coba kabel lain" in page.inner_text("#history")
    with console.rt.readers() as session:
        [comment] = session.scalars(select(TicketEvent).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "comment"))
        assert comment.public and comment.actor == REPORTER
        assert session.get(Ticket, ticket.id).status == "new"    # the text is never a command
    followups = [m for m in console.outbox("followup", AGUS) if m.ticket_id == ticket.id]
    assert followups and "Sudah saya coba kabel lain" in _parts(followups[-1].raw)[0]
    response = page.request.post(page.url + "/comment", form={"comment": "forged"})
    assert response.status == 403                                   # no CSRF token
    page.context.close()


def test_feedback_after_closure_with_the_rules_of_a_rating_by_mail(console: Console) -> None:
    console.mail(ENGLISH_REPORTER, "Wifi in the meeting room is down", "No wifi.", name="Tom Visitor")
    with console.rt.sessions.begin() as session:
        session.execute(update(Person).where(Person.address == ENGLISH_REPORTER).values(language="en"))
    ticket = console.ticket("Wifi in the meeting room is down")
    page = console.browser.new_page()
    page.goto(_link_in(console, "ack", ticket, ENGLISH_REPORTER))
    rating = page.request.post(page.url + "/feedback", form={
        "rating": "5", "csrf_token": page.get_attribute("#comment-form input[name=csrf_token]", "value")})
    assert rating.status == 422 and "once the ticket is closed" in rating.text()   # not yet closed
    _agent(console, ticket.number, "Status: tutup", "Solusi: access point restarted")
    page.goto(_link_in(console, "closure", ticket, ENGLISH_REPORTER))
    assert page.inner_text("#status") == "Closed"
    assert page.inner_text("#resolution") == "access point restarted"
    page.select_option("#fb-rating", "4")
    page.fill("#fb-comment", "quick, thanks")
    page.click("#feedback-form button[type=submit]")
    assert "Thank you for your rating" in page.inner_text(".flash.done")
    assert page.inner_text("#rating") == "4/5: quick, thanks"
    screenshot(page, "reporter-en")
    page.select_option("#fb-rating", "5")
    page.click("#feedback-form button[type=submit]")
    with console.rt.readers() as session:
        [row] = session.scalars(select(Feedback).where(Feedback.ticket_id == ticket.id))
        assert (row.rating, row.comment) == (5, "")                 # one row, the later rating
        notes = [e.note for e in session.scalars(select(TicketEvent).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "feedback"))]
    assert notes == ["rating 4/5: quick, thanks", "rating updated from 4/5 to 5/5"]
    assert console.ticket("Wifi in the meeting room is down").status == "closed"   # a rating never reopens
    page.fill("#co-comment", "The problem is back, no wifi again")
    page.click("#comment-form button[type=submit]")
    assert console.ticket("Wifi in the meeting room is down").status == "in_progress"  # reopened, as by mail
    page.context.close()


# ------------------------------------------------------------------ operations


def test_healthz_follows_the_database_and_the_last_good_poll(console: Console) -> None:
    page = console.browser.new_page()
    source = make_source(console.settings)
    with console.rt.sessions.begin() as session:
        session.execute(update(MailboxState).values(last_poll_at=None))
    response = page.request.get(console.server.url + "/healthz")
    assert response.status == 503 and response.json()["status"] == "failing"
    health.note_good_poll(console.rt, source.name)
    response = page.request.get(console.server.url + "/healthz")
    body = response.json()
    assert response.status == 200 and body["status"] == "ok" and body["database"] == "ok"
    assert body["seconds_since_poll"] < body["poll_limit_seconds"]
    with console.rt.sessions.begin() as session:   # the clock: an hour without a good poll
        session.execute(update(MailboxState).values(
            last_poll_at=datetime.now(timezone.utc) - timedelta(hours=1)))
    response = page.request.get(console.server.url + "/healthz")
    assert response.status == 503 and "too old" in response.json()["reason"]
    health.note_good_poll(console.rt, source.name)
    page.context.close()


def test_metrics_in_the_prometheus_text_format(console: Console) -> None:
    console.mail(REPORTER, "Listrik loket padam", "Listrik padam.", name="Sri Gudang")
    health.note_good_poll(console.rt, make_source(console.settings).name)
    page = console.browser.new_page()
    response = page.request.get(console.server.url + "/metrics")
    assert response.status == 200 and response.headers["content-type"].startswith("text/plain")
    text = response.text()
    with console.rt.readers() as session:
        new = {p: len(list(session.scalars(select(Ticket.id).where(Ticket.status == "new", Ticket.priority == p))))
               for p in ("P1", "P2", "P3", "P4", "P5")}
    for priority, n in new.items():
        if n:
            assert f'incidentdesk_open_tickets{{priority="{priority}",status="new"}} {float(n)}' in text
    for name in ('incidentdesk_outbox_messages{state="queued"}', 'incidentdesk_outbox_messages{state="failed"}',
                 "incidentdesk_sla_breaches ", 'incidentdesk_open_tickets_overdue{deadline="response"}',
                 'incidentdesk_inbound_messages{outcome="ticket"}'):
        assert name in text, name
    since = float(re.search(r"^incidentdesk_seconds_since_last_good_poll (\S+)$", text, re.M).group(1))
    assert 0 <= since < 600
    assert may_read_metrics(("127.0.0.1", "::1"), "127.0.0.1")
    assert not may_read_metrics(("127.0.0.1", "::1"), "10.1.2.3") and may_read_metrics(("*",), "10.1.2.3")
    page.context.close()


# ------------------------------------------------------------------ management


def test_escalations_by_level_the_report_and_the_digest(console: Console) -> None:
    console.mail(REPORTER, "Server SIK mati total", "Server SIK mati.", name="Sri Gudang")
    ticket = console.ticket("Server SIK mati total")
    _agent(console, ticket.number, f"Eskalasi: 2 {AGUS}")
    with console.rt.sessions.begin() as session:   # the clock: the response deadline passed
        session.execute(update(Ticket).where(Ticket.id == ticket.id).values(
            response_due=datetime.now(timezone.utc) - timedelta(minutes=5)))
    page = login(console, RINA)
    page.click("header a[href='/management']")
    row = page.locator(f"#escalations tr[data-number='{ticket.number}']")
    assert row.get_attribute("data-level") == "2"
    assert "response deadline missed" in row.locator("td.breach").inner_text()
    assert int(page.inner_text("#level-counts li[data-level='2'] .breached")) >= 1
    screenshot(page, "management-en")
    today = datetime.now(console.rt.desk.timezone).date()
    page.fill("#rp-first", (today - timedelta(days=7)).isoformat())
    page.fill("#rp-last", today.isoformat())
    page.select_option("#rp-status", "all")
    page.click("#report-form button[type=submit]")
    first, last = today - timedelta(days=7), today
    _data, expected = make_report(console.rt, ReportRequest(first=first, last=last, status="all",
                                                            format="html", language="en"))
    assert page.title() and page.title() in expected.decode()
    query = f"first={first.isoformat()}&last={last.isoformat()}&status=all"
    csv = page.request.get(f"{console.server.url}/management/report?{query}&format=csv")
    assert csv.status == 200 and "attachment" in csv.headers["content-disposition"]
    assert csv.body() == make_report(console.rt, ReportRequest(first=first, last=last, status="all",
                                                               format="csv", language="en"))[1]
    data = page.request.get(f"{console.server.url}/management/report?{query}&format=json")
    assert data.status == 200 and json.loads(data.body())
    bad = page.request.get(f"{console.server.url}/management/report?first=2026-13-01&last=x")
    assert bad.status == 400
    page.goto(console.server.url + "/management")
    page.click("#digest-form button[type=submit]")
    assert page.url.startswith(console.server.url + "/management/digest?day=")
    assert (today - timedelta(days=1)).strftime("%d") in page.content()
    assert page.request.get(f"{console.server.url}/management/digest?day={today.isoformat()}").status == 400
    page.context.close()
