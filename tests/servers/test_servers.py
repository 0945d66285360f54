"""Prove the real-server fixtures behave like the servers the app will meet."""

from __future__ import annotations

import smtplib
import socket
from email.message import EmailMessage
from typing import Callable

import imapclient
import pytest

from tests.servers import dovecot as dovecot_module
from tests.servers import fixtures
from tests.servers.dovecot import DovecotServer
from tests.servers.smtp import SmtpServer


def raw_message(n: int) -> bytes:
    """Small RFC 5322 message with a predictable Message-ID."""
    return (f"From: user{n}@example.org\r\nTo: desk@example.org\r\n"
            f"Subject: test {n}\r\nMessage-ID: <msg-{n}@example.org>\r\n\r\n"
            f"body {n}\r\n").encode()


def email_message(n: int, to: str = "desk@example.org") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "sender@example.org"
    msg["To"] = to
    msg["Subject"] = f"out {n}"
    msg["Message-ID"] = f"<out-{n}@example.org>"
    msg.set_content(f"hello {n}\n")
    return msg


def message_ids(client: imapclient.IMAPClient, uids: list[int]) -> dict[int, bytes]:
    fetched = client.fetch(uids, ["ENVELOPE"])
    return {uid: data[b"ENVELOPE"].message_id for uid, data in fetched.items()}


# ---------------------------------------------------------------- Dovecot
def test_inbox_starts_empty(dovecot: DovecotServer) -> None:
    assert dovecot.folder_uids("INBOX") == []


def test_append_three_and_read_back(dovecot: DovecotServer) -> None:
    uids = [dovecot.append("INBOX", raw_message(n)) for n in range(3)]
    assert uids == [1, 2, 3]
    client = dovecot.client()
    try:
        info = client.select_folder("INBOX")
        assert info[b"EXISTS"] == 3
        assert info[b"UIDVALIDITY"] == dovecot.uidvalidity("INBOX") > 0
        assert client.search("ALL") == uids
        bodies = client.fetch(uids, ["BODY.PEEK[]"])
        assert [bodies[u][b"BODY[]"] for u in uids] == [raw_message(n) for n in range(3)]
    finally:
        client.logout()


def test_append_keeps_flags(dovecot: DovecotServer) -> None:
    uid = dovecot.append("INBOX", raw_message(1), flags=[imapclient.SEEN])
    client = dovecot.client()
    try:
        client.select_folder("INBOX", readonly=True)
        assert imapclient.SEEN in client.get_flags([uid])[uid]
    finally:
        client.logout()


def test_move_to_new_folder(dovecot: DovecotServer) -> None:
    uids = [dovecot.append("INBOX", raw_message(n)) for n in range(2)]
    dovecot.create_folder("Processed/2024")
    client = dovecot.client()
    try:
        assert client.has_capability("MOVE")
        client.select_folder("INBOX")
        client.move([uids[0]], "Processed/2024")
    finally:
        client.logout()
    assert dovecot.folder_uids("INBOX") == [uids[1]]
    assert dovecot.folder_uids("Processed/2024") == [1]


def test_reset_uidvalidity_renumbers_inbox(dovecot: DovecotServer) -> None:
    for n in range(3):
        dovecot.append("INBOX", raw_message(n))
    client = dovecot.client()
    client.select_folder("INBOX")
    client.delete_messages([1])
    client.expunge()
    old = dovecot.uidvalidity("INBOX")

    new = dovecot.reset_uidvalidity("INBOX")

    assert new != old and dovecot.uidvalidity("INBOX") == new
    with pytest.raises((imapclient.exceptions.IMAPClientAbortError, OSError)):
        client.noop()  # sessions were kicked, as a real rebuild would do
    client.shutdown()
    assert dovecot.folder_uids("INBOX") == [1, 2]
    fresh = dovecot.client()
    try:
        fresh.select_folder("INBOX", readonly=True)
        assert message_ids(fresh, [1, 2]) == {1: b"<msg-1@example.org>",
                                              2: b"<msg-2@example.org>"}
    finally:
        fresh.logout()


def test_reset_uidvalidity_other_folder(dovecot: DovecotServer) -> None:
    dovecot.create_folder("Archive")
    dovecot.append("Archive", raw_message(1))
    old = dovecot.uidvalidity("Archive")
    inbox_before = dovecot.uidvalidity("INBOX")
    assert dovecot.reset_uidvalidity("Archive") != old
    assert dovecot.uidvalidity("INBOX") == inbox_before
    assert dovecot.folder_uids("Archive") == [1]


def test_extra_user_and_wrong_password(dovecot: DovecotServer) -> None:
    dovecot.add_user("second", "pw2")
    dovecot.append("INBOX", raw_message(1), user="second")
    assert dovecot.folder_uids("INBOX", user="second") == [1]
    assert dovecot.folder_uids("INBOX") == []
    with pytest.raises(imapclient.exceptions.LoginError):
        dovecot.client(password="wrong")


def test_servers_are_isolated(dovecot_factory: Callable[..., DovecotServer]) -> None:
    first, second = dovecot_factory(), dovecot_factory()
    first.append("INBOX", raw_message(1))
    assert first.port != second.port and first.root != second.root
    assert second.folder_uids("INBOX") == []


# ------------------------------------------------------------------- SMTP
def smtp_client(server: SmtpServer) -> smtplib.SMTP:
    return smtplib.SMTP(server.host, server.port, timeout=5)


def test_smtp_records_message(smtp_server: SmtpServer) -> None:
    with smtp_client(smtp_server) as smtp:
        smtp.send_message(email_message(1))
    (msg,) = smtp_server.wait_for(1)
    assert msg.mail_from == "sender@example.org"
    assert msg.rcpt_tos == ("desk@example.org",)
    assert msg.message_id == "<out-1@example.org>"
    assert msg.parsed()["Subject"] == "out 1"
    assert smtp_server.messages_by_message_id() == {"<out-1@example.org>": 1}


def test_smtp_fail_next_data_then_success(smtp_server: SmtpServer) -> None:
    smtp_server.fail_next(1)
    with smtp_client(smtp_server) as smtp:
        with pytest.raises(smtplib.SMTPDataError) as err:
            smtp.send_message(email_message(1))
        assert err.value.smtp_code == 451
        smtp.send_message(email_message(1))
    assert smtp_server.messages_by_message_id() == {"<out-1@example.org>": 1}


def test_smtp_fail_next_rcpt(smtp_server: SmtpServer) -> None:
    smtp_server.fail_next(1, stage="RCPT")
    with smtp_client(smtp_server) as smtp:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as err:
            smtp.send_message(email_message(1))
        assert err.value.recipients["desk@example.org"][0] == 451
        smtp.send_message(email_message(1))
    assert len(smtp_server.messages) == 1


def test_smtp_reject_recipient(smtp_server: SmtpServer) -> None:
    smtp_server.reject_recipient("nobody@example.org")
    with smtp_client(smtp_server) as smtp:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as err:
            smtp.send_message(email_message(1, to="nobody@example.org"))
        assert err.value.recipients == {"nobody@example.org": (550, b"5.1.1 no such user")}
        refused = smtp.send_message(email_message(2, to="nobody@example.org, ok@example.org"))
    assert refused == {"nobody@example.org": (550, b"5.1.1 no such user")}
    assert [m.rcpt_tos for m in smtp_server.messages] == [("ok@example.org",)]


def test_smtp_stop_start_same_port(smtp_server: SmtpServer) -> None:
    port = smtp_server.port
    smtp_server.stop()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((smtp_server.host, port), timeout=2)
    smtp_server.start()
    assert smtp_server.port == port
    with smtp_client(smtp_server) as smtp:
        smtp.send_message(email_message(1))
    assert len(smtp_server.wait_for(1)) == 1


def test_smtp_auth(smtp_server_factory: Callable[..., SmtpServer]) -> None:
    server = smtp_server_factory(auth=("mailer", "s3cret"))
    with smtp_client(server) as smtp:
        with pytest.raises(smtplib.SMTPSenderRefused) as err:
            smtp.send_message(email_message(1))
        assert err.value.smtp_code == 530
        with pytest.raises(smtplib.SMTPAuthenticationError):
            smtp.login("mailer", "wrong")
    with smtp_client(server) as smtp:
        smtp.login("mailer", "s3cret")
        smtp.send_message(email_message(2))
    assert [(m.auth_user, m.message_id) for m in server.messages] == [
        ("mailer", "<out-2@example.org>")]


def test_smtp_starttls(smtp_server_factory: Callable[..., SmtpServer]) -> None:
    server = smtp_server_factory(starttls=True, auth=("mailer", "s3cret"))
    with smtp_client(server) as smtp:
        smtp.starttls(context=server.client_tls_context())
        smtp.login("mailer", "s3cret")
        smtp.send_message(email_message(1))
    (msg,) = server.wait_for(1)
    assert msg.tls and msg.auth_user == "mailer"


def test_smtp_wait_for_times_out(smtp_server: SmtpServer) -> None:
    with pytest.raises(AssertionError, match="expected 1 messages"):
        smtp_server.wait_for(1, timeout=0.1)


# --------------------------------------------------------- skipping policy
def test_dovecot_available_explains_missing_binary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dovecot_module, "DOVECOT_BIN", "/nonexistent/dovecot")
    reason = dovecot_module.dovecot_available()
    assert reason is not None and "/nonexistent/dovecot" in reason


def test_unavailable_skips_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(fixtures.REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception):
        fixtures.server_unavailable("no dovecot")


def test_unavailable_fails_when_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(fixtures.REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="no dovecot"):
        fixtures.server_unavailable("no dovecot")
