"""Regenerate migration 0001 from the models. Only until the first release: after that,
schema changes are new revisions (`alembic revision --autogenerate`)."""
from __future__ import annotations

import tempfile
from pathlib import Path

from alembic import command

from models.db import MIGRATIONS, alembic_config

SEED = '''    op.bulk_insert(sa.table("counters", sa.column("name", sa.String), sa.column("value", sa.BigInteger)),
                   [{"name": "ticket", "value": 0}])
'''


def main() -> None:
    for old in (MIGRATIONS / "versions").glob("0001_*.py"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        command.revision(alembic_config(f"sqlite:///{tmp}/empty.db"), message="initial schema",
                         autogenerate=True, rev_id="0001")
    path = next((MIGRATIONS / "versions").glob("0001_*.py"))
    text = path.read_text()
    marker = "    # ### end Alembic commands ###\n"
    path.write_text(text.replace(marker, marker + SEED, 1))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
