"""Alerts of the desk's monitoring (Zabbix, Nagios, a status page) are incidents: they become
tickets without an acknowledgement, while every other automatic mail stays ignored."""
from __future__ import annotations

from sqlalchemy import select

from app.poll import poll
from app.wiring import make_source
from ingest.maildir_source import deliver
from models import OutboxMessage, Ticket, TicketEvent
from tests.conftest import RuntimeFactory


def alert(sender: str, n: int) -> bytes:
    return (f"From: Zabbix <{sender}>\r\nTo: servicedesk@posbalikpapan.example\r\n"
            f"Subject: PROBLEM: Ipos server {n} unreachable\r\nAuto-Submitted: auto-generated\r\n"
            f"Precedence: bulk\r\nMessage-ID: <alert-{n}@monitor.posbalikpapan.example>\r\n\r\n"
            "Trigger: Ipos server unreachable\r\nSeverity: High\r\n").encode()


def test_alerts_from_monitoring_senders_are_ticketed_unanswered_and_others_ignored(
        runtime_factory: RuntimeFactory) -> None:
    rt = runtime_factory({"source": {"monitoring_senders": ["zabbix@*.posbalikpapan.example"]}})
    deliver(rt.settings.source.maildir, alert("zabbix@monitor.posbalikpapan.example", 1), "a1")
    deliver(rt.settings.source.maildir, alert("ZABBIX@Monitor.Posbalikpapan.example", 2), "a2")
    deliver(rt.settings.source.maildir, alert("alerts@cloud.example", 3), "a3")
    assert poll(rt, make_source(rt.settings)).outcomes == {"ticket": 2, "ignored": 1}
    with rt.sessions() as session:
        assert len(session.scalars(select(Ticket)).all()) == 2
        kinds = set(session.scalars(select(OutboxMessage.kind)))
        suppressed = session.scalars(select(TicketEvent.data).where(TicketEvent.kind == "ack_suppressed")).all()
    assert "ack" not in kinds and "new_ticket" in kinds  # the desk is told, the robot is not
    assert [d.get("reason") for d in suppressed] == ["monitoring", "monitoring"]
