"""Mail the parser had to read leniently, through the rules: a salvaged sender may report but
never acts as an agent; a monitoring system's alert opens a ticket that is never answered.
On a real database (SQLite, and PostgreSQL when configured)."""
from __future__ import annotations

import itertools
from pathlib import Path

from app.config import ConfigError, load
from models import InboundMessage
from tests.conftest import write_config
from tests.integration.agent_support import DOMAIN, REPORTER, RINA, Desk, Result, Sent
from workflow.inbound import PersonalMail, handle_personal_mail

ZABBIX = f"zabbix@monitor.{DOMAIN}"
_ids = itertools.count(1000)


def send(desk: Desk, sender: str, body: str, *, subject: str = "Ipos down", refs: tuple[str, ...] = (),
         salvaged: bool = False, acknowledge: bool = True) -> Result:
    """One PersonalMail through the rules, as app/poll.py builds it for such mail."""
    n = next(_ids)
    with desk.rt.sessions.begin() as session:
        inbound = InboundMessage(source_key=f"salvage:{n}", body_hash=str(n), received_at=desk.clock(),
                                 outcome="event", sender=sender)
        session.add(inbound)
        session.flush()
        mail = PersonalMail(sender=sender, sender_name="", subject=subject, text=body, new_text=body,
                            message_id=f"<s{n}@client.example>", references=refs,
                            received_at=desk.clock(), inbound_id=inbound.id,
                            sender_salvaged=salvaged, acknowledge=acknowledge)
        outcome = handle_personal_mail(session, desk.rt.settings.policy, desk.rt.settings.triage, mail)
        return Result(outcome.kind, outcome.ticket.number,
                      [Sent(x.kind, x.recipient, dict(x.facts)) for x in outcome.notifications])


# ---------------------------------------------------------------- salvaged senders

def test_a_salvaged_sender_reports_and_is_acknowledged(desk: Desk) -> None:
    result = send(desk, REPORTER, "Ipos mati di semua loket", salvaged=True)
    assert result.kind == "ticket" and result.one("ack").recipient == REPORTER


def test_a_salvaged_agent_with_a_valid_token_applies_nothing_and_is_told_why(desk: Desk) -> None:
    number = desk.report()
    before = desk.ticket(number)
    result = send(desk, RINA, "Status: proses\nUrgensi: tinggi\n\nsaya cek", subject=f"Re: [{number}] Ipos down",
                  refs=(desk.token(RINA),), salvaged=True)
    after = desk.ticket(number)
    assert {k: after[k] for k in after if k != "updated_at"} == \
        {k: before[k] for k in before if k != "updated_at"}
    rejected = result.one("rejected_command")
    assert rejected.recipient == RINA and [s.kind for s in result.sent] == ["rejected_command"]
    assert "From: header of this mail was not one valid address" in rejected.facts["reasons"][0]["en"]
    assert "header From: e-mail ini bukan satu alamat" in rejected.facts["reasons"][0]["id"]
    comment = desk.events(number)[-1]
    assert comment["kind"] == "comment" and comment["data"]["unauthenticated"] is True
    assert "Status: proses" in comment["note"]
    # the same mail with an exact From: is applied: the salvage alone made the difference
    send(desk, RINA, "Status: proses", subject=f"Re: [{number}] Ipos down", refs=(desk.token(RINA),))
    assert desk.ticket(number)["status"] == "in_progress"


# ---------------------------------------------------------------- monitoring systems

def test_a_monitoring_alert_opens_a_ticket_without_an_acknowledgement(desk: Desk) -> None:
    result = send(desk, ZABBIX, "Problem: Ipos server down\nHost: ipos-db-01", subject="PROBLEM: Ipos down",
                  acknowledge=False)
    assert result.kind == "ticket"
    assert not result.to("ack") and all(s.recipient != ZABBIX for s in result.sent)
    assert result.one("new_ticket").recipient == RINA            # the service desk still hears of it
    suppressed = [e for e in desk.events(result.number) if e["kind"] == "ack_suppressed"]
    assert len(suppressed) == 1 and suppressed[0]["data"] == {"reason": "monitoring"}
    assert "monitoring system" in suppressed[0]["note"] and suppressed[0]["inbound_id"] is not None


def test_a_monitoring_sender_asking_status_is_not_answered(desk: Desk) -> None:
    number = send(desk, ZABBIX, "Problem: Ipos down", acknowledge=False).number
    result = send(desk, ZABBIX, "status", subject=f"Re: [{number}] Ipos down", acknowledge=False)
    assert all(s.recipient != ZABBIX for s in result.sent)
    assert desk.events(number)[-1]["kind"] == "comment"


def test_a_person_is_still_acknowledged(desk: Desk) -> None:
    result = send(desk, REPORTER, "Ipos mati")
    assert result.one("ack").recipient == REPORTER
    assert not [e for e in desk.events(result.number) if e["kind"] == "ack_suppressed"]


# ---------------------------------------------------------------- configuration

def test_monitoring_senders_default_empty_and_must_be_a_list_of_patterns(tmp_path: Path) -> None:
    assert load(None).source.monitoring_senders == ()
    good = write_config(tmp_path / "good.toml", {"source": {"monitoring_senders": ["Zabbix@*"]}})
    assert load(good).source.monitoring_senders == ("zabbix@*",)
    for bad in ("zabbix@*", ["zabbix@*", 3], [""]):
        path = write_config(tmp_path / "bad.toml", {"source": {"monitoring_senders": bad}})
        try:
            load(path)
        except ConfigError as error:
            assert any("source.monitoring_senders must be a list of address patterns" in p
                       for p in error.problems), error.problems
        else:
            raise AssertionError(f"{bad!r} was accepted")
