"""Alembic environment: runs on the connection handed in by models.db.upgrade, or on the URL."""
from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from models.base import Base
import models  # noqa: F401  (registers every table on Base.metadata)

config = context.config


def run(connection: Connection) -> None:
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
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("no connection handed in and no sqlalchemy.url in the Alembic config")
    with create_engine(url).begin() as conn:
        run(conn)
