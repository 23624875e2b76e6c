"""Engines, sessions and the unit of work; the one place that knows how to reach the database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from errors import StorageError

__all__ = ["UnitOfWork", "engine_for", "make_engine"]


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    # WAL lets the dashboard read while the reconciler writes; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """Create an engine for `url`; a SQLite file gets WAL mode and its folder is created on first use."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One engine per URL per process."""
    return make_engine(url)


class UnitOfWork:
    """`with UnitOfWork(engine) as uow: …; uow.commit()` — leaving the block without commit rolls back."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._factory = sessionmaker(engine, expire_on_commit=False)

    def __enter__(self) -> UnitOfWork:
        self.session: Session = self._factory()
        return self

    def __exit__(self, *exc: object) -> None:
        self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        """Make everything done in this unit of work durable at once."""
        self.session.commit()


@contextmanager
def translate_errors(url: str) -> Iterator[None]:
    """Turn 'cannot connect' and 'no such table' into a message that says what to do."""
    try:
        yield
    except OperationalError as exc:
        text = str(exc.orig)
        if "no such table" in text or "does not exist" in text:
            raise StorageError(
                "Cơ sở dữ liệu chưa được khởi tạo hoặc chưa nâng cấp: hãy chạy `trienkhai db upgrade`."
            ) from exc
        raise StorageError(f"Không kết nối được cơ sở dữ liệu {make_url(url).render_as_string()}: {text}") from exc
