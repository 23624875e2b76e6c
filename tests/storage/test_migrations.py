"""The migrations build exactly the schema the models declare, on SQLite and PostgreSQL.

An empty database is migrated to head, then Alembic's autogenerate comparison (the one `alembic revision
--autogenerate` uses, types compared too) is run between it and the models: it must find nothing to do.
"""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Connection, Integer, MetaData, String

import storage.models  # noqa: F401  (registers every table on the metadata)
from storage import make_engine, upgrade
from storage.base import Base
from storage.migrate import current_revision, head_revision


def _compare(connection: Connection, metadata: MetaData) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


def test_the_migrated_schema_is_the_schema_of_the_models(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        with engine.connect() as connection:
            assert _compare(connection, Base.metadata) == []
            # The comparison does see a difference when there is one: a column too many, a type changed.
            changed = MetaData(naming_convention=Base.metadata.naming_convention)
            for table in Base.metadata.tables.values():
                table.to_metadata(changed)
            changed.tables["units"].append_column(Column("extra", Integer))
            changed.tables["units"].c.name.type = String(10)
            found = _compare(connection, changed)
    finally:
        engine.dispose()
    assert ("add_column", None, "units") in [diff[:3] for diff in found if isinstance(diff, tuple)]
    assert any(isinstance(diff, list) and diff[0][0] == "modify_type" for diff in found), found


def test_directives_issued_twice_under_two_spellings_keep_distinct_keys_after_the_upgrade(db_url: str) -> None:
    # Before numbers were compared by key, "47-KH/TU" and "047-KH/TU " were two rollouts: the upgrade must not fail
    # on them; the first keeps the key (and is what the number finds), the copy is marked with its id.
    from sqlalchemy import text

    from rollout.actions import find_directive
    from storage import UnitOfWork

    engine = make_engine(db_url)
    try:
        upgrade(engine, "0007")
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO units (id, code, name, kind, member_count, path, depth) "
                                    "VALUES (1, 'TU-QT', 'Tỉnh ủy Quảng Trị', 'tinh_uy', 0, '0000001.', 0)"))
            for number in ("47-KH/TU", "047-KH/TU ", "05-CT/TU"):
                connection.execute(text(
                    "INSERT INTO directives (number, kind, title, issuer_id, root_id, issued_at, fingerprint, plan, "
                    "state, created_at) VALUES (:n, 'KH', 'Kế hoạch', 1, 1, '2017-03-22 02:00:00', 'x', '{}', "
                    "'active', '2017-03-22 02:00:00')"), {"n": number})
        upgrade(engine)
        with engine.connect() as connection:
            keys = connection.execute(text("SELECT number, number_key FROM directives ORDER BY id")).all()
        assert [tuple(k) for k in keys] == [("47-KH/TU", "47-KH/TU"), ("047-KH/TU ", "47-KH/TU#2"),
                                           ("05-CT/TU", "5-CT/TU")]
        with UnitOfWork(engine) as uow:
            assert find_directive(uow.session, "047-KH/TU").number == "47-KH/TU"
            assert find_directive(uow.session, "5-CT/TU").number == "05-CT/TU"
    finally:
        engine.dispose()
