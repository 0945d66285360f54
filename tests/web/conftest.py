"""The console under test: one real `incidentdesk web` process per test module (waitress on a
loopback port, found from its `web.listening` log line), on a database of the module's own
(SQLite, and PostgreSQL when INCIDENTDESK_TEST_DATABASE_URL is set), and Debian's chromium
driven by Playwright. Tickets come in through the real mail path (a Maildir and `poll`).

Missing chromium or Playwright skip with the reason, unless INCIDENTDESK_REQUIRE_SERVERS=1."""
from __future__ import annotations

import json
import mailbox
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import select

from app.config import Settings, load
from app.poll import poll
from app.runtime import Runtime, open_runtime, sync_reference_data
from app.wiring import make_source
from models import OutboxMessage, Ticket
from tests.conftest import AGENTS, BACKENDS, Clock, _postgres_database, write_config
from tests.servers.fixtures import server_unavailable

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
PASSWORD = "kata-sandi-yang-panjang"
RINA = "rina@posbalikpapan.example"      # English
DEWI = "dewi@posbalikpapan.example"      # Indonesian
AGUS = "agus@posbalikpapan.example"
WEB_AGENTS = [{**a, "language": "en"} if a["addresses"] == [RINA] else a for a in AGENTS] + [
    {"name": "Dewi Service Desk", "addresses": [DEWI], "level": 1, "role": "service_desk", "language": "id"}]
START_TIMEOUT = 60.0


@dataclass
class WebServer:
    """The running console: its URL, and every log line it wrote so far."""

    url: str
    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    def logged(self, event: str) -> list[dict[str, Any]]:
        found = []
        for line in list(self.lines):
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and entry.get("event") == event:
                found.append(entry)
        return found

    def wait_logged(self, event: str, patience: float = 60.0) -> list[dict[str, Any]]:
        """The server's log lines reach us through a reader thread: wait for the line to
        arrive (observed progress), not for a duration."""
        deadline = time.monotonic() + patience
        while not (found := self.logged(event)):
            assert time.monotonic() < deadline, f"the server never logged {event}"
            time.sleep(0.02)
        return found


@dataclass
class Console:
    """The module's desk: settings, an in-process runtime for the mail path and for looking
    at the database, the server, and a browser."""

    settings: Settings
    rt: Runtime
    server: WebServer
    browser: Any
    maildir: Path

    def mail(self, sender: str, subject: str, body: str, *, name: str = "",
             at: datetime | None = None, attachment: tuple[str, bytes] | None = None,
             reply_to: str | None = None) -> None:
        """A report (or a reply) arrives and is polled, through the real mail path."""
        msg = EmailMessage()
        msg["From"] = f"{name} <{sender}>" if name else sender
        msg["To"] = self.settings.desk.address
        msg["Subject"] = subject
        msg["Message-ID"] = make_msgid(domain="posbalikpapan.example")
        msg["Date"] = format_datetime(at or datetime.now(timezone.utc))
        if reply_to:
            msg["In-Reply-To"] = reply_to
        msg.set_content(body)
        if attachment:
            msg.add_attachment(attachment[1], maintype="application", subtype="octet-stream",
                               filename=attachment[0])
        mailbox.Maildir(self.maildir, create=True).add(msg)
        rt = self.rt
        if at is not None:   # the one mock: the clock the mail is handled at
            rt = open_runtime(self.settings, clock=Clock(at))
        try:
            poll(rt, make_source(self.settings))
        finally:
            if rt is not self.rt:
                rt.close()

    def ticket(self, subject: str) -> Ticket:
        with self.rt.readers() as session:
            found = session.scalar(select(Ticket).where(Ticket.subject == subject).order_by(Ticket.id.desc()))
            assert found is not None, subject
            return found

    def outbox(self, kind: str, recipient: str | None = None) -> list[OutboxMessage]:
        with self.rt.readers() as session:
            query = select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
            if recipient:
                query = query.where(OutboxMessage.recipient == recipient)
            return list(session.scalars(query))


def _playwright_or_skip() -> Any:
    if not CHROMIUM.is_file():
        server_unavailable(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        server_unavailable("the playwright package is not installed (pip install -e '.[test]')")
    return sync_playwright


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_playwright = _playwright_or_skip()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(scope="module", params=BACKENDS)
def module_db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("webdb") / "desk.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
    else:
        yield from _postgres_database(request.getfixturevalue("pg_template"))


def start_server(config: Path, cwd: Path) -> WebServer:
    """`incidentdesk web --port 0`; ready when it logs the port it listens on."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "--config", str(config), "--log-json", "web",
         "--host", "127.0.0.1", "--port", "0"],
        cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    ready: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line)
            if '"web.listening"' in line:
                ready.put(json.loads(line)["url"])
        ready.put(None)

    threading.Thread(target=read, daemon=True).start()
    try:
        url = ready.get(timeout=START_TIMEOUT)
    except queue.Empty:
        url = None
    if url is None:
        process.kill()
        raise RuntimeError("incidentdesk web did not start:\n" + "".join(lines))
    return WebServer(url=url, process=process, lines=lines)


def set_password(config: Path, cwd: Path, address: str, password: str = PASSWORD) -> None:
    """`incidentdesk passwd ADDRESS`, the password on stdin."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "app.cli", "--config", str(config), "passwd", address],
                          input=password + "\n", cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def console(module_db_url: str, tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[Console]:
    yield from open_console(module_db_url, tmp_path_factory.mktemp("console"), browser)


def open_console(db_url: str, home: Path, browser: Any, web: dict[str, Any] | None = None) -> Iterator[Console]:
    """A desk on `db_url` with its console running; `web`: more [web] settings (a test
    module's own console, e.g. with a base_url)."""
    tables = {"desk": {"secret": "web-test-secret"}, "database": {"url": db_url},
              "source": {"maildir": str(home / "maildir")},
              "outbound": {"outbox_dir": str(home / "outbox"), "acks_per_sender_per_hour": 1000},
              "web": {"page_size": 4, "idle_minutes": 30, **(web or {})}}
    config = write_config(home / "incidentdesk.toml", tables, {"agents": WEB_AGENTS})
    settings = load(config)
    rt = open_runtime(settings)
    sync_reference_data(rt)
    for address in (RINA, DEWI, AGUS):
        set_password(config, home, address)
    server = start_server(config, home)
    try:
        yield Console(settings=settings, rt=rt, server=server, browser=browser, maildir=home / "maildir")
    finally:
        server.process.terminate()
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.process.kill()
        rt.close()


def login(console: Console, address: str, password: str = PASSWORD, **context: Any) -> Any:
    """A fresh browser context logged in as `address`; returns its page."""
    ctx = console.browser.new_context(**context)
    page = ctx.new_page()
    page.goto(console.server.url + "/login")
    page.fill("#address", address)
    page.fill("#password", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(console.server.url + "/")
    return page


@pytest.fixture
def as_rina(console: Console) -> Iterator[Any]:
    page = login(console, RINA)
    yield page
    page.context.close()


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path



@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failing test shows what the server logged meanwhile (its stderr is a pipe)."""
    outcome = yield
    report = outcome.get_result()
    console = item.funcargs.get("console") if hasattr(item, "funcargs") else None
    if report.failed and isinstance(console, Console):
        report.sections.append(("incidentdesk web log", "".join(console.server.lines[-40:])))
