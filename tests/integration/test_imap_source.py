"""The IMAP source against a real Dovecot: security of the connection, folders, bounded
batches by UID, oversized mail never downloaded, and `incidentdesk poll --once`."""
from __future__ import annotations

import ssl
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from sqlalchemy import func, select

from app.cli import main
from app.config import ConfigError, Settings
from app.poll import poll
from app.runtime import Runtime
from app.wiring import make_source
from ingest.imap_source import ImapConfigError, ImapSettings, ImapSource, authenticate, connect, tls_context
from models import InboundMessage, MailboxState, Ticket
from tests.integration.imap_support import report, run_poll
from tests.servers.dovecot import DovecotServer

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "reports"


def ticket_count(rt: Runtime) -> int:
    with rt.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Ticket)) or 0)


# ------------------------------------------------------------------ connection security

def test_plain_imap_to_a_non_loopback_host_is_refused_before_connecting() -> None:
    settings = ImapSettings(host="192.0.2.10", port=143, username="desk", password="secret", security="plain")
    with pytest.raises(ImapConfigError, match="refusing plain-text IMAP to 192.0.2.10"):
        connect(settings)


def test_plain_to_a_non_loopback_host_is_a_configuration_error_on_the_command_line(
        make_settings: Callable[..., Settings], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_settings({"source": {"kind": "imap"}, "source.imap": {
        "host": "192.0.2.10", "port": 143, "security": "plain", "username": "desk", "password": "x"}})
    assert main(["--config", str(tmp_path / "incidentdesk.toml"), "poll", "--once"]) == 2
    assert "refusing plain-text IMAP" in capsys.readouterr().err


def test_plain_imap_on_loopback_is_allowed(dovecot: DovecotServer) -> None:
    source = ImapSource(ImapSettings(host="127.0.0.1", port=dovecot.port, username="desk",
                                     password="secret", security="plain"))
    try:
        assert source.uidvalidity > 0
    finally:
        source.close()


def test_tls_is_the_default_and_never_falls_back_to_plain(dovecot: DovecotServer) -> None:
    """This Dovecot speaks no TLS: the default settings fail instead of sending LOGIN in clear.
    The probes log in as a user of their own; a plain login afterwards, once it shows in the
    log, proves the log has caught up with the probes (it is written by another process)."""
    for security in ("tls", "starttls"):
        settings = ImapSettings(host="127.0.0.1", port=dovecot.port, username="tls-probe",
                                password="secret", security=security, timeout=5)
        with pytest.raises(Exception) as failure:
            connect(settings)
        assert not isinstance(failure.value, ImapConfigError)
    logins = dovecot.log_path.read_text().count("Login: user=<desk>")
    ImapSource(ImapSettings(host="127.0.0.1", port=dovecot.port, username="desk",
                            password="secret", security="plain")).close()
    deadline = time.monotonic() + 60
    while dovecot.log_path.read_text().count("Login: user=<desk>") <= logins:
        assert time.monotonic() < deadline, "the plain login never reached Dovecot's log"
        time.sleep(0.01)  # waiting for Dovecot's log process, not for a duration
    assert "tls-probe" not in dovecot.log_path.read_text()
    assert ImapSettings(host="h", port=993, username="u").security == "tls"


def test_tls_context_verifies_certificates_and_host_names() -> None:
    context = tls_context(ImapSettings(host="h", port=993, username="u"))
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


class RecordingClient:
    def __init__(self) -> None:
        self.calls: list[tuple[str, ...]] = []

    def login(self, user: str, password: str) -> None:
        self.calls.append(("login", user, password))

    def oauth2_login(self, user: str, token: str) -> None:
        self.calls.append(("oauth2_login", user, token))


def test_xoauth2_token_from_the_environment_is_used_instead_of_a_password(
        make_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INCIDENTDESK_IMAP_OAUTH2_TOKEN", "ya29.token")
    settings = make_settings({"source": {"kind": "imap"}, "source.imap": {
        "host": "outlook.office365.com", "username": "servicedesk@posbalikpapan.example"}}).source.imap
    assert settings.oauth2_token == "ya29.token" and settings.security == "tls"
    client = RecordingClient()
    authenticate(client, settings)
    assert client.calls == [("oauth2_login", "servicedesk@posbalikpapan.example", "ya29.token")]


def test_password_login_when_no_token(make_settings: Callable[..., Settings],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INCIDENTDESK_IMAP_PASSWORD", "s3cret")
    settings = make_settings({"source": {"kind": "imap"}, "source.imap": {
        "host": "mail.posbalikpapan.example", "username": "desk"}}).source.imap
    client = RecordingClient()
    authenticate(client, settings)
    assert client.calls == [("login", "desk", "s3cret")]


def test_missing_credentials_and_unknown_security_are_configuration_errors() -> None:
    with pytest.raises(ImapConfigError, match="no password"):
        connect(ImapSettings(host="127.0.0.1", port=1, username="desk"))
    with pytest.raises(ImapConfigError, match="use tls, starttls or plain"):
        connect(ImapSettings(host="127.0.0.1", port=1, username="desk", password="x", security="ssl3"))


def test_imap_without_host_is_a_configuration_error(make_settings: Callable[..., Settings]) -> None:
    with pytest.raises(ConfigError, match="source.imap.host"):
        make_source(make_settings({"source": {"kind": "imap"}}))


# ------------------------------------------------------------------ polling

def test_poll_turns_appended_mail_into_tickets_and_moves_it_to_processed(
        imap_runtime_factory: Callable[..., Runtime], dovecot: DovecotServer) -> None:
    samples = sorted(SAMPLES.glob("*.eml"))
    for path in samples:
        dovecot.append("INBOX", path.read_bytes())
    dovecot.append("INBOX", b"From: nobody\r\nSubject: rusak\r\n\r\ntanpa pengirim\r\n")
    rt = imap_runtime_factory()
    result = run_poll(rt)
    assert result.outcomes == {"ticket": len(samples), "quarantined": 1}
    assert ticket_count(rt) == len(samples)
    assert dovecot.folder_uids("INBOX") == []
    assert len(dovecot.folder_uids("Processed")) == len(samples)  # created on first use
    assert len(dovecot.folder_uids("Quarantine")) == 1
    with rt.sessions() as session:
        state = session.get(MailboxState, f"imap:desk@{dovecot.host}/INBOX")
        assert state is not None and state.uidvalidity == dovecot.uidvalidity("INBOX")


def test_configured_folders_are_used_and_created(imap_runtime_factory: Callable[..., Runtime],
                                                 dovecot: DovecotServer) -> None:
    dovecot.create_folder("Helpdesk")
    dovecot.append("Helpdesk", report(1))
    dovecot.append("INBOX", report(2))
    rt = imap_runtime_factory(imap={"folder": "Helpdesk", "processed_folder": "Selesai",
                                    "quarantine_folder": "Karantina"})
    assert run_poll(rt).outcomes == {"ticket": 1}
    assert len(dovecot.folder_uids("Selesai")) == 1 and dovecot.folder_uids("Karantina") == []
    assert len(dovecot.folder_uids("INBOX")) == 1  # not the configured folder: untouched


def spy_fetches(source: ImapSource) -> list[tuple[list[int], tuple[str, ...]]]:
    calls: list[tuple[list[int], tuple[str, ...]]] = []
    real = source.client.fetch

    def fetch(uids: list[int], items: list[str], *args: Any, **kwargs: Any) -> Any:
        calls.append((list(uids), tuple(items)))
        return real(uids, items, *args, **kwargs)

    source.client.fetch = fetch  # type: ignore[method-assign]
    return calls


def test_mail_is_fetched_in_bounded_batches_by_uid(imap_runtime_factory: Callable[..., Runtime],
                                                   dovecot: DovecotServer) -> None:
    uids = [dovecot.append("INBOX", report(n, size=20_000)) for n in range(7)]
    rt = imap_runtime_factory(batch_size=3, batch_bytes=50_000)
    source = make_source(rt.settings)
    assert isinstance(source, ImapSource)
    calls = spy_fetches(source)
    try:
        assert poll(rt, source).outcomes == {"ticket": 7}
    finally:
        source.close()
    sizes = [c[0] for c in calls if c[1] == ("RFC822.SIZE",)]
    bodies = [c[0] for c in calls if c[1] == ("BODY.PEEK[]",)]
    assert sizes == [uids[0:3], uids[3:6], uids[6:7]]
    assert all(len(b) <= 2 for b in bodies)  # 2 x 20 kB fit in 50 kB, 3 do not
    assert sorted(u for b in bodies for u in b) == uids


def test_oversized_mail_is_recorded_and_quarantined_without_being_downloaded(
        imap_runtime_factory: Callable[..., Runtime], dovecot: DovecotServer) -> None:
    small = dovecot.append("INBOX", report(1))
    big = dovecot.append("INBOX", report(2, size=60_000))
    rt = imap_runtime_factory(max_message_bytes=50_000)
    source = make_source(rt.settings)
    assert isinstance(source, ImapSource)
    calls = spy_fetches(source)
    try:
        assert poll(rt, source).outcomes == {"ticket": 1, "quarantined": 1}
    finally:
        source.close()
    assert [c[0] for c in calls if c[1] == ("BODY.PEEK[]",)] == [[small]]
    with rt.sessions() as session:
        record = session.scalar(select(InboundMessage).where(InboundMessage.outcome == "quarantined"))
        assert record is not None and record.source_key.endswith(f":{big}")
        assert "over the limit of 50000" in record.reason and record.raw is None
    assert len(dovecot.folder_uids("Quarantine")) == 1


def test_a_large_message_is_fetched_in_pieces_intact(imap_runtime_factory: Callable[..., Runtime],
                                                     dovecot: DovecotServer) -> None:
    import hashlib
    import os
    from email.message import EmailMessage
    data = os.urandom(5 * 1024 * 1024)
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "dewi@posbalikpapan.example", "desk@example.org", "rekaman"
    msg["Message-ID"] = "<big@posbalikpapan.example>"
    msg.set_content("Server mati, rekaman terlampir.")
    msg.add_attachment(data, maintype="video", subtype="mp4", filename="cctv.mp4")
    dovecot.append("INBOX", msg.as_bytes(policy=msg.policy.clone(linesep="\r\n")))
    rt = imap_runtime_factory()
    source = make_source(rt.settings)
    assert isinstance(source, ImapSource)
    calls = spy_fetches(source)
    try:
        assert poll(rt, source).outcomes == {"ticket": 1}
    finally:
        source.close()
    assert len([c for c in calls if c[1][0].startswith("BODY.PEEK[]<")]) == 2  # 4 MiB pieces
    with rt.sessions() as session:
        record = session.scalar(select(InboundMessage))
        assert record is not None
        assert record.attachments == [{"name": "cctv.mp4", "type": "video/mp4", "size": len(data),
                                       "sha256": hashlib.sha256(data).hexdigest()}]


def test_poll_once_on_the_command_line_drains_the_mailbox_and_exits(
        imap_runtime_factory: Callable[..., Runtime], dovecot: DovecotServer, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    imap_runtime_factory()  # writes the configuration file and migrates
    for n in range(5):
        dovecot.append("INBOX", report(n))
    assert main(["--config", str(tmp_path / "incidentdesk.toml"), "poll", "--once"]) == 0
    assert "polled 5 message(s): ticket 5" in capsys.readouterr().out
    assert dovecot.folder_uids("INBOX") == []


def test_unreachable_server_is_a_clear_error_not_a_traceback(
        make_settings: Callable[..., Settings], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_settings({"source": {"kind": "imap"}, "source.imap": {
        "host": "127.0.0.1", "port": 9, "security": "plain", "username": "desk", "password": "x",
        "timeout_seconds": 5}})
    assert main(["--config", str(tmp_path / "incidentdesk.toml"), "poll", "--once"]) == 4
    assert "mail server unavailable" in capsys.readouterr().err


def test_progress_line_shows_count_and_rate_on_a_terminal(monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    from app.commands import mail as mail_command
    from app.poll import PollResult
    monkeypatch.setattr(mail_command, "is_terminal", lambda: True)
    progress = mail_command.Progress("messages")
    result = PollResult()
    for outcome in ("ticket", "ticket", "ignored"):
        result.count(outcome)
    progress(result)
    progress.end()
    err = capsys.readouterr().err
    assert "\rmessages: 3 (" in err and "/s)" in err and err.endswith("\n")


def test_wrong_source_settings_are_named_by_check_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('[source]\nbatch_size = 0\nkind = "pop3"\n[source.imap]\nsecurity = "ssl"\n')
    assert main(["--config", str(config), "check-config"]) == 2
    err = capsys.readouterr().err
    assert "source.batch_size must be a whole number above 0" in err
    assert "source.kind 'pop3'" in err and "source.imap.security 'ssl'" in err
