"""Corpus: every message of CPython's own email test data and of our odd-mail corpus goes
through parse and classify without an exception (and through the whole poll path:
tests/integration/test_corpus_poll.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from ingest.classify import classify
from ingest.parse import parse
from tests.corpus_support import ODD, corpus


def test_the_odd_corpus_is_all_there() -> None:
    """The corpus tests run once per file: if the files went missing (a moved folder, a
    packaging that drops tests/data) they would pass on nothing. CPython's own data is a bonus
    (Debian ships it apart, in libpython3-testsuite); our 25 odd messages must be there."""
    odd = sorted(ODD.glob("*.eml"))
    assert len(odd) >= 25, odd
    assert all(path.stat().st_size > 0 for path in odd)


@pytest.mark.parametrize("path", corpus(), ids=lambda p: p.name)
def test_parse_and_classify_never_raise(path: Path) -> None:
    mail = parse(path.read_bytes())
    verdict = classify(mail, desk_addresses=frozenset({"servicedesk@posbalikpapan.example"}))
    assert verdict.kind and isinstance(mail.text, str)
