"""State columns hold only the values the engine knows, on SQLite and PostgreSQL: a misspelt status written by hand
(or by a bug) is refused by the database itself, and the upgrade that adds the rule keeps the data already there."""

from __future__ import annotations

import pytest
from sqlalchemy import CheckConstraint, Engine, inspect, select, text
from sqlalchemy.exc import IntegrityError, StatementError

import storage.models  # noqa: F401  (registers every table on the metadata)
from rollout.status import DirectiveState, OutboxStatus, PhaseState, Status
from storage import UnitOfWork, make_engine, upgrade
from storage.base import Base
from storage.models import DirectiveRow, ObligationRow
from storage.service_models import RunOutcome

AT = "'2017-03-22 02:00:00'"
# (table, column, a valid value, the wrong one), one of each state column.
WRONG = [
    ("obligations", "status", "overdue", "qua_han"),
    ("directives", "state", "held", "paused"),
    ("phases", "state", "open", "opened"),
    ("outbox", "status", "sent", "delivered"),
    ("service_runs", "outcome", "completed", "ok"),
]


def _fill(engine: Engine) -> None:
    """One row of each table with a state column, and rows that refer to them, written as SQL (any revision)."""
    with engine.begin() as c:
        c.execute(text("INSERT INTO units (id, code, name, kind, member_count, path, depth) "
                       "VALUES (1, 'TU-QT', 'Tỉnh ủy Quảng Trị', 'tinh_uy', 0, '000000001.', 0)"))
        c.execute(text("INSERT INTO directives (id, number, number_key, kind, title, issuer_id, root_id, issued_at, "
                       f"fingerprint, plan, state, created_at) VALUES (1, '47-KH/TU', '47-KH/TU', 'KH', 'Kế hoạch', "
                       f"1, 1, {AT}, 'x', '{{}}', 'active', {AT})"))
        c.execute(text("INSERT INTO phases (id, directive_id, seq, name, label, gate_approval, state) "
                       "VALUES (1, 1, 1, 'pilot', 'Chỉ đạo điểm', false, 'open')"))
        c.execute(text("INSERT INTO obligations (id, directive_id, unit_id, key, period, kind, level, status, "
                       "escalation_step) VALUES (1, 1, 1, 'bao-cao', 0, 'report', 0, 'overdue', 0)"))
        c.execute(text(f"INSERT INTO submissions (obligation_id, at, actor, action) VALUES (1, {AT}, 'vp', 'waive')"))
        c.execute(text(f"INSERT INTO events (directive_id, obligation_id, kind, at, dedup) "
                       f"VALUES (1, 1, 'overdue', {AT}, 'overdue:1')"))
        c.execute(text("INSERT INTO outbox (id, key, directive_id, unit_id, template, recipients, context, status, "
                       f"attempts, next_attempt_at, created_at) VALUES (1, 'don-doc:1', 1, 1, 'cong_van_don_doc', "
                       f"'{{}}', '{{}}', 'cancelled', 0, {AT}, {AT})"))
        c.execute(text("INSERT INTO service_runs (job, name, host, started_at, outcome) "
                       f"VALUES ('advance', 'dieu-phoi', 'may-chu', {AT}, 'failed')"))


def test_the_database_refuses_a_value_no_rule_knows(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        _fill(engine)
        for table, column, valid, wrong in WRONG:
            with engine.begin() as c:
                c.execute(text(f"UPDATE {table} SET {column} = :v"), {"v": valid})
            with pytest.raises(IntegrityError, match=f"ck_{table}_{column}|CHECK constraint failed"), \
                    engine.begin() as c:
                c.execute(text(f"UPDATE {table} SET {column} = :v"), {"v": wrong})
        # Through the models the wrong value does not even reach the database; a right one reads back as the enum.
        with UnitOfWork(engine) as uow:
            obligation = uow.session.get_one(ObligationRow, 1)
            obligation.status = "finished"
            with pytest.raises(StatementError, match="finished"):
                uow.session.flush()
        with UnitOfWork(engine) as uow:
            assert uow.session.scalar(select(ObligationRow.status)) is Status.OVERDUE
            assert uow.session.scalar(select(DirectiveRow.state)) is DirectiveState.HELD
    finally:
        engine.dispose()


def test_the_upgrade_keeps_rows_that_others_refer_to(db_url: str) -> None:
    # On SQLite the constraint is added by copying each table: the copy of a table other rows refer to (an
    # obligation with its submission, event and message) must not be refused, nor lose a row.
    engine = make_engine(db_url)
    try:
        upgrade(engine, "0011")
        _fill(engine)
        upgrade(engine)
        with engine.connect() as c:
            found = {table: c.execute(text(f"SELECT {column} FROM {table}")).scalar_one()
                     for table, column, _, _ in WRONG}
            assert c.execute(text("SELECT count(*) FROM submissions WHERE obligation_id = 1")).scalar_one() == 1
            if engine.dialect.name == "sqlite":
                assert c.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
        assert found == {"obligations": Status.OVERDUE, "directives": DirectiveState.ACTIVE,
                         "phases": PhaseState.OPEN, "outbox": OutboxStatus.CANCELLED,
                         "service_runs": RunOutcome.FAILED}
    finally:
        engine.dispose()


def test_the_migrated_checks_are_those_of_the_models(db_url: str) -> None:
    # Alembic's autogenerate comparison does not look at CHECK constraints: compare their names here.
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        inspector = inspect(engine)
        for table, column, _, _ in WRONG:
            migrated = {c["name"] for c in inspector.get_check_constraints(table)}
            declared = {c.name for c in Base.metadata.tables[table].constraints if isinstance(c, CheckConstraint)}
            assert declared == migrated == {f"ck_{table}_{column}"}
    finally:
        engine.dispose()
