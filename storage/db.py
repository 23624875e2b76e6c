"""Engines, sessions and the unit of work; the one place that knows how to reach the database."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, CursorResult, Engine, Result, Table, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from errors import StorageError

__all__ = ["UnitOfWork", "WRITE_LOCK", "bulk_insert", "engine_for", "make_engine", "rowcount", "writer_turn"]

# Execution option: on SQLite, take the database's write lock when the transaction begins (BEGIN IMMEDIATE).
WRITE_LOCK = "trienkhai_write_lock"


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # The driver's own implicit BEGIN is turned off: `_sqlite_begin` emits it, so that a writer can ask for
    # BEGIN IMMEDIATE (a deferred transaction that later needs to write fails at once with "database is
    # locked" instead of waiting for busy_timeout).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets the dashboard read while the reconciler writes; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # REPLACE deletes the row it replaces without firing DELETE triggers unless triggers may recurse: with it,
    # the audit log's append-only trigger refuses `INSERT OR REPLACE` too.
    cursor.execute("PRAGMA recursive_triggers=ON")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    immediate = connection.get_execution_options().get(WRITE_LOCK)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


# A web worker runs up to 40 requests at once in its thread pool (Starlette's default), each holding one
# connection; a smaller pool makes the 16th request wait 30 s and fail under a province's load. Connections
# open only when used, so the CLI and the flows keep using one or two.
POOL_SIZE, POOL_OVERFLOW = 10, 30


def make_engine(url: str) -> Engine:
    """Create an engine for `url`; a SQLite file gets WAL mode and its folder is created on first use."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)


_TURNS: dict[str, tuple[threading.Lock, int]] = {}
_TURNS_LOCK = threading.Lock()


@contextmanager
def writer_turn(engine: Engine) -> Iterator[None]:
    """On a SQLite file, wait for this writer's turn in a queue shared by the threads of this process and by the
    other processes (an advisory lock on a file beside the database); elsewhere nothing. Why: a writer that waits
    inside SQLite polls its lock with sleeps of up to 100 ms, so under many concurrent writers some waited seconds
    while others went through; here each waits in the kernel and goes as soon as the lock is released."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    with _TURNS_LOCK:
        if database not in _TURNS:
            lock_file = os.open(f"{database}-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
            _TURNS[database] = (threading.Lock(), lock_file)
        in_process, lock_file = _TURNS[database]
    with in_process:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One engine per URL per process."""
    return make_engine(url)


class UnitOfWork:
    """`with UnitOfWork(engine) as uow: …; uow.commit()` — leaving the block without commit rolls back.

    `writer=True` is for read-then-write work that others may run at the same time (the reconciler, the
    dispatcher's claims): on SQLite its first transaction takes the write lock when it begins (later ones
    call `begin_writing`), so concurrent writers queue (up to busy_timeout) and each reads what the
    previous one committed.
    """

    def __init__(self, engine: Engine, *, writer: bool = False) -> None:
        self.engine = engine
        self.writer = writer
        self._factory = sessionmaker(engine, expire_on_commit=False)

    def __enter__(self) -> UnitOfWork:
        self.session: Session = self._factory()
        if self.writer:
            self.begin_writing()
        return self

    def begin_writing(self) -> None:
        """Start the session's next transaction holding the write lock (SQLite); PostgreSQL locks rows instead."""
        self.session.connection(execution_options={WRITE_LOCK: True})

    def __exit__(self, *exc: object) -> None:
        # close() rolls back whatever was not committed and detaches the loaded rows (still readable).
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


def bulk_insert(session: Session, table: Table, columns: Sequence[str], rows: Iterable[tuple[Any, ...]],
                skip_existing: str | None = None) -> int:
    """Insert many rows in one driver-level executemany, converting each distinct value of a typed column
    (an instant, a JSON document) once: close to the speed of plain sqlite3 for a million rows. With
    `skip_existing` (a unique column), a row whose value is already stored is left out, on both backends;
    the count returned is then the rows really inserted."""
    connection = session.connection()
    dialect = connection.dialect
    processors = [table.c[name].type._cached_bind_processor(dialect) for name in columns]
    typed: list[tuple[int, Callable[[Any], Any], dict[Any, Any]]] = [
        (i, process, {}) for i, process in enumerate(processors) if process is not None
    ]

    def convert(row: tuple[Any, ...]) -> tuple[Any, ...]:
        if not typed:
            return row
        out = list(row)
        for i, process, cache in typed:
            value = out[i]
            if value is None:
                continue
            if isinstance(value, (dict, list)):  # JSON documents are unhashable and rarely repeat
                out[i] = process(value)
                continue
            converted = cache.get(value)
            out[i] = converted if converted is not None else cache.setdefault(value, process(value))
        return tuple(out)

    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    preparer = dialect.identifier_preparer
    sql = (
        f"INSERT INTO {preparer.format_table(table)} ({', '.join(preparer.quote(c) for c in columns)}) "
        f"VALUES ({', '.join([marker] * len(columns))})"
    )
    if skip_existing:  # the same clause in SQLite (≥ 3.24) and PostgreSQL
        sql += f" ON CONFLICT ({preparer.quote(skip_existing)}) DO NOTHING"
    data = [convert(row) for row in rows]
    if not data:
        return 0
    result = connection.exec_driver_sql(sql, data)
    return result.rowcount if skip_existing else len(data)


def rowcount(result: Result[*tuple[Any, ...]]) -> int:
    """Rows an UPDATE or DELETE matched (the session returns a cursor result, typed as a plain one)."""
    return cast("CursorResult[*tuple[Any, ...]]", result).rowcount


def refresh_statistics(
session: Session, *tables: str) -> None:
    """Refresh the planner's statistics after a bulk write, so that subtree roll-ups start from the path
    index instead of scanning a whole directive (SQLite has no autovacuum to do it for us)."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA analysis_limit=1000")
    for table in tables:
        connection.exec_driver_sql(f"ANALYZE {table}")
