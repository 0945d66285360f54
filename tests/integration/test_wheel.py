"""The desk as an operator installs it: the wheel built from this checkout, installed into a
virtualenv of its own and run from a folder that has nothing to do with the checkout. Before
it, an installed desk lacked app.commands, every template and the demo's samples, and none of
the tests noticed: they all ran from the checkout.

The new virtualenv gets the desk only from the wheel (`--no-deps`); its dependencies come
from this environment through a folder of links to our site-packages, minus the editable
install of the checkout, so nothing can be found in the checkout by accident (and the test
checks where each package was imported from)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import toml_value

REPO = Path(__file__).resolve().parents[2]
SAMPLE_REPORTS = sorted((REPO / "samples" / "reports").glob("*.eml"))
NOT_SOURCE = shutil.ignore_patterns(".venv", ".git", "var", "build", "dist", "*.egg-info", "__pycache__",
                                    ".pytest_cache")
DESK_TZ = ZoneInfo("Asia/Makassar")


def run(*command: str | Path, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """A command with none of our environment's pointers to the checkout or to a desk."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("INCIDENTDESK_")}
    done = subprocess.run([str(c) for c in command], cwd=cwd, env=env | {"PYTHONNOUSERSITE": "1"},
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{command}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


def build_wheel(work: Path) -> Path:
    """`pip wheel` from a copy of the checkout, so the build's own files never land in the
    shared tree."""
    source = work / "source"
    shutil.copytree(REPO, source, ignore=NOT_SOURCE)
    run(sys.executable, "-m", "pip", "wheel", source, "--no-deps", "-q", "-w", work / "dist", cwd=work)
    [wheel] = (work / "dist").glob("incidentdesk-*.whl")
    return wheel


def dependencies_without_the_checkout(work: Path) -> Path:
    """Links to everything in our site-packages except the editable install of the desk
    (its finder, its .pth and its metadata): the installed deps, and nothing of ours."""
    folder = work / "deps"
    folder.mkdir()
    ours = {Path(sysconfig.get_paths()[key]) for key in ("purelib", "platlib")}
    for site in ours:
        for entry in site.iterdir():
            name = entry.name
            if name.startswith(("__editable__", "incidentdesk")) or name.endswith(".pth"):
                continue
            if not (folder / name).exists():
                (folder / name).symlink_to(entry)
    return folder


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv holding the wheel, its deps visible through a .pth file."""
    work = tmp_path_factory.mktemp("wheel")
    wheel = build_wheel(work)
    names = zipfile.ZipFile(wheel).namelist()
    for expected in ("app/commands/__init__.py", "app/commands/demo.py", "app/defaults.toml",
                     "templates/id/ack.txt", "templates/en/ack.html", "templates/layout.html",
                     "samples/demo.toml", "models/migrations/env.py", "models/migrations/script.py.mako",
                     *(f"samples/reports/{p.name}" for p in SAMPLE_REPORTS)):
        assert expected in names, expected
    assert any(n.startswith("models/migrations/versions/0001_") for n in names)
    assert not [n for n in names if n.startswith(("tests/", "bench/")) or n.endswith(".pyc")]

    env_dir = work / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", env_dir, cwd=work)
    python = env_dir / "bin" / "python"
    run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q", wheel,
        cwd=work)
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=work)
                .stdout.strip())
    (site / "incidentdesk-test-deps.pth").write_text(f"{dependencies_without_the_checkout(work)}\n")
    return env_dir


def test_the_installed_desk_imports_nothing_from_the_checkout(venv: Path, tmp_path: Path) -> None:
    probe = ("import importlib.util, json, sys, app.cli, app.commands.demo, models.resources as r, "
             "outbound.render, sqlalchemy\n"
             "print(json.dumps({'modules': [m.__file__ for m in (app.cli, app.commands.demo, outbound.render)],"
             " 'data': [str(r.templates()), str(r.samples()), str(r.migrations())],"
             " 'sqlalchemy': sqlalchemy.__file__, 'path': sys.path,"
             " 'editable': importlib.util.find_spec('__editable___incidentdesk_0_1_0_finder') is not None}))")
    seen = json.loads(run(venv / "bin" / "python", "-c", probe, cwd=tmp_path).stdout)
    for path in seen["modules"] + seen["data"]:
        assert Path(path).is_relative_to(venv), path
    assert not [p for p in seen["path"] if p and Path(p).resolve().is_relative_to(REPO)]
    assert Path(seen["sqlalchemy"]).resolve().is_relative_to(Path(sysconfig.get_paths()["purelib"]).resolve())
    assert not seen["editable"]


def test_the_installed_desk_runs_the_demo_and_reports_from_an_unrelated_folder(
        venv: Path, tmp_path: Path, empty_db_url: str) -> None:
    site = tmp_path / "site"
    site.mkdir()
    demo_people = (REPO / "samples" / "demo.toml").read_text(encoding="utf-8")
    config = site / "incidentdesk.toml"
    config.write_text(f"[database]\nurl = {toml_value(empty_db_url)}\n\n{demo_people}", encoding="utf-8")
    desk: list[str | Path] = [venv / "bin" / "incidentdesk", "--config", config, "--log-level", "WARNING"]
    # relative paths (./var: the Maildir, the mail written) are the working directory's

    run(*desk, "init", cwd=site)
    demo = run(*desk, "demo", cwd=site).stdout
    assert f"loaded {len(SAMPLE_REPORTS)} sample reports" in demo

    tickets = json.loads(run(*desk, "tickets", "--json", cwd=site).stdout)
    assert [t["number"] for t in tickets] == [f"INC-{i:06d}" for i in range(1, len(SAMPLE_REPORTS) + 1)], demo
    first_due = datetime.fromisoformat(tickets[0]["response_due"])   # the desk's WITA, whatever the server's zone
    assert f"response {first_due:%d-%m %H:%M}" in demo, demo

    mails = json.loads(run(*desk, "outbox", "--json", "--limit", "0", cwd=site).stdout)
    acks = [m for m in mails if m["kind"] == "ack"]
    assert len(acks) == len(tickets) and {m["state"] for m in mails} == {"sent"}
    written = {p.name for p in (site / "var" / "outbox").glob("*.eml")}
    assert {f"{m['id']:08d}-ack.eml" for m in acks} <= written and len(written) == len(mails)

    today = datetime.now(DESK_TZ).date()
    report = run(*desk, "report", "--status", "all", "--from", (today - timedelta(days=1)).isoformat(),
                 "--to", today.isoformat(), cwd=site).stdout
    assert "<html" in report.lower() and "INC-000001" in report
