"""Hostile input: a few hundred generated malformed messages (broken MIME, bad base64,
invalid charsets, 5,000 nested parts, header injection, NUL bytes, a 30 MB attachment,
path-traversal attachment names, HTML with scripts) through `incidentdesk poll` and `send`.
No crash, each message recorded with an outcome, nothing written outside the data folder,
no script or header injection reaches a mail the desk sends."""
from __future__ import annotations

import email
import os
import subprocess
import sys
from email import policy
from pathlib import Path
from typing import Callable

from sqlalchemy import func, select

from app.config import Settings
from app.runtime import open_runtime
from ingest.maildir_source import deliver
from models import InboundMessage
from tests.faults.conftest import repo_root
from tests.faults.hostile import generate

OUTCOMES = {"ticket", "event", "ignored", "quarantined", "duplicate"}
PLANTED = {"passwd", "shadow", "evil.bat", "evil.dll", "pwned", "evil.txt", "con.txt"}


def snapshot(*roots: Path) -> set[Path]:
    """Every path under the roots (the data folder excluded by the caller)."""
    found: set[Path] = set()
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d not in {".git", ".venv", "__pycache__", ".pytest_cache"}]
            found.update(Path(folder) / name for name in files)
    return found


def run(config: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "app.cli", "--config", str(config), "--log-json", *args],
                          cwd=cwd, capture_output=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(repo_root())})


def test_hostile_mail_is_recorded_contained_and_never_echoed_unescaped(
        make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    data = tmp_path / "data"
    settings = make_settings({"source": {"maildir": str(data / "maildir")},
                              "outbound": {"outbox_dir": str(data / "outbox")}})
    config = tmp_path / "incidentdesk.toml"
    messages = list(generate(300))
    for i, (kind, raw) in enumerate(messages):
        deliver(data / "maildir", raw, f"hostile.{i:04d}.{kind}")
    work = tmp_path / "cwd"
    work.mkdir()
    before = snapshot(tmp_path, repo_root()) - snapshot(data)

    polled = run(config, work, "poll", "--once")
    assert polled.returncode == 0, polled.stderr[-3000:]
    sent = run(config, work, "send")
    assert sent.returncode == 0, sent.stderr[-3000:]

    new_files = snapshot(tmp_path, repo_root()) - snapshot(data) - before
    assert {p for p in new_files if not p.name.startswith("desk.db")} == set()  # SQLite's own -wal/-shm only
    assert not [p for p in snapshot(tmp_path, repo_root()) if p.name in PLANTED]
    rt = open_runtime(settings)
    try:
        with rt.sessions() as session:
            outcomes = dict(session.execute(select(InboundMessage.outcome, func.count())
                                            .group_by(InboundMessage.outcome)).all())
    finally:
        rt.close()
    assert sum(outcomes.values()) == len(messages) and set(outcomes) <= OUTCOMES, outcomes
    assert not list((data / "maildir" / "new").iterdir())
    assert_sent_mail_is_clean(data / "outbox")


def assert_sent_mail_is_clean(outbox: Path) -> None:
    files = list(outbox.glob("*.eml"))
    assert files, "the hostile reports that became tickets were acknowledged"
    for path in files:
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        assert msg["Bcc"] is None and len(msg.get_all("To") or []) == 1
        html = msg.get_body(("html",))
        if html is not None:
            content = html.get_content().lower()
            assert "<script" not in content and "onerror=" not in content and "javascript:" not in content
