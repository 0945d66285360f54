"""Running the `incidentdesk` command in-process, as the operator-facing tests do: its exit code
and what it printed, argparse's exits included; a config file from tables and arrays."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from tests.conftest import write_config


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:   # argparse
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def config(tmp_path: Path, tables: dict[str, dict[str, Any]] | None = None,
           arrays: dict[str, list[dict[str, Any]]] | None = None) -> str:
    return str(write_config(tmp_path / "incidentdesk.toml", tables or {}, arrays))
