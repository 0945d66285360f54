"""No single mail stalls the desk. A mail the database would refuse, or that trips a bug,
ends with an outcome (a ticket, or quarantine with the stage that failed) and the mail
behind it is ticketed in the same poll, on SQLite and on PostgreSQL (which enforces the
column lengths SQLite ignores). Only a database that does not answer, or will not take
work now, stops a poll; a mail that keeps running into that is set aside after
`source.max_attempts` tries."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

import app.poll
import app.work
from app.poll import poll
from app.runtime import Runtime
from app.wiring import make_source
from ingest.maildir_source import deliver
from models import InboundFailure, InboundMessage, Person, Ticket
from tests.faults.conftest import numbered_report
from tests.faults.hostile import OVERLONG_FIELDS, overlong

BEHIND = 8


def maildir(rt: Runtime) -> Path:
    return rt.settings.source.maildir


def deliver_poison_then_reports(rt: Runtime, poison: bytes) -> None:
    deliver(maildir(rt), poison, "0000.poison")
    for n in range(1, BEHIND + 1):
        deliver(maildir(rt), numbered_report(n), f"{n:04d}.report")


def outcomes(rt: Runtime) -> dict[str, int]:
    with rt.sessions() as session:
        return dict(session.execute(select(InboundMessage.outcome, func.count())
                                    .group_by(InboundMessage.outcome)).all())


def waiting(rt: Runtime) -> int:
    return len(list((maildir(rt) / "new").iterdir())) + len(list((maildir(rt) / "cur").iterdir()))


@pytest.mark.parametrize("field", OVERLONG_FIELDS)
def test_an_overlong_value_is_clamped_and_the_mail_behind_it_is_ticketed(runtime: Runtime, field: str) -> None:
    deliver_poison_then_reports(runtime, overlong(1, field))
    result = poll(runtime, make_source(runtime.settings))
    if field == "address":  # 400 characters before the @ is no address (RFC 5321: 64 at most)
        assert result.outcomes == {"quarantined": 1, "ticket": BEHIND}
    else:
        assert result.outcomes == {"ticket": 1 + BEHIND}, field
    assert waiting(runtime) == 0


def test_clamped_values_are_cut_on_a_character_with_an_ellipsis_where_people_read_them(
        runtime: Runtime) -> None:
    deliver(maildir(runtime), overlong(1, "name"), "name")
    deliver(maildir(runtime), overlong(2, "subject"), "subject")
    poll(runtime, make_source(runtime.settings))
    with runtime.sessions() as session:
        name = session.scalar(select(Person.name).where(Person.address == "budi@posbalikpapan.example"))
        subjects = list(session.scalars(select(Ticket.subject).order_by(Ticket.id)))
        inbound = list(session.scalars(select(InboundMessage.subject).order_by(InboundMessage.id)))
    assert name is not None and len(name) == 200 and name.startswith("Budi Santoso") and name.endswith("\u2026")
    long_subject = subjects[1]
    assert len(long_subject) == 500 and long_subject.endswith("\u2026") and "邮件服务器" in long_subject
    assert len(inbound[1]) <= 500


def test_a_value_the_database_refuses_quarantines_that_mail_only(
        runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule that writes what the database refuses (here: a row whose foreign key points
    nowhere) rolls back that message alone, which is quarantined at the rules stage."""
    real = app.poll.handle_personal_mail

    def refused_for_the_poison(session: Any, *args: Any, **kwargs: Any) -> Any:
        mail = args[-1]
        if "poison" in (mail.message_id or ""):
            session.execute(text("INSERT INTO ticket_events (ticket_id, at, actor, kind, note, data) "
                                 "VALUES (999999, CURRENT_TIMESTAMP, 'x', 'comment', '', '{}')"))
        return real(session, *args, **kwargs)

    monkeypatch.setattr(app.poll, "handle_personal_mail", refused_for_the_poison)
    poison = numbered_report(1000).replace(b"<crash-1000@", b"<poison-1000@")
    deliver_poison_then_reports(runtime, poison)
    result = poll(runtime, make_source(runtime.settings))
    assert result.outcomes == {"quarantined": 1, "ticket": BEHIND}
    with runtime.sessions() as session:
        record = session.scalar(select(InboundMessage).where(InboundMessage.outcome == "quarantined"))
        assert record is not None and record.stage == "rules" and record.raw
        assert record.reason.startswith("rules: IntegrityError")
        assert record.sender == "pelapor1000@posbalikpapan.example"
        assert session.scalar(select(func.count()).select_from(Ticket)) == BEHIND
    assert waiting(runtime) == 0


def test_a_bug_in_rendering_is_quarantined_with_its_stage(
        runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    real = app.work.enqueue

    def broken_for_the_poison(session: Any, desk: Any, renderer: Any, notes: Any, at: Any) -> Any:
        if any(n.recipient == "pelapor1000@posbalikpapan.example" for n in notes):
            raise UnicodeEncodeError("utf-8", "x", 0, 1, "a bug in rendering")
        return real(session, desk, renderer, notes, at)

    monkeypatch.setattr(app.work, "enqueue", broken_for_the_poison)
    poison = numbered_report(1000).replace(b"Ipos mati", b"Poison Ipos mati")
    deliver_poison_then_reports(runtime, poison)
    assert poll(runtime, make_source(runtime.settings)).outcomes == {"quarantined": 1, "ticket": BEHIND}
    with runtime.sessions() as session:
        record = session.scalar(select(InboundMessage).where(InboundMessage.outcome == "quarantined"))
        assert record is not None and record.stage == "render"
        assert record.reason.startswith("render: UnicodeEncodeError")


def test_a_mail_that_keeps_finding_the_database_busy_is_set_aside_after_max_attempts(
        runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    """The database answers but times out on this message's locks every time: each poll
    stops (the mail waits), the tries are counted, and the third failure is the last."""
    real = app.poll.handle_personal_mail

    def lock_timeout_for_the_poison(session: Any, *args: Any, **kwargs: Any) -> Any:
        if "poison" in (args[-1].message_id or ""):
            raise OperationalError("UPDATE counters ...", {}, Exception("lock timeout"))
        return real(session, *args, **kwargs)

    monkeypatch.setattr(app.poll, "handle_personal_mail", lock_timeout_for_the_poison)
    deliver_poison_then_reports(runtime, numbered_report(1000).replace(b"<crash-1000@", b"<poison-1000@"))
    attempts = runtime.settings.source.max_attempts
    for tried in range(1, attempts + 1):
        with pytest.raises(OperationalError):
            poll(runtime, make_source(runtime.settings))
        assert waiting(runtime) == BEHIND + 1  # the poison sorts first: nothing behind it moved
        with runtime.sessions() as session:
            assert session.scalar(select(InboundFailure.attempts)) == tried
    result = poll(runtime, make_source(runtime.settings))
    assert result.outcomes == {"quarantined": 1, "ticket": BEHIND}
    with runtime.sessions() as session:
        record = session.scalar(select(InboundMessage).where(InboundMessage.outcome == "quarantined"))
        assert record is not None and record.stage == "rules" and record.raw
        assert f"failed {attempts} times" in record.reason and "lock timeout" in record.reason
        assert session.scalar(select(func.count()).select_from(InboundFailure)) == 0
    assert outcomes(runtime) == {"quarantined": 1, "ticket": BEHIND}
