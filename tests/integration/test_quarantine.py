"""Quarantine you can act on: list what could not be handled and why, then run it through
the path again once the cause is fixed, exactly once, without touching the mailbox."""
from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

import app.poll
from app.cli import main
from app.poll import poll, replay
from app.runtime import Runtime
from app.wiring import make_source
from ingest.maildir_source import deliver
from models import InboundMessage, OutboxMessage, Ticket

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "reports"


def maildir(rt: Runtime) -> Path:
    return rt.settings.source.maildir


def config(rt: Runtime) -> str:
    return str(rt.settings.source.maildir.parent / "incidentdesk.toml")


def quarantine_by_a_bug(rt: Runtime, monkeypatch: pytest.MonkeyPatch, *names: str) -> list[int]:
    """Poll while the workflow has a bug: every report ends in quarantine with the error."""
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("bug in the rules")

    with monkeypatch.context() as patched:
        patched.setattr(app.poll, "handle_personal_mail", broken)
        for i, name in enumerate(names):
            deliver(maildir(rt), (SAMPLES / name).read_bytes(), f"q{i}")
        assert poll(rt, make_source(rt.settings)).outcomes == {"quarantined": len(names)}
    with rt.sessions() as session:
        return list(session.scalars(select(InboundMessage.id).order_by(InboundMessage.id)))


def count(rt: Runtime, model: Any) -> int:
    """Rows of a table; for the outbox, the acknowledgements (one per new ticket)."""
    query = select(func.count()).select_from(model)
    if model is OutboxMessage:
        query = query.where(OutboxMessage.kind == "ack")
    with rt.sessions() as session:
        return int(session.scalar(query) or 0)


def test_quarantine_lists_id_date_sender_subject_and_reason(
        runtime: Runtime, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (record_id,) = quarantine_by_a_bug(runtime, monkeypatch, "01-ipos-server-down.eml")
    capsys.readouterr()
    assert main(["--config", config(runtime), "quarantine", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["id"] == record_id and row["sender"] == "kepala.kantor@posbalikpapan.example"
    assert row["subject"].startswith("Ipos server down")
    assert row["reason"] == "rules: RuntimeError: bug in the rules" and row["replayable"]
    assert row["stage"] == "rules"
    assert row["received_at"].endswith("+08:00")
    assert main(["--config", config(runtime), "quarantine"]) == 0
    table = capsys.readouterr().out
    assert "bug in the rules" in table and "kepala.kantor@" in table


def test_replay_after_the_fix_updates_the_same_record_exactly_once(
        runtime: Runtime, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (record_id,) = quarantine_by_a_bug(runtime, monkeypatch, "01-ipos-server-down.eml")
    assert main(["--config", config(runtime), "quarantine", "replay", str(record_id)]) == 0
    assert f"#{record_id}: ticket" in capsys.readouterr().out
    with runtime.sessions() as session:
        record = session.get(InboundMessage, record_id)
        assert record is not None and record.outcome == "ticket" and record.raw is None
        assert record.ticket_id is not None and record.dedup_key is not None
    assert (count(runtime, InboundMessage), count(runtime, Ticket), count(runtime, OutboxMessage)) == (1, 1, 1)

    assert main(["--config", config(runtime), "quarantine", "replay", str(record_id)]) == 0
    assert "skipped (not quarantined" in capsys.readouterr().out
    assert (count(runtime, Ticket), count(runtime, OutboxMessage)) == (1, 1)
    assert len(list((maildir(runtime) / ".Quarantine" / "cur").iterdir())) == 1  # mailbox untouched


def test_replay_all_handles_copies_of_one_message_once(runtime: Runtime, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    quarantine_by_a_bug(runtime, monkeypatch, "01-ipos-server-down.eml", "01-ipos-server-down.eml",
                        "06-pgm-network-slow-en.eml")
    assert main(["--config", config(runtime), "quarantine", "replay", "--all"]) == 0
    assert "replayed 3 message(s): duplicate 1, ticket 2" in capsys.readouterr().out
    assert count(runtime, InboundMessage) == 3 and count(runtime, Ticket) == 2
    assert main(["--config", config(runtime), "quarantine", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_a_still_failing_replay_stays_quarantined_with_the_new_reason(
        runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    (record_id,) = quarantine_by_a_bug(runtime, monkeypatch, "01-ipos-server-down.eml")
    monkeypatch.setattr(app.poll, "handle_personal_mail",
                        lambda *a, **k: (_ for _ in ()).throw(ValueError("another bug")))
    assert replay(runtime, record_id).outcome == "quarantined"
    with runtime.sessions() as session:
        record = session.get(InboundMessage, record_id)
        assert record is not None and record.reason == "rules: ValueError: another bug" and record.raw
    assert count(runtime, Ticket) == 0


def test_concurrent_replays_of_one_message_make_one_ticket(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    (record_id,) = quarantine_by_a_bug(runtime, monkeypatch, "01-ipos-server-down.eml")
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def worker() -> None:
        start.wait()
        outcomes.append(replay(runtime, record_id).outcome)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["skipped", "ticket"]
    assert (count(runtime, Ticket), count(runtime, OutboxMessage), count(runtime, InboundMessage)) == (1, 1, 1)


def test_oversized_mail_cannot_be_replayed_from_the_database(
        runtime_factory: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rt = runtime_factory({"source": {"max_message_bytes": 500}})
    deliver(maildir(rt), (SAMPLES / "01-ipos-server-down.eml").read_bytes(), "big")
    assert poll(rt, make_source(rt.settings)).outcomes == {"quarantined": 1}
    rt.close()
    assert main(["--config", str(tmp_path / "incidentdesk.toml"), "quarantine", "replay", "1"]) == 0
    assert "not stored (over the size limit" in capsys.readouterr().out


def test_replay_of_an_unknown_id_says_so(runtime: Runtime, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", config(runtime), "quarantine", "replay", "42"]) == 1
    assert "no inbound message #42" in capsys.readouterr().out
    with pytest.raises(SystemExit) as usage:  # argparse: neither an id nor --all
        main(["--config", config(runtime), "quarantine", "replay"])
    assert usage.value.code == 2
