"""A phone or walk-in report logged by an agent (workflow/logged.py): the reporter is the
person who called, the agent is who logged it, the clock starts at the logging; refused as a
whole with every reason. And the mail door: an agent's new mail starting `Pelapor:`."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from models import Person, Ticket
from tests.integration.agent_support import AGUS, HENDRA, RINA, Desk
from workflow.command_grammar import parse_commands
from workflow.logged import LoggedReport, NotLogged, log_report

BUDI = "budi.gudang@posbalikpapan.example"


def log(desk: Desk, report: LoggedReport) -> tuple[Ticket, list[Any], list[str]]:
    with desk.rt.sessions.begin() as session:
        logged = log_report(session, desk.rt.settings.policy, desk.rt.settings.triage, report, desk.clock())
        ticket = logged.outcome.ticket
        session.refresh(ticket)
        return ticket, [(n.kind, n.recipient) for n in logged.outcome.notifications], logged.changes


def refused(desk: Desk, report: LoggedReport) -> list[tuple[str, str, str]]:
    with desk.rt.sessions.begin() as session:
        with pytest.raises(NotLogged) as caught:
            log_report(session, desk.rt.settings.policy, desk.rt.settings.triage, report, desk.clock())
    return [(e.line, e.message_en, e.message_id) for e in caught.value.errors]


def people(desk: Desk) -> dict[str, str | None]:
    with desk.rt.sessions() as session:
        return {p.address: p.phone for p in session.scalars(select(Person).where(~Person.is_agent))}


@pytest.mark.parametrize("lines, urgency", [(("Urgency: high", "Impact: medium"), "high"),
                                            (("Urgensi: tinggi", "Dampak: sedang"), "high")])
def test_the_ticket_is_the_callers_the_agent_logged_it_and_the_clock_starts_now(
        desk: Desk, lines: tuple[str, ...], urgency: str) -> None:
    at = desk.clock()
    ticket, sent, changes = log(desk, LoggedReport(
        agent=RINA, channel="phone", name="Budi Gudang", address=BUDI, phone="0812-3456-7890",
        subject="Printer label rusak", description="Printer di gudang tidak mau mencetak", lines=lines))
    assert ticket.reporter.address == BUDI and ticket.reporter.phone == "+6281234567890"
    assert (ticket.urgency, ticket.impact, ticket.triage_confirmed) == (urgency, "medium", True)
    assert ticket.created_at == at and ticket.response_due > at
    created = next(e for e in desk.events(ticket.number) if e["kind"] == "created")
    assert created["actor"] == RINA
    assert created["data"]["logged_by"] == RINA and created["data"]["channel"] == "phone"
    assert ("ack", BUDI) in sent
    assert all(recipient != RINA for _, recipient in sent)   # the agent knows: no new_ticket
    assert changes[0] == f"Tiket {ticket.number} dicatat untuk Budi Gudang ({ticket.priority})"  # desk: id


def test_without_an_address_the_caller_is_known_by_the_number_and_no_mail_goes_out(desk: Desk) -> None:
    ticket, sent, _ = log(desk, LoggedReport(agent=RINA, channel="walk_in", name="Pak Udin",
                                             phone="+62 813 1111 2222", subject="Ipos lambat"))
    assert ticket.reporter.address == "tel:+6281311112222"
    assert ("ack", "tel:+6281311112222") in sent     # outbound never mails it; [sms] texts it
    again, _, _ = log(desk, LoggedReport(agent=RINA, channel="phone", name="Udin",
                                         phone="081311112222", subject="Ipos lambat lagi"))
    assert again.reporter_id == ticket.reporter_id   # the same caller, found by the number


@pytest.mark.parametrize("report, reason", [
    (LoggedReport(agent=RINA, channel="phone", name="Budi", phone="12345", subject="x"),
     "'12345' is not a valid mobile number"),
    (LoggedReport(agent=RINA, channel="phone", name="Budi", subject="x"),
     "give the reporter's e-mail address or mobile number"),
    (LoggedReport(agent=RINA, channel="phone", name="", address=BUDI, subject="x"), "name is missing"),
    (LoggedReport(agent=RINA, channel="phone", name="Budi", address="budi at gudang", subject="x"),
     "is not an e-mail address"),
    (LoggedReport(agent=RINA, channel="phone", name="Budi", address=BUDI, subject=""), "subject is missing"),
    (LoggedReport(agent=BUDI, channel="phone", name="Budi", address=BUDI, subject="x"), "only an agent"),
    (LoggedReport(agent=RINA, channel="phone", name="Budi", address=BUDI, subject="x",
                  lines=("Urgensi: gawat",)), "unknown value 'gawat' for Urgency"),
    (LoggedReport(agent=RINA, channel="phone", name="Budi", address=BUDI, subject="x",
                  lines=("Status: closed",)), "Resolution"),
])
def test_a_refused_report_keeps_nothing_and_says_why_in_both_languages(
        desk: Desk, report: LoggedReport, reason: str) -> None:
    errors = refused(desk, report)
    assert any(reason in en for _, en, _ in errors), errors
    assert all(id_ and id_ != en for _, en, id_ in errors)
    assert BUDI not in people(desk)
    with desk.rt.sessions() as session:
        assert session.scalar(select(Ticket)) is None


def test_the_reporter_keywords_are_read_only_in_a_new_mail() -> None:
    from workflow.command_grammar import Vocabulary
    vocabulary = Vocabulary({}, {}, 3)
    intake = parse_commands("Pelapor: Budi <b@x.example>\nTelepon: 0812\n\nrusak", vocabulary, intake=True)
    assert [(c.name, c.value) for c in intake.commands] == [("reporter", "Budi <b@x.example>"), ("phone", "0812")]
    reply = parse_commands("Reporter: Budi\n\nrusak", vocabulary)
    assert reply.commands == () and "only at the top of a new mail" in reply.errors[0].message_en
    assert "Pelapor dan Telepon" in reply.errors[0].message_id


@pytest.mark.parametrize("body", [
    "Pelapor: Budi Gudang <budi.gudang@posbalikpapan.example>\nTelepon: 0812 3456 7890\nUrgensi: tinggi\n\n"
    "Printer gudang mati sejak pagi.",
    "Reporter: Budi Gudang <budi.gudang@posbalikpapan.example>\nPhone: 0812 3456 7890\nUrgency: high\n\n"
    "The warehouse printer is down since this morning.",
])
def test_an_authenticated_agent_mail_with_a_pelapor_line_logs_for_that_person(desk: Desk, body: str) -> None:
    result = desk.mail(RINA, body, subject="Printer gudang", authenticated_by=frozenset({"dkim"}))
    assert result.kind == "ticket"
    assert [s.recipient for s in result.to("ack")] == [BUDI]
    assert result.one("confirmation").recipient == RINA
    with desk.rt.sessions() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == result.number))
        assert ticket is not None and ticket.reporter.address == BUDI and ticket.urgency == "high"
        assert "Pelapor" not in ticket.description and "Reporter" not in ticket.description
    assert desk.events(result.number)[0]["data"]["channel"] == "mail"


def test_an_unproven_pelapor_mail_is_an_ordinary_report_and_the_agent_hears_why(desk: Desk) -> None:
    result = desk.mail(RINA, f"Pelapor: Budi <{BUDI}>\n\nPrinter mati", subject="Printer")
    assert result.one("rejected_command").facts["not_logged"] is True
    with desk.rt.sessions() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == result.number))
        assert ticket is not None and ticket.reporter.address == RINA
    assert BUDI not in people(desk)


def test_a_pelapor_mail_from_a_reporter_is_only_their_own_report(desk: Desk) -> None:
    result = desk.mail(BUDI, f"Pelapor: Pak Hendra <{HENDRA}>\n\nIpos mati", subject="Ipos",
                       authenticated_by=frozenset({"dkim"}))
    assert [s.recipient for s in result.to("ack")] == [BUDI]
    assert result.to("rejected_command") == []


def test_a_refused_line_in_a_proven_pelapor_mail_logs_nothing_for_the_person(desk: Desk) -> None:
    result = desk.mail(AGUS, f"Pelapor: Budi <{BUDI}>\nTelepon: 12345\n\nPrinter mati", subject="Printer",
                       authenticated_by=frozenset({"dkim"}))
    reasons = result.one("rejected_command").facts["reasons"]
    assert reasons[0]["line"] == "Telepon: 12345" and "not a valid mobile number" in reasons[0]["en"]
    assert BUDI not in people(desk)
