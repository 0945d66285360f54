"""The walking skeleton on the embedded defaults: Maildir in, tickets, .eml acknowledgements out."""
from __future__ import annotations

import email
from email import policy
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.poll import poll
from app.runtime import Runtime
from app.wiring import make_source, make_transport
from ingest.maildir_source import deliver
from models import InboundMessage, OutboxMessage, Ticket
from outbound.flush import flush

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "reports"


def load_samples(maildir: Path, prefix: str = "t") -> int:
    files = sorted(SAMPLES.glob("*.eml"))
    for i, path in enumerate(files):
        deliver(maildir, path.read_bytes(), f"{prefix}.{i}.{path.stem}")
    return len(files)


def maildir_of(rt: Runtime) -> Path:
    return rt.settings.source.maildir


def test_every_sample_report_becomes_a_new_ticket_with_an_acknowledgement(runtime: Runtime) -> None:
    count = load_samples(maildir_of(runtime))
    result = poll(runtime, make_source(runtime.settings))
    assert result.outcomes == {"ticket": count}
    with runtime.sessions() as session:
        tickets = list(session.scalars(select(Ticket).order_by(Ticket.id)))
        assert [t.number for t in tickets] == [f"INC-{i:06d}" for i in range(1, count + 1)]
        assert {t.status for t in tickets} == {"new"}
        acks = list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "ack")))
    assert len(acks) == count
    assert not list((maildir_of(runtime) / "new").iterdir())
    assert len(list((maildir_of(runtime) / ".Processed" / "cur").iterdir())) == count


def test_acknowledgement_file_carries_number_priority_and_targets_in_wita(runtime: Runtime) -> None:
    load_samples(maildir_of(runtime))
    poll(runtime, make_source(runtime.settings))
    sent = flush(runtime.sessions, make_transport(runtime.settings), clock=runtime.clock, max_attempts=3)
    outbox = runtime.settings.outbound.outbox_dir
    files = sorted(outbox.glob("*.eml"))
    assert sent.sent == len(files) > 0
    with runtime.sessions() as session:
        first = session.scalar(select(Ticket).order_by(Ticket.id))
        assert first is not None
        number, priority = first.number, first.priority
        logged_local = first.created_at.astimezone(runtime.desk.timezone)
    msg = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    text = msg.get_body(("plain",)).get_content()
    assert f"[{number}]" in msg["Subject"]
    assert priority in text and "WITA" in text
    assert f"{logged_local:%d-%m-%Y}" in text
    assert msg["Auto-Submitted"] == "auto-replied"


def test_running_the_same_mail_again_does_not_duplicate_tickets(runtime: Runtime) -> None:
    count = load_samples(maildir_of(runtime))
    poll(runtime, make_source(runtime.settings))
    load_samples(maildir_of(runtime), prefix="again")  # the same messages delivered a second time
    again = poll(runtime, make_source(runtime.settings))
    assert again.outcomes == {"duplicate": count}
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == count
        acks = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "ack")
        assert session.scalar(acks) == count


def test_malformed_message_is_recorded_with_reason_and_does_not_stop_the_poll(runtime: Runtime) -> None:
    maildir = maildir_of(runtime)
    deliver(maildir, b"this is not a mail at all\x00\xff", "a.garbage")
    deliver(maildir, (SAMPLES / "01-ipos-server-down.eml").read_bytes(), "b.good")
    result = poll(runtime, make_source(runtime.settings))
    assert result.outcomes == {"quarantined": 1, "ticket": 1}
    with runtime.sessions() as session:
        bad = session.scalar(select(InboundMessage).where(InboundMessage.outcome == "quarantined"))
        assert bad is not None and "From:" in bad.reason and bad.raw is not None
    assert len(list((maildir / ".Quarantine" / "cur").iterdir())) == 1


def test_head_of_office_report_gets_high_urgency(runtime: Runtime) -> None:
    maildir = maildir_of(runtime)
    deliver(maildir, b"From: Hendra <kepala.kantor@posbalikpapan.example>\r\nTo: servicedesk@posbalikpapan.example\r\n"
                     b"Subject: Website lambat\r\nMessage-ID: <k1@posbalikpapan.example>\r\n\r\nWebsite agak lambat.\r\n", "k1")
    poll(runtime, make_source(runtime.settings))
    with runtime.sessions() as session:
        ticket = session.scalar(select(Ticket))
        assert ticket is not None and ticket.urgency == "high"


def test_agent_removed_from_the_directory_loses_agent_rights(runtime_factory) -> None:  # type: ignore[no-untyped-def]
    from workflow.people import find_person

    rt = runtime_factory()
    with rt.sessions() as session:
        agus = find_person(session, "agus@posbalikpapan.example")
        assert agus is not None and agus.is_agent and agus.support_level == 2
    rt.close()
    rt = runtime_factory(arrays={"agents": [
        {"name": "Rina Service Desk", "addresses": ["rina@posbalikpapan.example"], "level": 1,
         "role": "service_desk"}]})
    with rt.sessions() as session:
        agus = find_person(session, "agus@posbalikpapan.example")
        assert agus is not None and not agus.is_agent and agus.role == "employee"
        rina = find_person(session, "rina@posbalikpapan.example")
        assert rina is not None and rina.is_agent


def test_init_creates_the_schema_on_an_empty_database_and_is_safe_to_run_twice(
        empty_db_url: str, tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine, inspect

    monkeypatch.chdir(tmp_path)   # init stores the desk's secret under ./var beside a server database

    from app.cli import main
    from tests.conftest import write_config

    config = write_config(tmp_path / "c.toml", {"database": {"url": empty_db_url}})
    assert main(["--config", str(config), "init"]) == 0
    assert main(["--config", str(config), "init"]) == 0
    engine = create_engine(empty_db_url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert {"tickets", "ticket_events", "inbound_messages", "outbox", "people"} <= tables
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT value FROM counters WHERE name = 'ticket'").scalar() == 0
    finally:
        engine.dispose()
    assert "schema is current" in capsys.readouterr().out


def test_a_long_read_does_not_hold_the_sqlite_write_lock(runtime: Runtime) -> None:
    """Listings and reports read in deferred transactions: the poller can write meanwhile."""
    if runtime.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL readers never block writers")
    load_samples(maildir_of(runtime))
    with runtime.readers() as reader:
        assert reader.scalar(select(func.count()).select_from(Ticket)) == 0  # read lock held
        assert poll(runtime, make_source(runtime.settings)).outcomes["ticket"] > 0
