"""Alembic environment: runs on the connection handed over by storage.migrate, or on the configured URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import storage.models  # noqa: F401  (registers every table on the metadata)
from storage.base import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    from errors import StorageError
    from storage.db import make_engine

    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise StorageError("Alembic cần địa chỉ cơ sở dữ liệu (sqlalchemy.url) hoặc một kết nối có sẵn.")
    with make_engine(url).connect() as conn:
        _run(conn)
