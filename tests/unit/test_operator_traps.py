"""No traps for the operator: check-config says what it read and fails when agents cannot
work; no command but `init` makes a database (what `init` makes:
tests/integration/test_init_command.py); bad input is one clear line and exit 2, never a
traceback."""
from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest

from tests.cli_support import config, run
from tests.conftest import AGENTS as CONFIGURED_AGENTS

AGENTS = cast(list[dict[str, Any]], CONFIGURED_AGENTS)


@pytest.fixture(autouse=True)
def _clean_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test in a folder of its own, with no desk settings from the environment."""
    monkeypatch.chdir(tmp_path)
    for name in ("INCIDENTDESK_CONFIG", "INCIDENTDESK_DATABASE_URL", "INCIDENTDESK_SECRET"):
        monkeypatch.delenv(name, raising=False)


def test_check_config_says_it_used_the_built_in_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check-config")
    assert code == 0
    assert "read no config file" in out and "built-in defaults" in out
    assert "no database at" in out and "run incidentdesk init" in out


def test_check_config_names_the_file_it_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = config(tmp_path, {"desk": {"name": "Desk Samarinda"}})
    code, out, _ = run(capsys, "--config", path, "check-config")
    assert code == 0 and f"read {tmp_path / 'incidentdesk.toml'}" in out


def test_check_config_names_the_file_even_when_it_is_wrong(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = config(tmp_path, {"desk": {"timezone": "Mars/Olympus"}})
    code, _, err = run(capsys, "--config", path, "check-config")
    assert code == 2 and f"read {tmp_path / 'incidentdesk.toml'}" in err and "Mars/Olympus" in err


def test_print_masks_the_password_inside_a_database_url(monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("INCIDENTDESK_DATABASE_URL", "postgresql+psycopg://desk:s3cr3t-pw@db.example/desk")
    code, out, _ = run(capsys, "check-config", "--print")
    assert code == 0
    assert "s3cr3t-pw" not in out
    assert "postgresql+psycopg://desk:***@db.example/desk" in out


@pytest.mark.parametrize("command", [["tickets"], ["show", "INC-000001"], ["poll"], ["send"], ["sla"],
                                     ["outbox"], ["quarantine"], ["digest"]])
def test_only_init_creates_a_database(tmp_path: Path, command: list[str],
                                      capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "no" / "such" / "dir" / "desk.db"
    path = config(tmp_path, {"database": {"url": f"sqlite:///{missing}"}})
    code, out, err = run(capsys, "--config", path, *command)
    assert code == 3
    assert err.strip() == f"no database at {missing}; run incidentdesk init"
    assert not (tmp_path / "no").exists()


def test_a_database_in_a_folder_that_cannot_exist_is_not_created(capsys: pytest.CaptureFixture[str]) -> None:
    path = config(Path.cwd(), {"database": {"url": "sqlite:////nonexistent/dir/x.db"}})
    code, _, err = run(capsys, "--config", path, "tickets")
    assert (code, err.strip()) == (3, "no database at /nonexistent/dir/x.db; run incidentdesk init")
    assert not Path("/nonexistent").exists()


def test_a_trusted_mail_server_is_enough_for_agents(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = config(tmp_path, {"auth": {"methods": ["dkim"], "authserv_id": "mx.posbalikpapan.example"}},
                  {"agents": AGENTS})
    assert run(capsys, "--config", path, "check-config")[0] == 0
    path = config(tmp_path, {"auth": {"methods": ["dkim"]}}, {"agents": AGENTS})
    code, _, err = run(capsys, "--config", path, "check-config")
    assert code == 2 and 'add "reply_token" to auth.methods' in err


AGENT = {"name": "Rina", "role": "service_desk", "level": 1}
BAD_CONFIGS: dict[str, tuple[dict[str, Any], dict[str, Any], str]] = {
    "agent address": ({}, {"agents": [{**AGENT, "addresses": ["rina at posbalikpapan"]}]},
                      "'rina at posbalikpapan' is not a mail address"),
    "agent address with a name": ({}, {"agents": [{**AGENT, "addresses": ["Rina <rina@pos.example>"]}]},
                                  "is not a mail address"),
    "addresses not a list": ({}, {"agents": [{**AGENT, "addresses": "rina@pos.example"}]},
                             "addresses must be a list"),
    "reporter address": ({}, {"reporters": [{"address": "budi@", "role": "employee"}]},
                         "'budi@' is not a mail address"),
    "reporter two addresses": ({}, {"reporters": [{"address": "a@pos.example, b@pos.example",
                                                   "role": "employee"}]}, "is not a mail address"),
    "agent language": ({}, {"agents": [{**AGENT, "addresses": ["rina@pos.example"], "language": "fr"}]},
                       "language 'fr' is not supported; use id or en"),
    "reporter language": ({}, {"reporters": [{"address": "budi@pos.example", "role": "employee",
                                              "language": "jv"}]}, "language 'jv' is not supported"),
    "desk language": ({"desk": {"language": "fr"}}, {}, "desk.language 'fr' is not supported"),
    "not a database url": ({"database": {"url": "var/incidentdesk.db"}}, {}, "is not a database URL"),
    "driver not installed": ({"database": {"url": "postgresql+asyncpg://db.example/desk"}}, {},
                             "needs the Python driver 'asyncpg', which is not installed"),
    "unsupported database": ({"database": {"url": "mysql://db.example/desk"}}, {}, "'mysql' is not supported"),
    "agents not a list": ({"agents": {"name": "Rina"}}, {}, "'agents' must be a list of tables"),
}


@pytest.mark.parametrize("name", sorted(BAD_CONFIGS))
def test_a_bad_directory_or_database_setting_is_one_clear_line(name: str, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    tables, arrays, expected = BAD_CONFIGS[name]
    path = config(tmp_path, tables, arrays)
    for command in (["check-config"], ["tickets"], ["init"]):
        code, _, err = run(capsys, "--config", path, *command)
        problems = [line for line in err.splitlines() if line.startswith("  - ")]
        assert code == 2 and "Traceback" not in err
        assert len(problems) == 1 and expected in problems[0], err
    assert not (tmp_path / "var").exists()


@pytest.mark.parametrize("argv, expected", [
    (["tickets", "--limit", "-1"], "argument --limit: '-1' is not a whole number, 0 (no limit) or more"),
    (["tickets", "--limit", "ten"], "argument --limit: 'ten' is not a whole number"),
    (["outbox", "--limit", "-1"], "argument --limit: '-1' is not a whole number, 0 (no limit) or more"),
    (["quarantine", "--limit", "-5"], "argument --limit: '-5' is not a whole number, 0 (no limit) or more"),
    (["--log-level", "LOUD", "tickets"], "unknown log level 'LOUD'; use DEBUG, INFO, WARNING, ERROR"),
    (["tickets", "--sort", "age"], "argument --sort: invalid choice: 'age'"),
])
def test_bad_arguments_are_one_line_and_exit_2(argv: list[str], expected: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and expected in err


def test_a_config_path_that_is_a_folder_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "conf.d").mkdir()
    for command in ("check-config", "tickets"):
        code, _, err = run(capsys, "--config", str(tmp_path / "conf.d"), command)
        assert code == 2 and "Traceback" not in err
        assert f"config file {tmp_path / 'conf.d'} is a folder" in err
