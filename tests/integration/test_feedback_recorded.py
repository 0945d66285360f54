"""The reporter's rating after closure, on a real database: stored once, updated with a history
entry, and never mistaken for a request to reopen (reading a rating: tests/unit/test_feedback.py)."""
from __future__ import annotations

from tests.integration.agent_support import REPORTER, RINA, Desk


def closed_ticket(desk: Desk) -> str:
    number = desk.report()
    desk.agent(RINA, number, "Status: proses")
    desk.agent(RINA, number, "Status: closed\nSolusi: service Ipos di-restart")
    return number


def test_rating_reply_to_a_closed_ticket_is_stored_and_does_not_reopen(desk: Desk) -> None:
    number = closed_ticket(desk)
    desk.clock.advance(hours=1)
    result = desk.reply(number, "5 terima kasih")
    assert result.kind == "event" and result.sent == []
    assert desk.ticket(number)["status"] == "closed"
    row = desk.feedback(number)
    assert row is not None and (row.rating, row.comment) == (5, "terima kasih")
    event = desk.events(number)[-1]
    assert event["kind"] == "feedback" and event["actor"] == REPORTER
    assert event["data"]["rating"] == 5 and event["inbound_id"] is not None


def test_second_rating_updates_the_row_and_the_history_says_so(desk: Desk) -> None:
    number = closed_ticket(desk)
    desk.reply(number, "3")
    desk.clock.advance(hours=2)
    desk.reply(number, "★★★★★ ternyata sudah normal semua")
    row = desk.feedback(number)
    assert row is not None and row.rating == 5 and row.comment == "ternyata sudah normal semua"
    assert row.updated_at == desk.clock() and row.created_at < row.updated_at
    event = desk.events(number)[-1]
    assert event["data"]["updated"] is True and event["data"]["previous_rating"] == 3
    assert "updated from 3/5 to 5/5" in event["note"]


def test_rating_after_the_reopen_window_is_still_feedback_not_a_new_ticket(desk: Desk) -> None:
    number = closed_ticket(desk)
    desk.clock.advance(days=30)
    result = desk.reply(number, "4")
    assert result.kind == "event" and result.number == number
    assert desk.feedback(number) is not None


def test_text_that_is_not_a_rating_reopens_within_the_window(desk: Desk) -> None:
    number = closed_ticket(desk)
    desk.clock.advance(days=1)
    result = desk.reply(number, "Masih error, tidak bisa login lagi")
    assert desk.ticket(number)["status"] == "in_progress"
    assert desk.feedback(number) is None
    assert [s.recipient for s in result.to("reopened")] == [RINA]


def test_a_rating_on_an_open_ticket_is_just_a_follow_up(desk: Desk) -> None:
    number = desk.report()
    result = desk.reply(number, "5")
    assert desk.feedback(number) is None
    assert result.one("followup").facts["text"] == "5"


def test_only_the_reporter_rates(desk: Desk) -> None:
    number = closed_ticket(desk)
    desk.mail("rekan@posbalikpapan.example", "5", subject=f"Re: [{number}]")
    assert desk.feedback(number) is None


def test_a_reopened_ticket_has_no_current_resolution_or_rating_and_the_history_keeps_them(desk: Desk) -> None:
    number = closed_ticket(desk)
    resolution = desk.ticket(number)["resolution"]
    assert resolution
    desk.reply(number, "4")
    desk.clock.advance(hours=3)
    desk.reply(number, "Masih error, tidak bisa login lagi")
    ticket = desk.ticket(number)
    assert ticket["status"] == "in_progress" and ticket["resolution"] is None
    assert desk.feedback(number) is None
    events = desk.events(number)
    reopened = next(e for e in events if e["kind"] == "status" and e["data"].get("reopen"))
    assert reopened["data"]["previous_resolution"] == resolution
    assert reopened["data"]["previous_rating"] == 4
    assert any(e["kind"] == "feedback" and e["data"]["rating"] == 4 for e in events)
    desk.clock.advance(hours=1)
    desk.reply(number, "Sudah normal sekarang")  # an open ticket: a follow-up, still no rating
    assert desk.feedback(number) is None
