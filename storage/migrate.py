"""Schema migrations with Alembic: `upgrade` brings any database to the current schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from errors import StorageError

__all__ = ["alembic_config", "current_revision", "head_revision", "upgrade"]


def alembic_config(url: str | None = None) -> Config:
    """Alembic configuration pointing at the migrations shipped inside the package."""
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    if url:
        cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Apply every migration not yet applied, in one transaction; a no-op on an up-to-date database."""
    cfg = alembic_config()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite alters a table by copying it and dropping the old one, which enforced foreign keys refuse
            # while other rows refer to it; SQLite's documented procedure turns them off (possible only outside a
            # transaction) and checks every reference once before the commit.
            _driver(connection).execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                cfg.attributes["connection"] = connection
                command.upgrade(cfg, revision)
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                    raise StorageError("Nâng cấp cơ sở dữ liệu để lại tham chiếu hỏng giữa các bảng; đã hoàn tác, "
                                       "dữ liệu giữ nguyên như trước khi nâng cấp.")
        finally:
            if sqlite:
                _driver(connection).execute("PRAGMA foreign_keys=ON")


def _driver(connection: Connection) -> Any:
    # The driver's own connection: a statement on it runs outside SQLAlchemy's transaction handling.
    return connection.connection.driver_connection


def current_revision(engine: Engine) -> str | None:
    """The revision(s) the database is at, comma-separated, or None when it was never migrated."""
    with engine.connect() as connection:
        heads = MigrationContext.configure(connection).get_current_heads()
    return ",".join(sorted(heads)) or None


def head_revision() -> str | None:
    """The newest revision(s) shipped with this version, comma-separated."""
    return ",".join(sorted(ScriptDirectory.from_config(alembic_config()).get_heads())) or None
