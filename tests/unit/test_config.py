"""Bad configuration gives every problem as one clear sentence, and exit code 2."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from app.config import ConfigError, load, redacted
from tests.conftest import write_config


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load(path)
    return info.value.problems


def test_defaults_load_without_a_file() -> None:
    settings = load(None)
    assert settings.policy.ticket_prefix == "INC-"
    assert settings.desk.timezone.key == "Asia/Makassar"


def test_unknown_keys_are_named(tmp_path: Path) -> None:
    path = write_config(tmp_path / "c.toml", {"desk": {"nmae": "x"}, "databse": {"url": "x"}})
    assert problems_of(path) == ["unknown setting 'desk.nmae'", "unknown setting 'databse'"]


def test_unknown_key_in_an_agent_entry_is_named(tmp_path: Path) -> None:
    path = write_config(tmp_path / "c.toml", {}, {"agents": [
        {"name": "A", "addresses": ["a@x.example"], "role": "service_desk", "levle": 1}]})
    assert problems_of(path)[0].startswith("unknown setting 'levle' in [[agents]] #1")


def test_missing_sla_row_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[sla.P1]\nresponse_minutes = 10\nresolution_minutes = 60\n")
    found = problems_of(path)
    assert "priority P2 is used in the priority matrix but has no SLA row [sla.P2]" in found


def test_impossible_matrix_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[priority.matrix.high]\nhigh = "P5"\nmedium = "P2"\nlow = "P3"\n'
                    '[priority.matrix.medium]\nhigh = "P2"\nmedium = "P3"\nlow = "P4"\n'
                    '[priority.matrix.low]\nhigh = "P3"\nmedium = "P4"\nlow = "P5"\n')
    assert any("not ordered" in p for p in problems_of(path))


def test_partial_matrix_replaces_the_default_and_names_missing_cells(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[priority.matrix.high]\nhigh = "P1"\nmedium = "P2"\nlow = "P3"\n')
    assert "priority matrix has no cell for urgency 'medium' x impact 'high'" in problems_of(path)


def test_response_target_longer_than_resolution_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[sla.P1]\nresponse_minutes = 90\nresolution_minutes = 60\n"
                    + "".join(f"[sla.P{i}]\nresponse_minutes = 1\nresolution_minutes = 2\n" for i in range(2, 6)))
    assert problems_of(path) == ["sla.P1: response target is longer than resolution target"]


def test_bad_time_zone_and_agent_role(tmp_path: Path) -> None:
    path = write_config(tmp_path / "c.toml", {"desk": {"timezone": "Mars/Olympus"}},
                        {"agents": [{"name": "A", "addresses": ["a@x.example"], "role": "boss"}]})
    found = problems_of(path)
    assert any("not a known time zone" in p for p in found)
    assert any("role must be one of" in p for p in found)


def test_not_toml_is_one_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[desk\nname = ")
    assert problems_of(path)[0].startswith(f"{path}: not valid TOML")


def test_check_config_command_exits_2_with_the_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path / "c.toml", {"desk": {"nmae": "x"}})
    assert main(["--config", str(path), "check-config"]) == 2
    assert "unknown setting 'desk.nmae'" in capsys.readouterr().err


def test_secrets_come_from_the_environment_and_never_print(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("INCIDENTDESK_SMTP_PASSWORD", "hunter2-secret")
    settings = load(None)
    assert settings.outbound.smtp.password == "hunter2-secret"
    assert redacted(settings.raw)["outbound"]["smtp"]["password"] == "***"
    assert main(["check-config", "--print"]) == 0
    assert "hunter2-secret" not in capsys.readouterr().out


def test_the_shipped_production_example_passes_the_checks() -> None:
    example = Path(__file__).resolve().parents[2] / "deploy" / "incidentdesk.example.toml"
    settings = load(example)
    assert settings.source.kind == "imap" and settings.outbound.transport == "smtp"
    assert len(settings.directory) == 8


def test_close_roles_and_closed_reply_words_are_checked(tmp_path: Path) -> None:
    path = write_config(tmp_path / "c.toml", {"workflow": {"close_roles": ["service_desk", "janitor"]},
                                              "workflow.closed_reply": {"thanks": "terima kasih"}})
    found = problems_of(path)
    assert any("workflow.close_roles names 'janitor', not a role" in p for p in found)
    assert "workflow.closed_reply.thanks must be a list of words" in found


def test_imap_without_host_is_a_configuration_problem_at_load(tmp_path: Path) -> None:
    path = write_config(tmp_path / "c.toml", {"source": {"kind": "imap"}})
    assert "source.kind is imap: set source.imap.host and source.imap.username" in problems_of(path)
