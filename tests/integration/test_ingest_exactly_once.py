"""Exactly once, against a real Dovecot: a crash between the commit and the IMAP move, a
renumbered mailbox (UIDVALIDITY change) and a second delivery of the same mail never make a
second ticket, event or acknowledgement."""
from __future__ import annotations

from typing import Callable, Sequence

import pytest
from sqlalchemy import func, select

from app.runtime import Runtime
from ingest.imap_source import ImapSource
from ingest.maildir_source import deliver
from models import InboundMessage, MailboxState, OutboxMessage, Ticket
from tests.integration.imap_support import report, run_poll
from tests.servers.dovecot import DovecotServer


class Crash(Exception):
    """The process dies at this exact point."""


def counts(rt: Runtime) -> tuple[int, int, int]:
    """(tickets, acknowledgements queued, inbound records)."""
    with rt.sessions() as session:
        acks = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "ack")
        return (int(session.scalar(select(func.count()).select_from(Ticket)) or 0),
                int(session.scalar(acks) or 0),
                int(session.scalar(select(func.count()).select_from(InboundMessage)) or 0))


def no_message_id(n: int) -> bytes:
    return (f"From: budi{n}@posbalikpapan.example\r\nTo: servicedesk@posbalikpapan.example\r\n"
            f"Subject: Printer loket {n} macet\r\nDate: Mon, 23 Nov 2026 09:00:00 +0800\r\n\r\n"
            f"Printer loket {n} macet.\r\n").encode()


def test_crash_between_commit_and_move_then_poll_again_duplicates_nothing(
        imap_runtime_factory: Callable[..., Runtime], dovecot: DovecotServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(3):
        dovecot.append("INBOX", report(n))
    rt = imap_runtime_factory(batch_size=2)
    real_move = ImapSource.mark_processed
    crashed: list[Sequence[str]] = []

    def crash_once(self: ImapSource, keys: Sequence[str]) -> None:
        if not crashed:
            crashed.append(keys)
            raise Crash("killed after the commits, before the move")
        real_move(self, keys)

    monkeypatch.setattr(ImapSource, "mark_processed", crash_once)
    with pytest.raises(Crash):
        run_poll(rt)
    committed = len(crashed[0])  # the first commit: the batch, or what 0.2 s of it held
    assert committed in (1, 2)
    assert counts(rt) == (committed,) * 3               # the first commit's work is recorded
    assert len(dovecot.folder_uids("INBOX")) == 3       # ...but none of it was moved

    result = run_poll(rt)
    assert result.outcomes == {"replay": committed, "ticket": 3 - committed}
    assert counts(rt) == (3, 3, 3)
    assert dovecot.folder_uids("INBOX") == [] and len(dovecot.folder_uids("Processed")) == 3


def test_uidvalidity_change_is_logged_and_makes_no_duplicate_tickets(
        imap_runtime_factory: Callable[..., Runtime], dovecot: DovecotServer,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for n in range(3):
        dovecot.append("INBOX", report(n))
    dovecot.append("INBOX", no_message_id(9))
    rt = imap_runtime_factory()
    with monkeypatch.context() as patched:  # the moves are lost (connection dropped after each commit)
        patched.setattr(ImapSource, "mark_processed", lambda self, keys: None)
        assert run_poll(rt).outcomes == {"ticket": 4}
    old = dovecot.uidvalidity("INBOX")
    new = dovecot.reset_uidvalidity("INBOX")           # the server renumbers the folder
    dovecot.append("INBOX", report(7))                  # and one new report arrives
    capsys.readouterr()

    result = run_poll(rt)
    assert result.outcomes == {"duplicate": 4, "ticket": 1}
    assert counts(rt)[:2] == (5, 5)
    assert "imap.uidvalidity_changed" in capsys.readouterr().err
    with rt.sessions() as session:
        state = session.get(MailboxState, f"imap:desk@{dovecot.host}/INBOX")
        assert state is not None and (old, state.uidvalidity) == (old, new)
    assert dovecot.folder_uids("INBOX") == []


def test_a_second_delivery_of_the_same_message_is_a_duplicate(
        imap_runtime_factory: Callable[..., Runtime], dovecot: DovecotServer) -> None:
    dovecot.append("INBOX", report(1))
    dovecot.append("INBOX", b"Received: from relay2.example\r\n" + report(1))
    dovecot.append("INBOX", no_message_id(2))
    dovecot.append("INBOX", no_message_id(2))
    rt = imap_runtime_factory()
    assert run_poll(rt).outcomes == {"ticket": 2, "duplicate": 2}
    assert counts(rt) == (2, 2, 4)


def test_replayed_poll_after_crash_on_maildir_is_a_no_op(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    maildir = runtime.settings.source.maildir
    for n in range(2):
        deliver(maildir, report(n), f"m{n}")
    from ingest.maildir_source import MaildirSource
    monkeypatch.setattr(MaildirSource, "mark_processed", lambda self, keys: (_ for _ in ()).throw(Crash()))
    with pytest.raises(Crash):
        run_poll(runtime)
    monkeypatch.undo()
    committed = counts(runtime)[0]  # the batch commits within 0.2 s: one or both messages
    assert committed >= 1 and counts(runtime) == (committed,) * 3
    replayed = run_poll(runtime).outcomes
    assert replayed == {"replay": committed, **({"ticket": 2 - committed} if committed < 2 else {})}
    assert counts(runtime) == (2, 2, 2)
