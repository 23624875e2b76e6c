"""Declarative base: naming convention for constraints and the column types every table shares."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, Enum, MetaData, String, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so that Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An instant: only aware datetimes go in, stored in UTC, and they come out aware in UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: instants must carry a timezone")
        utc = value.astimezone(UTC)
        # SQLite has no timezone type: keep the UTC wall time only.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Materialised paths compare byte-wise on every backend (PostgreSQL's default collation would not).
PathString = String(400).with_variant(String(400, collation="C"), "postgresql")


def state_type(states: type[StrEnum], name: str, length: int = 16) -> Enum:
    """A state column: text holding one of the enum's values (read back as the enum), any other value refused on
    both sides, by SQLAlchemy before it is sent and by the database's CHECK constraint `ck_<table>_<name>`."""
    return Enum(states, name=name, length=length, native_enum=False, validate_strings=True, create_constraint=True,
                values_callable=lambda members: [m.value for m in members])


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


def table_of(model: type[Base]) -> Table:
    """The table a model is mapped to (the declarative `__table__` is typed as any FROM clause)."""
    return Base.metadata.tables[model.__tablename__]
