"""Agents can work out of the box: `init` on the built-in defaults stores the desk's
reply-token secret, so an agent who answers a desk mail gets the command applied without
anyone touching a secret; and when the desk cannot verify anyone, the agent hears the real
reason, in their own language."""
from __future__ import annotations

import email
import json
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from app.desk_secret import FILE_NAME
from ingest.maildir_source import deliver
from tests.conftest import write_config
from tests.integration.support import reply_to, report

RINA = "rina@posbalikpapan.example"


@pytest.fixture
def desk(tmp_path: Path, empty_db_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh desk folder: the defaults plus one agent (and the test's own PostgreSQL
    database when that is the backend; SQLite is the default ./var/incidentdesk.db)."""
    monkeypatch.chdir(tmp_path)
    for name in ("INCIDENTDESK_CONFIG", "INCIDENTDESK_DATABASE_URL", "INCIDENTDESK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    tables = {} if empty_db_url.startswith("sqlite") else {"database": {"url": empty_db_url}}
    agents = [{"name": "Rina Service Desk", "addresses": [RINA], "level": 1, "role": "service_desk",
               "language": "en"}]
    return write_config(tmp_path / "incidentdesk.toml", tables, {"agents": agents})


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(["--log-level", "WARNING", *argv]) == 0
    return capsys.readouterr().out


def mails_to(address: str, kind: str) -> list[EmailMessage]:
    found = []
    for path in sorted(Path("var/outbox").glob(f"*-{kind}.eml"), key=lambda p: int(p.name.split("-")[0])):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        if message["To"].addresses[0].addr_spec == address:
            found.append(message)
    return found


def part(message: EmailMessage, kind: str) -> str:
    body = message.get_body((kind,))
    assert body is not None
    return str(body.get_content())


def arrive(raw: bytes, key: str, capsys: pytest.CaptureFixture[str]) -> None:
    deliver(Path("var/maildir"), raw, key)
    cli(capsys, "poll")
    cli(capsys, "send")


def ticket(number: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    return json.loads(cli(capsys, "show", number, "--json"))


def test_an_agent_answering_a_desk_mail_is_obeyed_after_a_plain_init(
        desk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    init_output = cli(capsys, "init")
    secret = (desk.parent / "var" / FILE_NAME).read_text().strip()
    assert secret and secret not in init_output
    assert "configuration OK" in cli(capsys, "check-config")

    arrive(report(), "r1", capsys)
    number = json.loads(cli(capsys, "tickets", "--json"))[0]["number"]
    new_ticket = mails_to(RINA, "new_ticket")[-1]
    arrive(reply_to(new_ticket, RINA, "Rina", "Status: in progress\n\nChecking the Ipos server."), "a1", capsys)

    assert ticket(number, capsys)["status"] == "in_progress"
    assert mails_to(RINA, "confirmation") and not mails_to(RINA, "rejected_command")


def test_a_desk_that_can_verify_no_one_says_so_in_the_agents_language(
        desk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The secret of init removed (a desk set up before this release): the reply is refused,
    and the refusal says the desk is not set up, not "reply to the desk's mail"."""
    cli(capsys, "init")
    (desk.parent / "var" / FILE_NAME).unlink()
    arrive(report(), "r1", capsys)
    number = json.loads(cli(capsys, "tickets", "--json"))[0]["number"]
    arrive(reply_to(mails_to(RINA, "new_ticket")[-1], RINA, "Rina", "Status: in progress"), "a1", capsys)

    assert ticket(number, capsys)["status"] == "new"
    refusal = mails_to(RINA, "rejected_command")[-1]
    text, html = part(refusal, "plain"), part(refusal, "html")
    for shown in (text, html):
        assert "not set up to verify agents" in shown and "could not verify that your reply is yours" in shown
        assert "reply to the desk" not in shown and "correct them and reply again" not in shown
        assert "Tidak ada" not in shown and "belum" not in shown          # English only


def test_the_refusal_is_indonesian_for_an_indonesian_agent(tmp_path: Path, empty_db_url: str,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("INCIDENTDESK_SECRET", raising=False)
    tables: dict[str, dict[str, Any]] = {"database": {"url": empty_db_url}}
    write_config(tmp_path / "incidentdesk.toml", tables, {"agents": [
        {"name": "Rina Service Desk", "addresses": [RINA], "level": 1, "role": "service_desk"}]})
    cli(capsys, "init")
    for stored in tmp_path.rglob(FILE_NAME):
        stored.unlink()
    arrive(report(), "r1", capsys)
    arrive(reply_to(mails_to(RINA, "new_ticket")[-1], RINA, "Rina", "Status: proses"), "a1", capsys)
    text = part(mails_to(RINA, "rejected_command")[-1], "plain")
    assert "desk belum diatur untuk memeriksa e-mail petugas" in text
    assert "Authentication-Results" not in text and "configured" not in text   # no English inside
