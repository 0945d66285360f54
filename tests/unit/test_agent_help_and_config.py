"""`incidentdesk help commands`, and the configuration agents' mail depends on: [auth], the
vocabulary commands may name, unique agent names."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from app.config import ConfigError, load
from tests.conftest import AGENTS, write_config
from workflow.command_grammar import help_text


def test_help_commands_prints_the_grammar_in_both_languages(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["help", "commands"]) == 0
    out = capsys.readouterr().out
    assert help_text("id") in out and help_text("en") in out
    assert out.index("Urgensi: tinggi") < out.index("Urgency: high")


@pytest.mark.parametrize("lang, present, absent", [("en", "Escalate: head", "Eskalasi"),
                                                   ("id", "Eskalasi: kepala soltek", "Escalate: head")])
def test_help_commands_in_one_language(capsys: pytest.CaptureFixture[str], lang: str, present: str,
                                       absent: str) -> None:
    assert main(["help", "commands", "--lang", lang]) == 0
    out = capsys.readouterr().out
    assert present in out and absent + ":" not in out


def test_help_in_an_unknown_language_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["help", "commands", "--lang", "fr"])
    assert exit_.value.code == 2


def settings_problems(tmp_path: Path, tables: dict[str, dict[str, Any]],
                      agents: list[dict[str, Any]] = AGENTS) -> list[str]:
    try:
        load(write_config(tmp_path / "c.toml", tables, {"agents": agents}))
    except ConfigError as exc:
        return exc.problems
    return []


def test_auth_settings_are_checked(tmp_path: Path) -> None:
    problems = settings_problems(tmp_path, {"auth": {"methods": ["reply_token", "password"],
                                                     "alignment": "loose", "authserv_id": "mx a; b"}})
    assert any("unknown method 'password'" in p for p in problems)
    assert any("auth.alignment 'loose'" in p for p in problems)
    assert any("auth.authserv_id" in p for p in problems)
    assert any("at least one" in p for p in settings_problems(tmp_path, {"auth": {"methods": []}}))


def test_agent_names_must_be_unique(tmp_path: Path) -> None:
    twins = AGENTS + [{"name": "rina service desk", "addresses": ["rina2@x.example"], "level": 1,
                       "role": "service_desk"}]
    assert any("used twice" in p for p in settings_problems(tmp_path, {}, twins))


def test_policy_carries_the_vocabulary_and_auth_of_the_configuration(tmp_path: Path) -> None:
    settings = load(write_config(tmp_path / "c.toml", {
        "desk": {"secret": "zz-secret-zz"}, "auth": {"methods": ["reply_token"]}}, {"agents": AGENTS}))
    policy = settings.policy
    assert policy.vocabulary.services["giropos"] == "pgm"
    assert policy.vocabulary.services["pos giro mobile"] == "pgm"
    assert policy.vocabulary.categories["hardware - server"] == "hardware/server"
    assert policy.vocabulary.max_level == 3
    assert policy.auth_methods == {"reply_token"} and policy.reply_secret == "zz-secret-zz"
    assert "zz-secret-zz" not in repr(policy)
