"""Corpus: every message of CPython's own email test data and of our odd-mail corpus goes
through parse and classify without an exception, and through the whole poll path (Maildir,
database) to a recorded outcome: none is lost, none crashes the poll, none hits a bug."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from app.poll import poll
from app.runtime import Runtime
from app.wiring import make_source
from ingest.classify import classify
from ingest.maildir_source import deliver
from ingest.parse import parse
from models import InboundMessage

ODD = Path(__file__).resolve().parents[1] / "data" / "odd"
OUTCOMES = {"ticket", "event", "ignored", "bounce", "quarantined", "duplicate"}


def cpython_email_data() -> list[Path]:
    try:
        import test
    except ImportError:
        return []
    data = Path(os.path.dirname(test.__file__)) / "test_email" / "data"
    return sorted(data.glob("msg_*.txt"))


def corpus() -> list[Path]:
    return cpython_email_data() + sorted(ODD.glob("*.eml"))


def test_cpython_ships_its_email_test_data() -> None:
    if not cpython_email_data():
        pytest.skip("this interpreter ships no test/test_email/data (Debian splits it into "
                    "libpython3-testsuite); the odd corpus still runs")


@pytest.mark.parametrize("path", corpus(), ids=lambda p: p.name)
def test_parse_and_classify_never_raise(path: Path) -> None:
    mail = parse(path.read_bytes())
    verdict = classify(mail, desk_addresses=frozenset({"servicedesk@posbalikpapan.example"}))
    assert verdict.kind and isinstance(mail.text, str)


def test_every_corpus_message_ends_recorded_with_an_outcome(runtime: Runtime) -> None:
    files = corpus()
    maildir = runtime.settings.source.maildir
    for i, path in enumerate(files):
        deliver(maildir, path.read_bytes(), f"c{i:04d}.{path.stem}")
    result = poll(runtime, make_source(runtime.settings))
    assert result.seen == len(files)
    with runtime.sessions() as session:
        records = list(session.scalars(select(InboundMessage)))
    assert len(records) == len(files)
    assert {r.outcome for r in records} <= OUTCOMES
    bugs = [(r.source_key, r.reason) for r in records if r.reason.startswith("error:")]
    assert bugs == []
    assert not list((maildir / "new").iterdir()) and not list((maildir / "cur").iterdir())
