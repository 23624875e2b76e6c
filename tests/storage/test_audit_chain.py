"""The audit log as a hash chain, on real databases: what people do chains and verifies; a row changed, removed
or inserted behind the application's back is found and named; REPLACE and TRUNCATE are refused; concurrent
writers never fork the chain; a database migrated with rows already in its log gets them chained."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DatabaseError

from hierarchy.generate import small_quang_tri_2017
from rollout import actions
from rollout.reconcile import advance
from rollout.service import issue_plan
from schedules import WorkingCalendar
from storage import UnitOfWork, make_engine, upgrade
from storage.audit import GENESIS, append_audit, canonical, chain_hash, verify
from storage.models import AuditEntry
from storage.units import apply_hierarchy
from web.accounts import create_account

PLAN = Path(__file__).parents[2] / "examples" / "47-KH-TU.yaml"
NUMBER = "47-KH/TU"


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2017, month, day, hour - 7, tzinfo=UTC)


def run(engine: Engine, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    with UnitOfWork(engine) as uow:
        out = fn(uow.session, *args, **kwargs)
        uow.commit()
    return out


def real_actions(engine: Engine) -> int:
    """Import, issue, open the pilot, submit, waive, hold, resume, add an account; how many audit rows they wrote."""
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, small_quang_tri_2017(), now=at(3, 1), actor="cli:vp")
        prepared, _ = issue_plan(uow.session, PLAN, now=at(3, 22), actor="cli:vp", calendar=WorkingCalendar())
        uow.commit()
    run(engine, advance, at(4, 3))
    pilot = sorted(c.code for c in prepared.compiled.pilot)
    run(engine, actions.submit, NUMBER, pilot[0], "bao-cao-chi-dao-diem",
        data={"so_dien_dan": "1", "so_dang_vien_tham_du": "23"}, now=at(6, 14), actor="web:cb1")
    run(engine, actions.waive, NUMBER, pilot[1], "bao-cao-chi-dao-diem", reason="Chi bộ sáp nhập “Đông Hà”",
        now=at(6, 1), actor="cli:vp")
    run(engine, actions.set_state, NUMBER, "hold", reason="Chờ ý kiến Thường trực", now=at(6, 2), actor="cli:vp")
    run(engine, actions.set_state, NUMBER, "resume", reason="Đã có ý kiến", now=at(6, 5), actor="cli:vp")
    run(engine, create_account, "vanphong", "mật-khẩu-đủ-dài-2017", "admin", "TU-QT", now=at(6, 5), actor="cli:root")
    return 7


def drop_triggers(engine: Engine) -> None:
    """What someone holding the database file or a superuser account can do before rewriting the log."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            for name in ("audit_log_no_update", "audit_log_no_delete", "audit_log_no_replace"):
                conn.execute(text(f"DROP TRIGGER {name}"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_append_only ON audit_log"))
            conn.execute(text("DROP TRIGGER audit_log_no_truncate ON audit_log"))


def verdict(engine: Engine):  # type: ignore[no-untyped-def]
    with UnitOfWork(engine) as uow:
        return verify(uow.session)


def test_the_chain_over_real_actions_verifies_row_by_row(engine: Engine) -> None:
    written = real_actions(engine)
    result = verdict(engine)
    assert result.broken_id is None and result.count == written
    with UnitOfWork(engine) as uow:
        rows = uow.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [r.id for r in rows] == list(range(1, written + 1))
    assert [r.action for r in rows] == ["hierarchy.import", "directive.issue", "report.submit", "report.waive",
                                        "directive.hold", "directive.resume", "account.add"]
    # Each hash is SHA-256 of the previous hash and the row's columns as JSON with sorted keys.
    first = rows[0]
    assert first.chain_hash == chain_hash(GENESIS, {c: getattr(first, c) for c in
                                                    ("id", "at", "actor", "action", "subject", "reason", "details")})
    assert canonical({c: getattr(rows[3], c) for c in ("id", "at", "actor", "action", "subject", "reason",
                                                       "details")}).startswith('{"action":"report.waive","actor"')
    assert result.last_hash == rows[-1].chain_hash and result.last_id == written


@pytest.mark.parametrize("forgery", ["changed", "removed", "inserted"])
def test_a_row_rewritten_behind_the_application_is_named(engine: Engine, forgery: str) -> None:
    real_actions(engine)
    drop_triggers(engine)
    with engine.begin() as conn:
        if forgery == "changed":  # the waiver's reason made to read otherwise, its hash kept
            conn.execute(text("UPDATE audit_log SET reason = 'Đơn vị đã nộp' WHERE id = 4"))
        elif forgery == "removed":
            conn.execute(text("DELETE FROM audit_log WHERE id = 4"))
        else:  # a row added after the fact, with a made-up hash
            conn.execute(text(
                "INSERT INTO audit_log (id, at, actor, action, subject, reason, details, chain_hash) "
                "VALUES (8, '2017-06-06 02:00:00', 'cli:vp', 'report.waive', '47-KH/TU/X/bao-cao', 'giả', '{}', :h)"
            ), {"h": "0" * 64})
    result = verdict(engine)
    if forgery == "changed":
        assert (result.broken_id, result.count) == (4, 3)
        assert result.broken_at == at(6, 1) and "đã bị sửa" in (result.problem or "")
    elif forgery == "removed":
        assert (result.broken_id, result.count) == (5, 3)
        assert "thiếu bản ghi số 4" in (result.problem or "")
    else:
        assert (result.broken_id, result.count) == (8, 7)


def test_replace_and_truncate_are_refused_and_the_log_is_unchanged(engine: Engine, db_url: str) -> None:
    real_actions(engine)
    before = verdict(engine)
    row = ("1, '2017-03-01 02:00:00', 'x', 'hierarchy.import', 'giả', NULL, '{}', '" + "0" * 64 + "'")
    columns = "(id, at, actor, action, subject, reason, details, chain_hash)"
    if engine.dialect.name == "sqlite":
        statements = [f"REPLACE INTO audit_log {columns} VALUES ({row})",
                      f"INSERT OR REPLACE INTO audit_log {columns} VALUES ({row})",
                      "UPDATE OR REPLACE audit_log SET actor = 'x' WHERE id = 1"]
    else:
        statements = ["TRUNCATE audit_log", "TRUNCATE audit_log CASCADE",
                      f"INSERT INTO audit_log {columns} VALUES ({row}) ON CONFLICT (id) DO UPDATE SET actor = 'x'"]
    for statement in statements:
        with engine.connect() as conn, pytest.raises(DatabaseError, match="append-only"):
            conn.execute(text(statement))
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:  # REPLACE's implicit delete fires the DELETE trigger on our connections
            assert conn.exec_driver_sql("PRAGMA recursive_triggers").scalar() == 1
        # A connection that does not turn recursive_triggers on (the sqlite3 shell, say) is refused too.
        plain = sqlite3.connect(db_url.removeprefix("sqlite:///"))
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            plain.execute(f"INSERT OR REPLACE INTO audit_log {columns} VALUES ({row})")
        plain.close()
    after = verdict(engine)
    assert (after.count, after.last_hash, after.broken_id) == (before.count, before.last_hash, None)


def test_concurrent_writers_never_fork_the_chain(engine: Engine) -> None:
    per_writer, writers = 40, 4
    errors: list[BaseException] = []

    def write(name: str) -> None:
        try:
            for i in range(per_writer):
                with UnitOfWork(engine, writer=True) as uow:
                    append_audit(uow.session, AuditEntry(at=at(5, 1) + timedelta(seconds=i), actor=name,
                                                         action="test.write", subject=f"{name}/{i}", reason=None,
                                                         details={"i": i}))
                    uow.commit()
        except BaseException as exc:  # reported below; a thread's exception would otherwise vanish
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(f"w{n}",)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = verdict(engine)
    assert result.broken_id is None and result.count == per_writer * writers
    with UnitOfWork(engine) as uow:
        assert uow.session.scalar(select(func.count(func.distinct(AuditEntry.chain_hash)))) == per_writer * writers


def test_rows_already_in_the_log_are_chained_by_the_migration(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine, "0007")
        with engine.begin() as conn:
            for i in range(1, 6):
                conn.execute(text(
                    "INSERT INTO audit_log (at, actor, action, subject, reason, details) "
                    "VALUES (:at, 'cli:vp', 'report.submit', :subject, NULL, :details)"
                ), {"at": datetime(2017, 6, i, 2, 30, 15, 123456), "subject": f"47-KH/TU/CB{i}",
                    "details": '{"data": {"so_dien_dan": 1}, "status": "submitted"}'})
        upgrade(engine)
        with UnitOfWork(engine) as uow:
            append_audit(uow.session, AuditEntry(at=at(6, 10), actor="cli:vp", action="report.submit",
                                                 subject="47-KH/TU/CB6", reason=None, details={}))
            uow.commit()
        result = verdict(engine)
        assert result.broken_id is None and result.count == 6 and result.last_id == 6
        with UnitOfWork(engine) as uow:
            first = uow.session.get_one(AuditEntry, 1)
            assert first.at == datetime(2017, 6, 1, 2, 30, 15, 123456, tzinfo=UTC)
    finally:
        engine.dispose()


def test_two_writers_that_read_the_same_head_never_both_chain_onto_it(engine: Engine) -> None:
    def entry(subject: str) -> AuditEntry:
        return AuditEntry(at=at(5, 2), actor="web:a", action="test.write", subject=subject, reason=None, details={})

    with UnitOfWork(engine) as first, UnitOfWork(engine) as second:
        for work in (first, second):  # both started reading before either wrote (deferred transactions)
            work.session.scalar(select(func.count()).select_from(AuditEntry))
        append_audit(first.session, entry("a"))
        first.commit()
        if engine.dialect.name == "sqlite":  # serializable: the later writer cannot write on an old snapshot
            with pytest.raises(DatabaseError, match="locked"):
                append_audit(second.session, entry("b"))
        else:  # the advisory lock queues it, and it reads the head the first one committed
            append_audit(second.session, entry("b"))
            second.commit()
    result = verdict(engine)
    assert result.broken_id is None and result.count == (1 if engine.dialect.name == "sqlite" else 2)
