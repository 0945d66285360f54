"""The corpus of odd and old mail the parser and the poll path are run over: CPython's own email
test data where the interpreter ships it, and our odd-mail corpus (tests/data/odd)."""
from __future__ import annotations

import os
from pathlib import Path

ODD = Path(__file__).resolve().parent / "data" / "odd"


def cpython_email_data() -> list[Path]:
    try:
        import test
    except ImportError:
        return []
    data = Path(os.path.dirname(test.__file__)) / "test_email" / "data"
    return sorted(data.glob("msg_*.txt"))


def corpus() -> list[Path]:
    return cpython_email_data() + sorted(ODD.glob("*.eml"))
