"""What the agents hear of a reporter's replies: follow-ups, reopen within the window, a new
linked ticket after it, and the "status" request answered to the reporter."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Ticket
from tests.integration.agent_support import AGUS, REPORTER, RINA, Desk


def closed_ticket(desk: Desk) -> str:
    number = desk.report()
    desk.agent(RINA, number, "Status: proses")
    desk.agent(RINA, number, "Status: closed\nSolusi: restart")
    return number


def test_follow_up_goes_to_the_service_desk_while_nobody_is_assigned(desk: Desk) -> None:
    number = desk.report()
    result = desk.reply(number, "Sekarang printer juga mati.")
    followup = result.one("followup")
    assert followup.recipient == RINA
    assert followup.facts == {"author": REPORTER, "text": "Sekarang printer juga mati."}
    assert desk.events(number)[-1]["kind"] == "comment"


def test_follow_up_goes_to_the_assignee(desk: Desk) -> None:
    number = desk.report()
    desk.agent(RINA, number, "Tugaskan: agus")
    result = desk.reply(number, "Tambahan info")
    assert [s.recipient for s in result.to("followup")] == [AGUS]


def test_reply_within_the_window_reopens_and_tells_the_agents(desk: Desk) -> None:
    number = closed_ticket(desk)
    resolution = desk.ticket(number)["resolution"]
    desk.clock.advance(days=6)
    result = desk.reply(number, "Masih mati lagi pagi ini")
    ticket = desk.ticket(number)
    assert ticket["status"] == "in_progress" and ticket["closed_at"] is None
    assert ticket["resolution"] is None and resolution
    assert ticket["reopen_count"] == 1 and ticket["sla_next_check_at"] == desk.clock()
    reopened = result.one("reopened")
    assert reopened.recipient == RINA and reopened.facts["text"] == "Masih mati lagi pagi ini"
    status = [e for e in desk.events(number) if e["kind"] == "status"][-1]
    assert status["data"] == {"from": "closed", "to": "in_progress", "reopen": True,
                              "resolution_paused_minutes": 6 * 24 * 60, "by": REPORTER,
                              "previous_resolution": resolution}
    assert status["actor"] == REPORTER


def test_reopen_resumes_the_resolution_clock_where_closing_stopped_it(desk: Desk) -> None:
    number = closed_ticket(desk)
    before = desk.ticket(number)
    desk.clock.advance(days=2)
    desk.reply(number, "Masih mati lagi pagi ini")
    after = desk.ticket(number)
    assert after["resolution_due"] - before["resolution_due"] == desk.clock() - before["closed_at"]
    assert after["resolution_due"] > desk.clock()


def test_reply_after_the_window_opens_a_new_ticket_linked_to_the_old(desk: Desk) -> None:
    number = closed_ticket(desk)
    desk.clock.advance(days=8)
    result = desk.reply(number, "Ipos mati lagi")
    assert result.kind == "ticket" and result.number != number
    assert desk.ticket(number)["status"] == "closed"
    with desk.rt.sessions() as session:
        new = session.scalar(select(Ticket).where(Ticket.number == result.number))
        old = session.scalar(select(Ticket).where(Ticket.number == number))
        assert new is not None and old is not None and new.linked_ticket_id == old.id
    linked = desk.events(number)[-1]
    assert linked["kind"] == "linked" and linked["data"] == {"ticket": result.number}
    assert result.one("ack").recipient == REPORTER


def test_status_request_mails_the_current_state_and_recent_history(desk: Desk) -> None:
    number = desk.report()
    desk.agent(RINA, number, "Status: proses\n\nSedang dicek")   # an internal note: not shown
    desk.agent(RINA, number, "Stauts: closed")          # refused: not shown to the reporter
    before = desk.ticket(number)
    result = desk.reply(number, "Status?\n\nKapan selesai?")
    report = result.one("status_report")
    assert report.recipient == REPORTER
    kinds = [e["kind"] for e in report.facts["events"]]
    assert kinds == ["created", "status"]
    assert report.facts["events"][1]["note"] == "Baru -> Dalam Proses (Rina Service Desk)"
    assert desk.ticket(number)["status"] == before["status"] == "in_progress"
    assert desk.events(number)[-1]["kind"] == "status_request"
    assert not result.to("followup")


def test_status_request_on_an_old_closed_ticket_opens_nothing(desk: Desk) -> None:
    number = closed_ticket(desk)
    desk.clock.advance(days=30)
    result = desk.reply(number, "status")
    assert result.kind == "event" and result.number == number
    assert result.one("status_report").facts["events"][-1]["kind"] == "status"


def test_status_word_inside_a_sentence_is_a_follow_up(desk: Desk) -> None:
    number = desk.report()
    result = desk.reply(number, "Status printer saya juga error")
    assert not result.to("status_report") and result.to("followup")


def test_agent_who_reported_a_ticket_can_still_command_it(desk: Desk) -> None:
    number = desk.report("Komputer saya kena virus", sender=AGUS)
    result = desk.agent(AGUS, number, "Status: proses")
    assert desk.ticket(number)["status"] == "in_progress"
    assert result.to("confirmation")
    follow = desk.agent(AGUS, number, "Sudah saya scan, masih ada.")
    assert follow.to("followup")         # a reporter's follow-up: the service desk hears it


# --------------------------------------------------------------------------- thanks never reopen

def closed_p1(desk: Desk) -> str:
    number = desk.report()                       # "Ipos mati, semua loket ...": P1
    assert desk.ticket(number)["priority"] == "P1"
    desk.agent(RINA, number, "Status: proses")
    desk.agent(RINA, number, "Status: tutup\nSolusi: service Ipos di-restart")
    return number


CLOSURE_QUOTE = ("Pada Senin, Service Desk menulis:\n> Tiket Anda telah ditutup.\n"
                 "> Ipos mati, semua loket tidak bisa input kiriman")


@pytest.mark.parametrize("text", ["Terima kasih, sudah normal.", "Thanks, works now!"])
def test_thanks_to_a_closed_p1_is_recorded_and_reopens_nothing(desk: Desk, text: str) -> None:
    number = closed_p1(desk)
    before = desk.ticket(number)
    desk.clock.advance(hours=1)
    result = desk.reply(number, text, quoted=CLOSURE_QUOTE)   # the quote says "mati": not read
    after = desk.ticket(number)
    assert after["status"] == "closed" and after["reopen_count"] == 0
    assert (after["closed_at"], after["resolution_due"]) == (before["closed_at"], before["resolution_due"])
    assert result.sent == []                                  # no "reopened", nobody bothered
    last = desk.events(number)[-1]
    assert (last["kind"], last["note"], last["public"]) == ("comment", text, True)
    assert last["data"] == {"closed": True, "thanks": True}


@pytest.mark.parametrize("text", ["Masih mati lagi pagi ini", "It is still down this morning"])
def test_a_problem_still_there_reopens_in_both_languages(desk: Desk, text: str) -> None:
    number = closed_p1(desk)
    desk.clock.advance(hours=1)
    result = desk.reply(number, text)
    assert desk.ticket(number)["status"] == "in_progress"
    assert result.one("reopened").facts["text"] == text


@pytest.mark.parametrize("text", ["Mohon tiketnya dibuka lagi", "Please reopen the ticket"])
def test_asking_to_reopen_reopens(desk: Desk, text: str) -> None:
    number = closed_p1(desk)
    desk.reply(number, text)
    assert desk.ticket(number)["status"] == "in_progress"


@pytest.mark.parametrize("text", ["Tetapi printer di loket 3 minta diganti tonernya",
                                  "Could you also send me the monthly report?"])
def test_a_comment_that_is_not_only_thanks_goes_to_the_assignee_who_may_reopen(desk: Desk, text: str) -> None:
    number = desk.report()
    desk.agent(RINA, number, "Tugaskan: agus\nStatus: proses")
    desk.agent(AGUS, number, "Status: tutup\nSolusi: restart")
    result = desk.reply(number, text)
    assert desk.ticket(number)["status"] == "closed"
    followup = result.one("followup")
    assert followup.recipient == AGUS
    assert followup.facts == {"author": REPORTER, "text": text, "closed": True}
    assert desk.events(number)[-1]["data"] == {"closed": True, "thanks": False}
    desk.agent(AGUS, number, "Status: proses")                # the assignee reopens it
    assert desk.ticket(number)["status"] == "in_progress"


def test_thanks_after_the_reopen_window_opens_no_new_ticket(desk: Desk) -> None:
    number = closed_p1(desk)
    desk.clock.advance(days=8)
    result = desk.reply(number, "Terima kasih, sudah bisa lagi")
    assert result.kind == "event" and result.number == number and result.sent == []
    with desk.rt.sessions() as session:
        assert len(list(session.scalars(select(Ticket)))) == 1


def test_a_rating_still_wins_over_the_reopen_words(desk: Desk) -> None:
    number = closed_p1(desk)
    result = desk.reply(number, "2 komputer masih mati")
    assert desk.ticket(number)["status"] == "closed" and result.sent == []
    feedback = desk.feedback(number)
    assert feedback is not None and (feedback.rating, feedback.comment) == (2, "komputer masih mati")
