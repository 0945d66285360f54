"""Agents talk to reporters, internal notes stay internal: a `Balas:`/`Reply:` line starts the
message to the reporter; the text before it, and every comment without one, stays with the
desk; the reporter's status reply shows only what is theirs to see, staff by name."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import main
from models import Person
from tests.integration.agent_support import AGUS, REPORTER, RINA, SARI, Desk

STAFF_ADDRESSES = (RINA, AGUS, SARI)


def reporter_speaks(desk: Desk, lang: str) -> None:
    with desk.rt.sessions.begin() as session:
        reporter = session.scalar(select(Person).where(Person.address == REPORTER))
        assert reporter is not None
        reporter.language = lang


@pytest.mark.parametrize("body, note, message", [
    ("Status: proses\nCatatan internal: rollback disetujui kepala\nBalas: Sedang kami kerjakan.\n"
     "Mohon tunggu sebentar.", "Catatan internal: rollback disetujui kepala",
     "Sedang kami kerjakan.\nMohon tunggu sebentar."),
    ("Status: in progress\n\nRollback approved by the head.\nReply:\nWe are on it.",
     "Rollback approved by the head.", "We are on it."),
])
def test_the_status_mail_carries_the_message_and_never_the_internal_note(
        desk: Desk, body: str, note: str, message: str) -> None:
    number = desk.report()
    result = desk.agent(RINA, number, body)
    changed = result.one("status_changed")
    assert changed.recipient == REPORTER and changed.facts["comment"] == message
    assert "ollback" not in json.dumps(changed.facts)
    assert not result.to("agent_reply")                     # one mail to the reporter, not two
    events = desk.events(number)
    comment = next(e for e in events if e["kind"] == "comment")
    reply = next(e for e in events if e["kind"] == "reply")
    assert (comment["note"], comment["public"]) == (note, False)
    assert (reply["note"], reply["public"], reply["data"]) == (message, True, {"by": "Rina Service Desk"})


def test_a_comment_without_balas_stays_internal(desk: Desk) -> None:
    number = desk.report()
    result = desk.agent(RINA, number, "Status: proses\n\nCatatan internal: rollback disetujui kepala")
    assert result.one("status_changed").facts["comment"] == ""
    plain = desk.agent(RINA, number, "Sari tolong bantu cek log.")
    assert plain.sent == []
    assert [e["public"] for e in desk.events(number) if e["kind"] == "comment"] == [False, False]


@pytest.mark.parametrize("body, message, change", [
    ("Balas: Mohon kirim foto layar errornya.", "Mohon kirim foto layar errornya.", "Pesan dikirim ke pelapor"),
    ("Reply: Please send a screenshot of the error.", "Please send a screenshot of the error.",
     "Pesan dikirim ke pelapor"),
])
def test_a_message_alone_goes_to_the_reporter_from_the_desk(desk: Desk, body: str, message: str,
                                                            change: str) -> None:
    number = desk.report()
    result = desk.agent(RINA, number, body)
    sent = result.one("agent_reply")
    assert sent.recipient == REPORTER
    assert sent.facts == {"by": "Rina Service Desk", "message": message}
    assert result.one("confirmation").facts["changes"] == [change]
    assert desk.ticket(number)["status"] == "new"


def test_a_message_rides_in_the_closure_mail(desk: Desk) -> None:
    number = desk.report()
    result = desk.agent(RINA, number, "Status: tutup\nSolusi: restart\nBalas: Silakan dicoba lagi.")
    assert result.one("closure").facts["message"] == "Silakan dicoba lagi."
    assert not result.to("agent_reply") and not result.to("status_changed")


def test_a_forged_message_never_reaches_the_reporter(desk: Desk) -> None:
    number = desk.report()
    result = desk.agent(RINA, number, "Balas: Mohon kirim password Anda.", token=False)
    assert [s.kind for s in result.sent] == ["rejected_command"]
    assert result.one("rejected_command").recipient == RINA
    assert not [e for e in desk.events(number) if e["kind"] == "reply"]
    assert not any(e["public"] for e in desk.events(number) if e["kind"] == "comment")


def test_a_refused_command_sends_no_message(desk: Desk) -> None:
    number = desk.report()
    result = desk.agent(RINA, number, "Stauts: tutup\nBalas: Sudah kami tutup.")
    assert [s.kind for s in result.sent] == ["rejected_command"]


@pytest.mark.parametrize("lang, moved", [("id", "Baru -> Dalam Proses (Rina Service Desk)"),
                                         ("en", "New -> In Progress (Rina Service Desk)")])
def test_the_reporters_status_reply_shows_only_what_is_theirs(desk: Desk, lang: str, moved: str) -> None:
    number = desk.report()
    reporter_speaks(desk, lang)
    desk.agent(RINA, number, "Status: proses\nUrgensi: tinggi\nTugaskan: sari\n\n"
                             "Rollback disetujui. Sari tolong bantu.\nBalas: Sedang kami tangani.")
    desk.agent(RINA, number, "Stauts: tutup")                      # refused
    desk.agent(SARI, number, "Eskalasi: kepala soltek\n\nperlu persetujuan")
    desk.agent(SARI, number, "Status: tutup\nSolusi: service di-restart")
    result = desk.reply(number, "status")
    facts = result.one("status_report").facts["events"]
    assert [e["kind"] for e in facts] == ["created", "status", "reply", "resolution", "status"]
    assert facts[1]["note"] == moved
    assert facts[2]["note"] == "Rina Service Desk: Sedang kami tangani."
    assert facts[3]["note"] == "service di-restart"
    text = json.dumps(facts, default=str)
    for hidden in ("Rollback", "Sari tolong", "Stauts", "persetujuan", *STAFF_ADDRESSES):
        assert hidden not in text, hidden


def test_an_agent_asking_status_sees_the_internal_notes(desk: Desk) -> None:
    number = desk.report()
    desk.agent(RINA, number, "Status: proses\n\nRollback disetujui.")
    kinds = [e["kind"] for e in desk.agent(AGUS, number, "status").one("status_report").facts["events"]]
    assert "comment" in kinds


def test_show_marks_what_the_reporter_sees(desk: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    number = desk.report()
    desk.agent(RINA, number, "Status: proses\n\nRollback disetujui.\nBalas: Sedang kami tangani.")
    capsys.readouterr()
    config = str(tmp_path / "incidentdesk.toml")
    assert main(["--config", config, "show", number]) == 0
    history = capsys.readouterr().out.split("history (R: the reporter sees it in their status reply):\n")[1]
    kinds = ("created", "status", "reply", "comment")
    marks = {next(k for k in kinds if k in line.split()): line[:4]     # the mark, then the row
             for line in history.splitlines() if line.strip()}
    assert marks == {"created": "  R ", "status": "  R ", "reply": "  R ", "comment": "    "}
    assert main(["--config", config, "show", number, "--json"]) == 0
    events = json.loads(capsys.readouterr().out)["events"]
    assert [(e["kind"], e["public"]) for e in events] == [
        ("created", True), ("status", True), ("reply", True), ("comment", False)]
