"""Corpus through the whole poll path (Maildir, database): every message of CPython's own email
test data and of our odd-mail corpus ends recorded with an outcome, none is lost, none crashes
the poll, none hits a bug (parse and classify alone: tests/unit/test_corpus.py)."""
from __future__ import annotations

from sqlalchemy import select

from app.poll import poll
from app.runtime import Runtime
from app.wiring import make_source
from ingest.maildir_source import deliver
from models import InboundMessage
from tests.corpus_support import corpus

OUTCOMES = {"ticket", "event", "ignored", "bounce", "quarantined", "duplicate"}


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
    # each outcome leaves what an operator needs: a ticket for mail that made or changed one,
    # a reason for every other (and the failing stage for quarantined mail)
    unticketed = [r.source_key for r in records if r.outcome in ("ticket", "event") and r.ticket_id is None]
    unexplained = [(r.source_key, r.outcome) for r in records if r.outcome not in ("ticket", "event") and not r.reason]
    unstaged = [r.source_key for r in records if r.outcome == "quarantined" and not r.stage]
    assert (unticketed, unexplained, unstaged) == ([], [], [])
    assert {r.outcome for r in records} >= {"ticket", "ignored", "quarantined"}  # the corpus reaches each path
    assert not list((maildir / "new").iterdir()) and not list((maildir / "cur").iterdir())
