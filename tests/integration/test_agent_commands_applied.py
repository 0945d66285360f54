"""Agents' command mail applied to a ticket: authorization, all or nothing, the state machine,
triage, priority and deadlines, assign, escalation, closure, and what each one tells whom."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from models import Person
from tests.integration.agent_support import AGUS, BAMBANG, HENDRA, REPORTER, RINA, SARI, SECRET, Desk


def test_status_in_progress_takes_a_new_ticket_and_confirms_to_the_agent(desk: Desk) -> None:
    number = desk.report()
    desk.clock.advance(minutes=4)
    result = desk.agent(RINA, number, "Status: proses\n\nBalas: Sedang kami cek.")
    ticket = desk.ticket(number)
    assert ticket["status"] == "in_progress"
    assert ticket["responded_at"] == desk.clock()
    changed = result.one("status_changed")
    assert changed.recipient == REPORTER
    assert changed.facts["old"] == "new" and changed.facts["new"] == "in_progress"
    assert changed.facts["comment"] == "Sedang kami cek."
    confirmation = result.one("confirmation")
    assert confirmation.recipient == RINA
    assert any("Baru -> Dalam Proses" in c for c in confirmation.facts["changes"])
    status = [e for e in desk.events(number) if e["kind"] == "status"][0]
    assert status["actor"] == RINA and status["at"] == desk.clock()
    assert status["data"]["response"] == "met" and status["inbound_id"] is not None


def test_first_response_after_the_target_is_recorded_as_missed(desk: Desk) -> None:
    number = desk.report()                       # P2 by default triage: 30 minutes
    due = desk.ticket(number)["response_due"]
    desk.clock.now = due + timedelta(minutes=1)
    desk.agent(RINA, number, "Status: in progress")
    status = [e for e in desk.events(number) if e["kind"] == "status"][0]
    assert status["data"]["response"] == "missed"


def test_forged_from_changes_nothing_keeps_the_mail_and_tells_the_real_agent(desk: Desk) -> None:
    number = desk.report()
    before = desk.ticket(number)
    result = desk.agent(RINA, number, "Status: proses\nUrgensi: tinggi\n\nditutup saja", token=False)
    after = desk.ticket(number)
    assert {k: after[k] for k in after if k != "updated_at"} == \
        {k: before[k] for k in before if k != "updated_at"}
    rejected = result.one("rejected_command")
    assert rejected.recipient == RINA
    assert "could not be verified" in rejected.facts["reasons"][0]["en"]
    assert rejected.facts["reasons"][0]["line"] == "Status: proses / Urgensi: tinggi"
    assert "tidak dapat dipastikan" in rejected.facts["reasons"][0]["id"]
    assert [s.kind for s in result.sent] == ["rejected_command"]
    comment = desk.events(number)[-1]
    assert comment["kind"] == "comment" and "Status: proses" in comment["note"]
    assert comment["data"]["unauthenticated"] is True


def test_a_token_minted_for_another_agent_does_not_authenticate(desk: Desk) -> None:
    number = desk.report()
    stolen = desk.token(AGUS)
    result = desk.mail(RINA, "Status: proses", subject=f"Re: [{number}]", refs=(stolen,))
    assert desk.ticket(number)["status"] == "new"
    assert result.one("rejected_command").recipient == RINA


def test_dkim_verified_by_our_mta_authenticates_without_a_token(desk: Desk) -> None:
    number = desk.report()
    desk.agent(RINA, number, "Status: proses", token=False, authenticated_by=frozenset({"dkim"}))
    assert desk.ticket(number)["status"] == "in_progress"


def test_unknown_keyword_refuses_the_whole_mail_and_lists_every_error(desk: Desk) -> None:
    number = desk.report()
    result = desk.agent(RINA, number, "Status: proses\nStauts: closed\nUrgensi: parah\n\ncatatan")
    assert desk.ticket(number)["status"] == "new"
    reasons = result.one("rejected_command").facts["reasons"]
    assert [r["line"] for r in reasons] == ["Stauts: closed", "Urgensi: parah"]
    assert "unknown keyword" in reasons[0]["en"] and "tidak dikenal" in reasons[0]["id"]
    assert not result.to("confirmation") and not result.to("status_changed")
    assert desk.events(number)[-1]["data"]["refused"] == reasons


@pytest.mark.parametrize("lang, body, passed", [
    ("id", "Status: tutup\nSolusi: restart", "Status: Baru -> Dalam Proses (target respons terpenuhi)"),
    ("en", "Status: closed\nResolution: restart", "Status: New -> In Progress (response target met)"),
])
def test_a_new_ticket_fixed_on_the_first_call_closes_in_one_mail_through_in_progress(
        desk: Desk, lang: str, body: str, passed: str) -> None:
    with desk.rt.sessions.begin() as session:   # the agent's language decides the confirmation
        session.scalar(select(Person).where(Person.address == RINA)).language = lang
    number = desk.report()
    desk.clock.advance(minutes=4)
    result = desk.agent(RINA, number, body)
    ticket = desk.ticket(number)
    assert ticket["status"] == "closed" and ticket["resolution"] == "restart"
    assert ticket["responded_at"] == ticket["closed_at"] == desk.clock()
    moves = [(e["data"]["from"], e["data"]["to"], e["at"]) for e in desk.events(number) if e["kind"] == "status"]
    assert moves == [("new", "in_progress", desk.clock()), ("in_progress", "closed", desk.clock())]
    assert [e["data"].get("response") for e in desk.events(number) if e["kind"] == "status"] == ["met", None]
    assert [s.kind for s in result.sent if s.recipient == REPORTER] == ["closure"]
    changes = result.one("confirmation").facts["changes"]
    assert changes[0] == passed and ("Ditutup" if lang == "id" else "Closed") in changes[-1]


@pytest.mark.parametrize("lang, body, request_words", [
    ("en", "Status: closed", "Please add a line 'Resolution: what was done' to close the ticket"),
    ("id", "Status: tutup", "Mohon tambahkan baris 'Solusi: apa yang dikerjakan' untuk menutup tiket"),
])
def test_closing_without_a_resolution_is_asked_for_not_reported_as_closed(
        desk: Desk, lang: str, body: str, request_words: str) -> None:
    number = desk.report()
    result = desk.agent(RINA, number, body)
    assert desk.ticket(number)["status"] == "new"
    reason = result.one("rejected_command").facts["reasons"][0]
    assert request_words in reason[lang]
    assert "still open" in reason["en"] and "masih terbuka" in reason["id"]
    assert "closed with" not in reason["en"] and "ditutup dengan" not in reason["id"]


def test_only_the_service_desk_and_the_assignee_may_close(desk: Desk) -> None:
    number = desk.report()
    desk.agent(RINA, number, "Status: proses")
    refused = desk.agent(AGUS, number, "Status: tutup\nSolusi: restart")
    assert desk.ticket(number)["status"] == "in_progress"
    reason = refused.one("rejected_command").facts["reasons"][0]
    assert reason["en"] == "the ticket was not closed: only the service desk or the ticket's assignee may close it"
    assert reason["id"] == ("tiket tidak ditutup: yang boleh menutup hanya service desk atau petugas "
                            "yang ditugaskan pada tiket")
    desk.agent(RINA, number, "Tugaskan: sari")
    refused = desk.agent(AGUS, number, "Status: tutup\nSolusi: restart")
    assert "(assigned to Sari Level Tiga)" in refused.one("rejected_command").facts["reasons"][0]["en"]
    assert "(ditugaskan ke Sari Level Tiga)" in refused.one("rejected_command").facts["reasons"][0]["id"]
    desk.agent(SARI, number, "Status: tutup\nSolusi: restart")
    assert desk.ticket(number)["status"] == "closed"


def test_close_roles_come_from_the_configuration(runtime_factory: Any, clock: Any) -> None:
    rt = runtime_factory({"desk": {"secret": SECRET}, "workflow": {"close_roles": ["functional_support"]}})
    assert rt.settings.policy.close_roles == {"functional_support"}
    other = Desk(rt, clock)
    number = other.report()
    refused = other.agent(RINA, number, "Status: tutup\nSolusi: restart")
    assert "only functional support may close it" in refused.one("rejected_command").facts["reasons"][0]["en"]
    other.agent(AGUS, number, "Status: tutup\nSolusi: restart")
    assert other.ticket(number)["status"] == "closed"


def test_close_with_resolution_sends_closure_with_feedback_request_not_status_changed(desk: Desk) -> None:
    number = desk.report()
    desk.agent(RINA, number, "Status: proses")
    desk.clock.advance(minutes=20)
    result = desk.agent(RINA, number, "Status: closed\nSolusi: service Ipos di-restart\n\nSudah normal.")
    ticket = desk.ticket(number)
    assert ticket["status"] == "closed" and ticket["closed_at"] == desk.clock()
    assert ticket["resolution"] == "service Ipos di-restart"
    assert ticket["sla_next_check_at"] is None
    closure = result.one("closure")
    assert closure.recipient == REPORTER
    assert closure.facts == {"resolution": "service Ipos di-restart", "closed_by": "Rina Service Desk",
                             "message": ""}
    assert not result.to("status_changed")
    closed = [e for e in desk.events(number) if e["kind"] == "status"][-1]
    assert closed["data"]["to"] == "closed" and closed["data"]["resolution_sla"] == "met"


def test_resolution_already_on_the_ticket_lets_a_later_mail_close_it(desk: Desk) -> None:
    number = desk.report()
    desk.agent(RINA, number, "Status: proses\nSolusi: kabel diganti")
    desk.agent(RINA, number, "Status: tutup")
    assert desk.ticket(number)["status"] == "closed"


def test_urgency_change_recomputes_priority_and_deadlines_from_logging_time(desk: Desk) -> None:
    number = desk.report("Ipos lambat kadang-kadang", subject="Ipos lambat")
    before = desk.ticket(number)
    desk.clock.advance(hours=2)
    result = desk.agent(RINA, number, "Urgensi: tinggi\nDampak: tinggi")
    after = desk.ticket(number)
    assert after["priority"] == "P1"
    assert after["response_due"] == before["created_at"] + timedelta(minutes=10)
    assert after["resolution_due"] == before["created_at"] + timedelta(hours=1)
    assert after["sla_next_check_at"] == desk.clock()
    assert after["triage_confirmed"] is True
    kinds = [e["kind"] for e in desk.events(number)]
    assert {"urgency", "impact", "priority", "triage_confirmed"} <= set(kinds)
    assert any("P1" in c for c in result.one("confirmation").facts["changes"])


def test_service_and_category_come_from_the_configured_lists(desk: Desk) -> None:
    number = desk.report()
    desk.agent(RINA, number, "Layanan: Pos Giro Mobile\nKategori: hardware/server")
    ticket = desk.ticket(number)
    assert (ticket["service"], ticket["category"]) == ("pgm", "hardware/server")
    result = desk.agent(RINA, number, "Layanan: Facebook")
    assert desk.ticket(number)["service"] == "pgm"
    assert "unknown service" in result.one("rejected_command").facts["reasons"][0]["en"]


def test_setting_the_same_value_confirms_the_triage_without_other_changes(desk: Desk) -> None:
    number = desk.report()
    service = desk.ticket(number)["service"]
    result = desk.agent(RINA, number, f"Layanan: {service}")
    assert desk.ticket(number)["triage_confirmed"] is True
    assert result.one("confirmation").facts["changes"] == ["Triase dikonfirmasi"]


def test_assign_by_a_word_of_the_name_and_refuse_ambiguous_or_unknown(desk: Desk) -> None:
    number = desk.report()
    desk.agent(RINA, number, "Tugaskan: agus")
    assert desk.ticket(number)["assignee"] == AGUS
    ambiguous = desk.agent(RINA, number, "Assign: Kepala")
    assert "several agents" in ambiguous.one("rejected_command").facts["reasons"][0]["en"]
    unknown = desk.agent(RINA, number, "Assign: Joko")
    assert "no agent 'Joko'" in unknown.one("rejected_command").facts["reasons"][0]["en"]
    assert desk.ticket(number)["assignee"] == AGUS


def test_assign_me_assigns_the_sender(desk: Desk) -> None:
    number = desk.report()
    desk.agent(RINA, number, "Assign: me")
    assert desk.ticket(number)["assignee"] == RINA


def test_functional_escalation_records_the_form_and_mails_the_levels_people(desk: Desk) -> None:
    number = desk.report()
    desk.agent(RINA, number, "Status: proses")
    result = desk.agent(RINA, number, "Eskalasi: 2\n\nServer aplikasi perlu dicek tim aplikasi.")
    assert desk.ticket(number)["escalation_level"] == 2
    mail = result.one("escalation")
    assert mail.recipient == AGUS
    assert mail.facts["kind"] == "functional" and mail.facts["level"] == 2
    assert mail.facts["description"] == "Server aplikasi perlu dicek tim aplikasi."
    (form,) = desk.escalations(number)
    assert (form.kind, form.level, form.status, form.handler_name, form.requested_by) == \
        ("functional", 2, "in_progress", "Agus Level Dua", RINA)
    assert form.description == "Server aplikasi perlu dicek tim aplikasi."
    escalated = [e for e in desk.events(number) if e["kind"] == "escalated"][0]
    assert escalated["actor"] == RINA and escalated["inbound_id"] is not None


def test_escalation_to_a_named_agent_assigns_them_and_checks_their_level(desk: Desk) -> None:
    number = desk.report()
    wrong = desk.agent(RINA, number, "Eskalasi: 2 sari")
    assert "not at level 2" in wrong.one("rejected_command").facts["reasons"][0]["en"]
    assert desk.ticket(number)["escalation_level"] == 1
    result = desk.agent(RINA, number, f"Eskalasi: 3 {SARI}")
    assert [s.recipient for s in result.to("escalation")] == [SARI]
    assert desk.ticket(number)["assignee"] == SARI


def test_escalation_only_goes_up(desk: Desk) -> None:
    number = desk.report()
    desk.agent(RINA, number, "Eskalasi: 3")
    result = desk.agent(SARI, number, "Escalate: 2")
    assert "only goes up" in result.one("rejected_command").facts["reasons"][0]["en"]
    assert desk.ticket(number)["escalation_level"] == 3


def test_hierarchical_escalation_of_p1_involves_the_head_of_office_too(desk: Desk) -> None:
    number = desk.report()
    result = desk.agent(RINA, number, "Urgensi: tinggi\nDampak: tinggi\nEskalasi: kepala soltek")
    assert sorted(s.recipient for s in result.to("escalation")) == sorted([BAMBANG, HENDRA])
    assert desk.ticket(number)["escalation_level"] == 1
    (form,) = desk.escalations(number)
    assert form.kind == "hierarchical"


def test_hierarchical_escalation_below_p1_goes_to_the_head_of_soltek_only(desk: Desk) -> None:
    number = desk.report("Website agak lambat", subject="Website lambat")
    result = desk.agent(RINA, number, "Escalate: head")
    assert [s.recipient for s in result.to("escalation")] == [BAMBANG]


def test_one_bad_line_applies_nothing_of_the_others(desk: Desk) -> None:
    number = desk.report()
    before = desk.ticket(number)
    result = desk.agent(RINA, number, "Status: proses\nUrgensi: tinggi\nTugaskan: agus\nEskalasi: 1")
    after = desk.ticket(number)
    for key in ("status", "urgency", "priority", "assignee", "escalation_level", "triage_confirmed"):
        assert after[key] == before[key], key
    assert "level 1 is the service desk" in result.one("rejected_command").facts["reasons"][0]["en"]
    assert not desk.escalations(number)


def test_closed_ticket_takes_no_change_until_reopened(desk: Desk) -> None:
    number = desk.report()
    desk.agent(RINA, number, "Status: proses\nSolusi: restart")
    desk.agent(RINA, number, "Status: closed")
    refused = desk.agent(RINA, number, "Urgensi: rendah")
    assert "reopen it first" in refused.one("rejected_command").facts["reasons"][0]["en"]
    desk.clock.advance(days=2)
    reopened = desk.agent(RINA, number, "Status: proses\nUrgensi: rendah")
    ticket = desk.ticket(number)
    assert ticket["status"] == "in_progress" and ticket["urgency"] == "low"
    assert ticket["closed_at"] is None and ticket["reopen_count"] == 1
    assert reopened.one("status_changed").facts["old"] == "closed"


def test_agent_cannot_reopen_after_the_window(desk: Desk) -> None:
    number = desk.report()
    desk.agent(RINA, number, "Status: proses\nSolusi: restart")
    desk.agent(RINA, number, "Status: closed")
    desk.clock.advance(days=8)
    result = desk.agent(RINA, number, "Status: proses")
    assert desk.ticket(number)["status"] == "closed"
    assert "cannot be reopened" in result.one("rejected_command").facts["reasons"][0]["en"]


def test_agent_mail_without_commands_is_a_comment_and_needs_no_proof(desk: Desk) -> None:
    number = desk.report()
    result = desk.agent(RINA, number, "Sudah saya telepon pelapor.", token=False)
    assert result.sent == []
    assert desk.events(number)[-1]["kind"] == "comment"
    assert desk.ticket(number)["status"] == "new"


def test_every_change_of_one_mail_shares_actor_time_and_inbound_message(desk: Desk) -> None:
    number = desk.report()
    desk.clock.advance(minutes=3)
    desk.agent(RINA, number, "Status: proses\nUrgensi: rendah\nTugaskan: agus\nEskalasi: 2\n\ncatatan")
    events = [e for e in desk.events(number) if e["kind"] != "created"]
    assert {e["kind"] for e in events} >= {"status", "urgency", "priority", "assigned", "escalated", "comment"}
    assert {e["actor"] for e in events} == {RINA}
    assert {e["at"] for e in events} == {desk.clock()}
    assert len({e["inbound_id"] for e in events}) == 1 and events[0]["inbound_id"] is not None


def test_the_refusal_lists_grammar_and_rule_problems_together_in_line_order(desk: Desk) -> None:
    number = desk.report()
    result = desk.agent(RINA, number, "Status: closed\nStauts: proses\nTugaskan: Joko")
    lines = [r["line"] for r in result.one("rejected_command").facts["reasons"]]
    assert lines == ["Status: closed", "Stauts: proses", "Tugaskan: Joko"]
    assert desk.ticket(number)["status"] == "new"


def test_confirmation_speaks_the_agents_language_for_levels(desk: Desk) -> None:
    number = desk.report("Website agak lambat", subject="Website lambat")
    result = desk.agent(RINA, number, "Urgensi: tinggi")
    assert "Urgensi: sedang -> tinggi" in result.one("confirmation").facts["changes"]


def test_agent_asking_status_gets_the_report(desk: Desk) -> None:
    number = desk.report()
    result = desk.agent(AGUS, number, "status")
    assert result.one("status_report").recipient == AGUS
    assert desk.ticket(number)["status"] == "new"


def test_first_response_is_judged_on_the_deadline_the_same_mail_sets(desk: Desk) -> None:
    number = desk.report()                       # P1: response due in 10 minutes
    desk.clock.advance(minutes=20)
    desk.agent(RINA, number, "Status: proses\nUrgensi: rendah\nDampak: rendah")   # P5: 8 hours
    status = [e for e in desk.events(number) if e["kind"] == "status"][0]
    assert status["data"]["response"] == "met"


def test_the_assignee_is_told_with_the_internal_note_unless_they_assigned_themselves(desk: Desk) -> None:
    number = desk.report()
    result = desk.agent(RINA, number, "Tugaskan: sari\n\nRollback disetujui kepala.\nBalas: Sedang kami tangani.")
    assigned = result.one("assigned")
    assert assigned.recipient == SARI
    assert assigned.facts == {"by": "Rina Service Desk", "note": "Rollback disetujui kepala."}
    assert not desk.agent(AGUS, number, "Assign: me").to("assigned")
    assert desk.ticket(number)["assignee"] == AGUS


def test_an_escalation_that_names_the_handler_tells_them_once(desk: Desk) -> None:
    number = desk.report()
    result = desk.agent(RINA, number, "Eskalasi: 3 sari")
    assert [s.kind for s in result.sent if s.recipient == SARI] == ["escalation"]
    result = desk.agent(SARI, number, "Tugaskan: agus\nEskalasi: kepala soltek")
    assert [s.kind for s in result.sent if s.recipient == AGUS] == ["assigned"]
