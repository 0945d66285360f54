"""Alembic environment: runs on the connection handed in by models.db.upgrade, or on the URL."""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from models.base import Base
import models  # noqa: F401  (registers every table on Base.metadata)

config = context.config


def run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    with create_engine(config.get_main_option("sqlalchemy.url")).begin() as conn:
        run(conn)
