"""`incidentdesk init` on a real SQLite file: it makes the folder, the database and a private
reply-token secret (never printed), is safe to repeat, leaves a configured secret alone, and
is what check-config tells an operator to run before agents can work."""
from __future__ import annotations

import stat
from pathlib import Path
from typing import Any, cast

import pytest

from app.desk_secret import FILE_NAME
from tests.cli_support import config, run
from tests.conftest import AGENTS as CONFIGURED_AGENTS

AGENTS = cast(list[dict[str, Any]], CONFIGURED_AGENTS)


@pytest.fixture(autouse=True)
def _no_desk_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No desk settings from the environment (the suite already runs each test in its own folder)."""
    for name in ("INCIDENTDESK_CONFIG", "INCIDENTDESK_DATABASE_URL", "INCIDENTDESK_SECRET"):
        monkeypatch.delenv(name, raising=False)


def test_init_makes_the_folder_the_database_and_a_private_secret(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "init")          # the built-in defaults: ./var/incidentdesk.db
    assert code == 0
    secret_file = tmp_path / "var" / FILE_NAME
    assert (tmp_path / "var" / "incidentdesk.db").is_file()
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    secret = secret_file.read_text().strip()
    assert len(secret) == 64
    assert secret not in out + err                 # never printed, never logged
    assert f"created the reply-token secret in {secret_file}" in out
    assert run(capsys, "init")[0] == 0             # safe to repeat: the secret stays
    assert secret_file.read_text().strip() == secret
    code, out, _ = run(capsys, "check-config", "--print")
    assert code == 0 and secret not in out and f"stored in {secret_file}" in out
    assert run(capsys, "tickets")[1].strip() == "no tickets"


def test_a_configured_secret_is_not_replaced_by_a_stored_one(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("INCIDENTDESK_SECRET", "from-the-environment")
    assert run(capsys, "init")[0] == 0
    assert not (tmp_path / "var" / FILE_NAME).exists()
    assert "desk.secret (or INCIDENTDESK_SECRET)" in run(capsys, "check-config")[1]


def test_check_config_fails_when_no_method_can_prove_an_agents_mail(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    path = config(tmp_path, arrays={"agents": AGENTS})
    code, _, err = run(capsys, "--config", path, "check-config")
    assert code == 2
    assert "every agent command would be refused" in err and "incidentdesk init" in err
    assert "auth.authserv_id" in err
    assert run(capsys, "--config", path, "init")[0] == 0
    code, out, _ = run(capsys, "--config", path, "check-config")
    assert code == 0 and "configuration OK" in out
