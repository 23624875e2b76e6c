"""Storage: SQLAlchemy models, sessions, the unit of work, repositories and Alembic migrations."""

from __future__ import annotations

from sqlalchemy import Engine

from errors import StorageError
from storage.db import WRITE_LOCK, UnitOfWork, engine_for, make_engine, translate_errors
from storage.migrate import current_revision, head_revision, upgrade

__all__ = ["WRITE_LOCK", "UnitOfWork", "make_engine", "open_database", "translate_errors", "upgrade"]


def open_database(url: str) -> Engine:
    """The engine for `url`, ready to use: an embedded SQLite file is created and migrated on first use;
    a server database must be upgraded explicitly (`trienkhai db upgrade`), never behind the operator's back."""
    engine = engine_for(url)
    with translate_errors(url):
        current = current_revision(engine)
    if current == head_revision():
        return engine
    if engine.dialect.name == "sqlite":
        upgrade(engine)
        return engine
    raise StorageError(
        f"Cơ sở dữ liệu đang ở phiên bản {current or 'trống'}, cần {head_revision()}: hãy chạy `trienkhai db upgrade`."
    )
