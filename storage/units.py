"""Hierarchy storage: apply an imported hierarchy as one difference, and answer subtree questions in SQL."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime

from sqlalchemy import ColumnElement, Row, and_, func, or_, select, update
from sqlalchemy.orm import Session

from errors import HierarchyError, NotFound
from hierarchy import Category, Contacts, Kind, Unit
from hierarchy.files import diff_units
from hierarchy.graph import validate
from storage.audit import append_audit
from storage.base import table_of
from storage.db import refresh_statistics
from storage.models import AuditEntry, HierarchyChange, UnitRow

__all__ = [
    "ImportResult",
    "apply_hierarchy",
    "counts_by_kind",
    "find_unit",
    "load_subtrees",
    "load_with_ancestors",
    "load_units",
    "subtree_bounds",
    "subtree_units",
]

PATH_DIGITS = 9


def path_segment(unit_id: int) -> str:
    """The piece of a materialised path that one unit adds: its id, zero-padded, then '.'."""
    return f"{unit_id:0{PATH_DIGITS}d}."


def subtree_bounds(path: str) -> tuple[str, str]:
    """Index range [lo, hi) that holds a unit and all its descendants ('/' sorts right after '.')."""
    return path, path[:-1] + "/"


def active_clause(day: date) -> ColumnElement[bool]:
    """Units that exist on `day` (valid_to is exclusive)."""
    return (UnitRow.valid_to.is_(None) | (UnitRow.valid_to > day)) & (
        UnitRow.valid_from.is_(None) | (UnitRow.valid_from <= day)
    )


# Enum lookups by value are slow in bulk (hundreds of thousands of rows); plain dicts are not.
_KINDS = {k.value: k for k in Kind}
_CATEGORIES: dict[str | None, Category | None] = {c.value: c for c in Category} | {None: None}


def row_to_unit(row: UnitRow | Row, parent_code: str | None) -> Unit:
    """The domain Unit of a stored row."""
    return Unit(
        code=row.code,
        name=row.name,
        kind=_KINDS[row.kind],
        parent_code=parent_code,
        category=_CATEGORIES[row.category],
        member_count=row.member_count,
        contacts=Contacts(email=row.email, phone=row.phone, webhook=row.webhook),
        route_via=row.route_via,
        led_by=row.led_by,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
    )


def _unit_columns(unit: Unit) -> dict[str, object]:
    return {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind.value,
        "category": unit.category.value if unit.category else None,
        "member_count": unit.member_count,
        "email": unit.contacts.email,
        "phone": unit.contacts.phone,
        "webhook": unit.contacts.webhook,
        "route_via": unit.route_via,
        "led_by": unit.led_by,
        "valid_from": unit.valid_from,
        "valid_to": unit.valid_to,
    }


def load_units(session: Session) -> dict[str, Unit]:
    """Every stored unit (closed ones too), keyed by code, in path order."""
    parent = UnitRow.__table__.alias("parent")
    # A Core query on the session's connection: no ORM identity map for hundreds of thousands of rows.
    rows = session.connection().execute(
        select(UnitRow.__table__, parent.c.code.label("parent_code"))
        .outerjoin(parent, parent.c.id == UnitRow.parent_id)
        .order_by(UnitRow.path)
    )
    return {row.code: row_to_unit(row, row.parent_code) for row in rows}


def load_subtrees(session: Session, codes: Sequence[str]) -> dict[str, Unit]:
    """The units of the subtrees of `codes` and their ancestors (closed ones too), keyed by code, in path order:
    what a plan addressed to those roots can reach, read by path range instead of the whole hierarchy."""
    paths = list(session.scalars(select(UnitRow.path).where(UnitRow.code.in_(list(codes)))))
    if not paths:
        return {}
    return _load_where(session, or_(UnitRow.id.in_(_path_ids(paths)),
                                    *(and_(UnitRow.path >= lo, UnitRow.path < hi)
                                      for lo, hi in map(subtree_bounds, paths))))


def load_with_ancestors(session: Session, ids: Collection[int], codes: Collection[str]) -> dict[str, Unit]:
    """The units of `ids` and `codes` (those that exist) and all their ancestors, keyed by code, in path order."""
    paths = list(session.scalars(select(UnitRow.path).where(UnitRow.code.in_(sorted(codes))))) if codes else []
    paths += session.scalars(select(UnitRow.path).where(UnitRow.id.in_(sorted(ids)))) if ids else []
    return _load_where(session, UnitRow.id.in_(sorted(_path_ids(paths)))) if paths else {}


def _path_ids(paths: Iterable[str]) -> set[int]:
    return {int(part) for path in paths for part in path.split(".")[:-1] if part}


def _load_where(session: Session, reach: ColumnElement[bool]) -> dict[str, Unit]:
    parent = UnitRow.__table__.alias("parent")
    rows = session.connection().execute(
        select(UnitRow.__table__, parent.c.code.label("parent_code"))
        .outerjoin(parent, parent.c.id == UnitRow.parent_id).where(reach).order_by(UnitRow.path)
    )
    return {row.code: row_to_unit(row, row.parent_code) for row in rows}


def find_unit(session: Session, code: str) -> UnitRow:
    """The stored row of `code`, or NotFound with a message a clerk understands."""
    row = session.scalar(select(UnitRow).where(UnitRow.code == code))
    if row is None:
        raise NotFound(f"Không có đơn vị mã “{code}” trong cơ sở dữ liệu.")
    return row


def subtree_units(session: Session, code: str, *, kinds: Sequence[str] = (), day: date | None = None) -> list[UnitRow]:
    """Units of the subtree of `code` (itself included), optionally of some kinds, in path order."""
    lo, hi = subtree_bounds(find_unit(session, code).path)
    query = select(UnitRow).where(UnitRow.path >= lo, UnitRow.path < hi)
    if kinds:
        query = query.where(UnitRow.kind.in_(kinds))
    if day is not None:
        query = query.where(active_clause(day))
    return list(session.scalars(query.order_by(UnitRow.path)))


def counts_by_kind(session: Session, code: str | None = None, *, day: date | None = None) -> dict[str, tuple[int, int]]:
    """Units and members per kind in the subtree of `code` (or everywhere), counted by the database."""
    query = select(UnitRow.kind, func.count(), func.coalesce(func.sum(UnitRow.member_count), 0)).group_by(UnitRow.kind)
    if code is not None:
        lo, hi = subtree_bounds(find_unit(session, code).path)
        query = query.where(UnitRow.path >= lo, UnitRow.path < hi)
    if day is not None:
        query = query.where(active_clause(day))
    return {kind: (count, members) for kind, count, members in session.execute(query)}


@dataclass
class ImportResult:
    """What an import changed; all empty when the file matched the database."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)  # changed units now under another parent
    batch: str | None = None

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.changed or self.closed)


def apply_hierarchy(
    session: Session,
    units: Sequence[Unit],
    *,
    now: datetime,
    actor: str,
    source: str | None = None,
    lines: Mapping[str, int] | None = None,
    existing: Mapping[str, Unit] | None = None,
) -> ImportResult:
    """Apply a hierarchy file as one difference: add, change, close; all-or-nothing, recorded in the log.

    A file describes whole subtrees under its top units: a stored unit under one of them that the file
    no longer lists is closed (valid_to = the import day), never deleted, so old plans keep their history.
    """
    existing = load_units(session) if existing is None else existing
    problems = validate(units, existing=existing, source=source, lines=lines)
    if problems:
        raise HierarchyError(problems, title=f"Tệp {source or 'phân cấp'} có lỗi, không ghi gì vào cơ sở dữ liệu")
    day = now.date()
    in_file = {u.code for u in units}
    tops = [u for u in units if u.parent_code not in in_file and u.code in existing]
    missing = _codes_under(session, tops, day) - in_file
    diff = diff_units({c: u for c, u in existing.items() if c in in_file}, units)
    result = ImportResult(
        added=[u.code for u in diff.added],
        changed=[new.code for _old, new, _fields in diff.changed],
        closed=sorted(missing),
    )
    if result.unchanged:
        return result
    result.batch = uuid.uuid4().hex
    _insert_added(session, diff.added)
    for old, new, changed_fields in diff.changed:
        _apply_change(session, old, new)
        if old.parent_code != new.parent_code:
            result.moved.append(new.code)
        changes: dict[str, object] = {f: [_plain(getattr(old, f)), _plain(getattr(new, f))] for f in changed_fields}
        _record(session, result.batch, now, new.code, "changed", changes)
    if missing:
        session.execute(update(UnitRow).where(UnitRow.code.in_(missing)).values(valid_to=day))
        for code in result.closed:
            _record(session, result.batch, now, code, "closed", {"valid_to": day.isoformat()})
    if result.added:
        session.execute(
            table_of(HierarchyChange).insert(),
            [{"batch": result.batch, "at": now, "code": c, "action": "added", "changes": {}} for c in result.added],
        )
    append_audit(
        session,
        AuditEntry(
            at=now,
            actor=actor,
            action="hierarchy.import",
            subject=source or "hierarchy",
            reason=None,
            details={
                "batch": result.batch,
                "added": len(result.added),
                "changed": len(result.changed),
                "closed": len(result.closed),
            },
        )
    )
    session.flush()
    refresh_statistics(session, "units")
    return result


def _plain(value: object) -> object:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Contacts):
        return {f.name: getattr(value, f.name) for f in fields(value)}
    return value


def _record(session: Session, batch: str, now: datetime, code: str, action: str, changes: dict[str, object]) -> None:
    session.add(HierarchyChange(batch=batch, at=now, code=code, action=action, changes=changes))


def _codes_under(session: Session, tops: Iterable[Unit], day: date) -> set[str]:
    codes: set[str] = set()
    for top in tops:
        lo, hi = subtree_bounds(session.scalar(select(UnitRow.path).where(UnitRow.code == top.code)) or "")
        codes.update(
            session.scalars(select(UnitRow.code).where(UnitRow.path >= lo, UnitRow.path < hi, active_clause(day)))
        )
    return codes


def _insert_added(session: Session, added: Sequence[Unit]) -> None:
    """Insert new units parent-first with ids and paths computed here, in one executemany."""
    if not added:
        return
    next_id = (session.scalar(select(func.max(UnitRow.id))) or 0) + 1
    known: dict[str, tuple[int, str, int]] = {}  # code -> (id, path, depth)
    new_codes = {u.code for u in added}
    outside = {u.parent_code for u in added if u.parent_code and u.parent_code not in new_codes}
    if outside:
        for code, uid, path, depth in session.execute(
            select(UnitRow.code, UnitRow.id, UnitRow.path, UnitRow.depth).where(UnitRow.code.in_(outside))
        ):
            known[code] = (uid, path, depth)
    rows = []
    for unit in _parents_first(added):
        parent = known.get(unit.parent_code) if unit.parent_code else None
        path = (parent[1] if parent else "") + path_segment(next_id)
        depth = parent[2] + 1 if parent else 0
        known[unit.code] = (next_id, path, depth)
        parent_id = parent[0] if parent else None
        rows.append({**_unit_columns(unit), "id": next_id, "parent_id": parent_id, "path": path, "depth": depth})
        next_id += 1
    session.execute(table_of(UnitRow).insert(), rows)


def _parents_first(units: Sequence[Unit]) -> list[Unit]:
    """Order units so that every parent in the batch comes before its children (validation excluded cycles)."""
    by_code = {u.code: u for u in units}
    placed: set[str] = set()
    ordered: list[Unit] = []
    for unit in units:
        chain = []
        current: Unit | None = unit
        while current is not None and current.code not in placed:
            chain.append(current)
            current = by_code.get(current.parent_code) if current.parent_code else None
        for item in reversed(chain):
            placed.add(item.code)
            ordered.append(item)
    return ordered


def _apply_change(session: Session, old: Unit, new: Unit) -> None:
    """Update one unit; moving it to another parent rewrites the paths of its whole subtree."""
    row = find_unit(session, new.code)
    for key, value in _unit_columns(new).items():
        setattr(row, key, value)
    if old.parent_code != new.parent_code:
        parent = find_unit(session, new.parent_code) if new.parent_code else None
        old_path = row.path
        new_path = (parent.path if parent else "") + path_segment(row.id)
        shift = (parent.depth + 1 if parent else 0) - row.depth
        lo, hi = subtree_bounds(old_path)
        session.execute(
            update(UnitRow)
            .where(UnitRow.path >= lo, UnitRow.path < hi)
            .values(path=new_path + func.substr(UnitRow.path, len(old_path) + 1), depth=UnitRow.depth + shift)
        )
        row.parent_id = parent.id if parent else None
    session.flush()
