"""The daily management digest on the hand-made month (report_fixtures.py), SQLite and
PostgreSQL: hand-computed figures, the same numbers as `incidentdesk report`, one mail per
recipient and day however often (and however concurrently) it is sent."""
from __future__ import annotations

import email
import json
import threading
from datetime import date, timedelta
from email import policy as email_policy

import pytest
from sqlalchemy import func, select

from app.digest_mailing import DigestRefused, default_day, preview_digest, send_digest
from app.report_request import ReportRequest, make_report
from app.runtime import Runtime
from models import DigestRun, OutboxMessage
from outbound.digest_facts import digest_facts
from tests.conftest import AGENTS, Clock, RuntimeFactory
from tests.integration.report_fixtures import NOW, build_month, number
from workflow.digest_figures import build_digest

DAY = date(2026, 11, 23)
MANAGER = {"name": "Dewi Manajemen", "addresses": ["dewi@posbalikpapan.example"],
           "role": "management", "language": "en"}
EXTRA = "kabid.operasi@posbalikpapan.example"


@pytest.fixture
def desk(runtime_factory: RuntimeFactory, clock: Clock) -> Runtime:
    rt = runtime_factory({"digest": {"recipients": [EXTRA]}}, {"agents": [*AGENTS, MANAGER]})
    build_month(rt)
    clock.now = NOW
    return rt


def facts_of(rt: Runtime, day: date = DAY) -> dict:
    with rt.sessions() as session:
        data = build_digest(session, day, rt.desk.timezone, rt.settings.policy,
                            rt.settings.problems, 5, rt.clock())
    return json.loads(json.dumps(digest_facts(data, rt.desk)))


def report(rt: Runtime, first: date, last: date, status: str) -> dict:
    _, raw = make_report(rt, ReportRequest(first, last, status=status, format="json"))  # type: ignore[arg-type]
    return json.loads(raw)


def test_digest_figures_are_the_report_figures_of_the_same_days(desk: Runtime) -> None:
    facts = facts_of(desk)
    month = date(2026, 11, 1)
    assert facts["yesterday"]["reported"] == report(desk, DAY, DAY, "all")["summary"]
    assert facts["yesterday"]["closed"] == report(desk, DAY, DAY, "closed")["summary"]
    assert facts["month"]["reported"] == report(desk, month, DAY, "all")["summary"]
    assert facts["month"]["closed"] == report(desk, month, DAY, "closed")["summary"]
    assert facts["problems"] == report(desk, date(2026, 11, 17), DAY, "all")["problems"]
    assert facts["yesterday"]["failed_mails"] == report(desk, DAY, DAY, "all")["failed_mails"]


def test_digest_figures_match_the_hand_computed_ones(desk: Runtime) -> None:
    f = facts_of(desk)
    y, m = f["yesterday"], f["month"]
    assert (y["reported"]["incidents"], y["closed"]["incidents"]) == (6, 4)
    assert (m["reported"]["incidents"], m["closed"]["incidents"]) == (8, 6)
    assert y["reported"]["sla"]["all"]["response"]["percent"] == 66.7
    assert y["reported"]["sla"]["all"]["resolution"] == {"met": 3, "missed": 2, "pending": 1, "percent": 60.0}
    assert m["reported"]["sla"]["all"]["response"]["percent"] == 75.0
    assert m["reported"]["sla"]["all"]["resolution"]["percent"] == 57.1
    assert y["closed"]["times"]["all"]["response"]["mean_minutes"] == 26.5     # 5, 40, 30, 31
    assert y["closed"]["times"]["all"]["resolution"]["mean_minutes"] == 455.0  # 50, 150, 540, 1080
    assert (y["closed"]["satisfaction"]["average"], y["closed"]["satisfaction"]["count"]) == (4.0, 3)
    assert f["open"]["total"] == 2
    assert {r["priority"]: (r["new"], r["in_progress"]) for r in f["open"]["rows"] if r["total"]} == {
        "P3": (0, 1), "P5": (1, 0)}
    assert [t["number"] for t in f["oldest_open"]] == [number(5), number(6)]
    assert [(b["number"], b["clock"]) for b in f["breaches"]] == [
        (number(4), "resolution"), (number(2), "response"), (number(3), "resolution"),
        (number(5), "resolution")]
    assert f["breaches"][-1]["stopped_local"] is None
    assert [(e["number"], e["kind"], e["level"]) for e in f["escalations"]] == [
        (number(2), "functional", 2), (number(3), "hierarchical", 1)]
    assert [p["numbers"] for p in f["problems"]] == [[number(n) for n in (1, 2, 5, 9)]]
    assert [x["error"] for x in y["failed_mails"]] == ["SMTPRecipientsRefused: 550 no such user"]
    assert {s["code"]: (s["yesterday"], s["month"]) for s in f["by_service"]}["ipos"] == (4, 4)


def digests(rt: Runtime) -> list[OutboxMessage]:
    with rt.sessions() as session:
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "digest")
                                    .order_by(OutboxMessage.recipient)))


HEAD_OF_SOLTEK = "bambang@posbalikpapan.example"
HEAD_OF_OFFICE = "kepala.kantor@posbalikpapan.example"


def parts(row: OutboxMessage) -> tuple[str, str]:
    mail = email.message_from_bytes(row.raw, policy=email_policy.default)
    return mail.get_body(("plain",)).get_content(), mail.get_body(("html",)).get_content()


def test_digest_goes_once_to_management_in_their_language(desk: Runtime) -> None:
    assert default_day(desk) == DAY
    assert send_digest(desk, DAY) == 4
    assert send_digest(desk, DAY) == 0
    rows = digests(desk)
    assert [(r.recipient, r.language) for r in rows] == [
        (HEAD_OF_SOLTEK, "id"), ("dewi@posbalikpapan.example", "en"), (EXTRA, "id"), (HEAD_OF_OFFICE, "id")]
    assert rows[1].subject.endswith("Daily digest 23-11-2026: 6 reported, 4 closed, 2 open")
    assert "Ringkasan harian 23-11-2026" in rows[0].subject
    mail = email.message_from_bytes(rows[1].raw, policy=email_policy.default)
    text, html = parts(rows[1])
    assert mail["Auto-Submitted"] == "auto-generated"
    for part in (text, html):
        assert "66.7% (4/6)" in part and "57.1% (4/7)" in part
        assert all(number(n) in part for n in (1, 2, 4, 5, 6, 9))
    assert "SLA breaches yesterday (4)" in text and "Yesterday" in text
    assert "<table" in html and "Problem candidates" in html
    for part in parts(rows[0]):                       # Indonesian: a decimal comma
        assert "66,7% (4/6)" in part and "57,1% (4/7)" in part and "66.7" not in part
        assert "Kemarin" in part


def test_managers_mail_has_no_cli_commands_in_it(desk: Runtime) -> None:
    send_digest(desk, DAY)
    for row in digests(desk):
        for part in parts(row):
            assert "incidentdesk" not in part and "--status" not in part and "`" not in part


def test_the_head_of_soltek_receives_it_and_the_roles_are_configurable(
        runtime_factory: RuntimeFactory, clock: Clock) -> None:
    rt = runtime_factory({"digest": {"roles": ["management"]}}, {"agents": [*AGENTS, MANAGER]})
    try:
        clock.now = NOW
        assert send_digest(rt, DAY) == 1
        assert [r.recipient for r in digests(rt)] == ["dewi@posbalikpapan.example"]
    finally:
        rt.close()


@pytest.mark.parametrize("day", [date(2026, 11, 24), date(2026, 11, 25)])
def test_a_digest_of_today_or_a_later_day_is_refused_and_recorded_nowhere(desk: Runtime, day: date) -> None:
    with pytest.raises(DigestRefused, match="not over yet"):
        send_digest(desk, day)
    with desk.sessions() as session:
        assert session.scalar(select(func.count()).select_from(DigestRun)) == 0
    assert digests(desk) == []


def test_a_preview_shows_any_day_and_records_nothing(desk: Runtime) -> None:
    today = preview_digest(desk, date(2026, 11, 24), "en")
    assert "Daily digest 24-11-2026" in today.subject and "Yesterday" not in today.text
    assert "SLA breaches on 24-11-2026" in today.text
    assert "Kemarin" in preview_digest(desk, DAY, "id").text
    with desk.sessions() as session:
        assert session.scalar(select(func.count()).select_from(DigestRun)) == 0
    assert send_digest(desk, DAY) == 4         # the real digest still goes out


def test_a_digest_made_later_for_an_earlier_day_names_the_date_not_yesterday(desk: Runtime) -> None:
    assert send_digest(desk, date(2026, 11, 22)) == 4
    for row in digests(desk):
        text, html = parts(row)
        for part in (text, html):
            assert "Yesterday" not in part and "yesterday" not in part
            assert "Kemarin" not in part and "kemarin" not in part
        assert ("SLA breaches on 22-11-2026" if row.language == "en" else "Pelanggaran SLA pada 22-11-2026") in text


def test_a_later_day_is_a_new_digest(desk: Runtime, clock: Clock) -> None:
    assert send_digest(desk, DAY) == 4
    clock.now = NOW + timedelta(days=1)
    assert send_digest(desk, date(2026, 11, 24)) == 4
    with desk.sessions() as session:
        assert session.scalar(select(func.count()).select_from(DigestRun)) == 2


def test_without_recipients_nothing_is_queued_or_recorded(runtime_factory: RuntimeFactory,
                                                          clock: Clock) -> None:
    staff = [a for a in AGENTS if a["role"] not in ("head_of_soltek", "head_of_office", "management")]
    rt = runtime_factory(arrays={"agents": staff})
    clock.now = NOW
    try:
        assert send_digest(rt, DAY) == 0
        with rt.sessions() as session:
            assert session.scalar(select(func.count()).select_from(DigestRun)) == 0
    finally:
        rt.close()


def test_two_processes_sending_the_same_digest_at_once_mail_it_once(
        desk: Runtime, runtime_factory: RuntimeFactory) -> None:
    others = [runtime_factory(settings=desk.settings) for _ in range(2)]
    barrier = threading.Barrier(2)
    results: list[int] = []

    def send(rt: Runtime) -> None:
        barrier.wait()
        results.append(send_digest(rt, DAY))

    threads = [threading.Thread(target=send, args=(rt,)) for rt in others]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for rt in others:
        rt.close()
    assert sorted(results) == [0, 4]
    assert len(digests(desk)) == 4
