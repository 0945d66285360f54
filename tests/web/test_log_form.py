"""The logging form (fig. 13) in a real browser against the real server: suggest the triage,
then save; a refusal is shown on the form and nothing is logged."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from models import Person, Ticket, TicketEvent
from tests.web.conftest import RINA, Console, login

CALLER = "yanti.loket@posbalikpapan.example"


def test_suggest_then_save_logs_the_callers_ticket(console: Console) -> None:
    page: Any = login(console, RINA)   # English
    page.goto(console.server.url + "/log")
    page.fill("#lg-name", "Yanti Loket")
    page.fill("#lg-address", CALLER)
    page.fill("#lg-phone", "0812 3456 7890")
    page.fill("#lg-subject", "Ipos mati di loket 3")
    page.fill("#lg-description", "Ipos mati, loket tidak bisa input kiriman")
    page.click("#lg-suggest")
    page.wait_for_selector("#lg-suggestion")
    assert "Suggested triage" in page.inner_text("#lg-suggestion")
    assert page.input_value("#lg-service") == "ipos"          # filled in from the suggestion
    assert page.input_value("#lg-subject") == "Ipos mati di loket 3"   # nothing typed is lost
    page.select_option("#lg-impact", "high")
    page.click("#lg-save")
    page.wait_for_url("**/tickets/*")
    assert "logged for Yanti Loket" in page.content()
    ticket = console.ticket("Ipos mati di loket 3")
    with console.rt.readers() as session:
        found = session.get(Ticket, ticket.id)
        assert found is not None and found.reporter.address == CALLER
        assert (found.service, found.impact) == ("ipos", "high")
        created = session.scalar(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                                           TicketEvent.kind == "created"))
        assert created is not None and created.actor == RINA and created.data["channel"] == "phone"
    assert [m.recipient for m in console.outbox("ack", CALLER)] == [CALLER]
    page.context.close()


def test_an_invalid_number_is_refused_on_the_form_and_nothing_is_logged(console: Console) -> None:
    page: Any = login(console, RINA)
    page.goto(console.server.url + "/log")
    page.fill("#lg-name", "Pak Udin")
    page.fill("#lg-phone", "12345")
    page.fill("#lg-subject", "Printer gudang tidak mencetak")
    page.click("#lg-save")
    page.wait_for_selector("#log-refused")
    assert "'12345' is not a valid mobile number" in page.inner_text("#log-refused")
    assert page.input_value("#lg-name") == "Pak Udin"
    with console.rt.readers() as session:
        assert session.scalar(select(Ticket).where(Ticket.subject == "Printer gudang tidak mencetak")) is None
        assert session.scalar(select(Person).where(Person.name == "Pak Udin")) is None
    page.context.close()
