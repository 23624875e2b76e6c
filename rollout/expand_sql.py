"""Issuing in the database, for a plan that chooses its units by rule (kind, member count, level, exclusions).

Such a rule cannot tell apart two units of the same class: same level, same kind, same member count when a rule
counts members, and a unit the plan excludes by name is a class of its own. So the plan is compiled (by the one
compiler, `plans.compiler`) against a sample of the hierarchy: one unit of each class under the roots, the units
the plan names, and their ancestors. Each obligation the compiler gives to a class is then written for every unit
of that class by one `INSERT … SELECT` over the roots' path ranges: issuing costs the rows it writes, not the
units it would otherwise load. Plans with a pilot, quotas, categories or target codes are compiled against
every unit they reach (`rollout.expand`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    and_,
    cast,
    false,
    func,
    insert,
    literal,
    not_,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from hierarchy import Unit
from plans.compiled import CompiledPlan, ObligationSpec
from plans.schema import Plan
from rollout.expand import insert_obligations, periods
from schedules import WorkingCalendar
from storage.base import table_of
from storage.db import rowcount
from storage.models import ObligationRow, UnitRow
from storage.units import active_clause, load_with_ancestors, subtree_bounds

__all__ = ["Expanded", "Sample", "expand_in_database", "sample_hierarchy"]

# Beyond this many closed units inside the roots, leaving out their subtrees one by one is no longer a small
# query; such a plan is compiled against every unit instead.
_MAX_CLOSED = 100

_UNITS = table_of(UnitRow)
_OBLIGATIONS = table_of(ObligationRow)

# A class of units: (level, kind, member count or None, code of a unit excluded by name or None).
_Class = tuple[int, str, int | None, str | None]
# What a class owes: its class, then the obligation's key, period, kind, phase, opening and deadline.
_Owed = tuple[int, str, int | None, str | None, str, int, str, str | None, datetime | None, datetime | None]
# Rows of that derived table per statement: eleven parameters each stay under both databases' limits.
_OWED_PER_STATEMENT = 1000


@dataclass(frozen=True)
class _Roots:
    """Roots at the same depth and level: one level per depth holds for all their ranges."""

    ranges: tuple[tuple[str, str], ...]
    depth: int  # the roots' own depth in the stored hierarchy
    level: int  # the roots' level below the issuer


@dataclass(frozen=True)
class Sample:
    """The sample a plan is compiled against, and what the database needs to write each class in full."""

    units: list[Unit]
    roots: list[_Roots]
    day: date
    closed: tuple[tuple[str, str], ...]  # path ranges of units closed on the issue day, left out with their subtrees
    excluded: frozenset[str]  # codes the plan excludes by name
    by_members: bool  # whether a rule counts members
    by_code: frozenset[str]  # keys of the obligations given to units by code
    ids: dict[str, int]  # id of every sampled unit

    def alive(self) -> ColumnElement[bool]:
        """Units that exist on the issue day and are not under a unit closed by then."""
        return and_(active_clause(self.day), *(not_(_in_range(lo, hi)) for lo, hi in self.closed))


@dataclass(frozen=True)
class Expanded:
    """What the expansion wrote: obligation rows, units reached, and the level-1 units in code order."""

    obligations: int
    units: int
    first_level: list[int]


def _by_rule(plan: Plan) -> bool:
    filters = [plan.targets, *(o.units for o in plan.obligations if not o.units.codes)]
    return (plan.pilot is None and not plan.quotas and not plan.targets.codes
            and not any(f.categories for f in filters))


def sample_hierarchy(session: Session, plan: Plan) -> Sample | None:
    """The sample of the stored hierarchy to compile `plan` against, or None when the plan needs every unit it
    reaches (a pilot, quotas, categories, target codes, nested roots, many closed units, an issuer not stored)."""
    if not _by_rule(plan):
        return None
    d = plan.directive
    roots = list(plan.targets.roots) or [d.issuer]
    stored = {code: (path, depth) for code, path, depth in session.execute(
        select(UnitRow.code, UnitRow.path, UnitRow.depth).where(UnitRow.code.in_([d.issuer, *roots])))}
    if d.issuer not in stored or len(set(roots)) != len(roots) or any(r not in stored for r in roots):
        return None
    root_paths = [stored[r][0] for r in roots]
    if any(a != b and b.startswith(a) for a in root_paths for b in root_paths):
        return None
    issuer_path, issuer_depth = stored[d.issuer]
    grouped: dict[tuple[int, int], list[tuple[str, str]]] = defaultdict(list)
    for root in roots:
        path, depth = stored[root]
        level = depth - issuer_depth if path.startswith(issuer_path) else 0
        grouped[(depth, level)].append(subtree_bounds(path))
    groups = [_Roots(tuple(ranges), depth, level) for (depth, level), ranges in grouped.items()]
    closed_paths = [path for g in groups for path in session.scalars(
        select(UnitRow.path).select_from(_under(g)).where(not_(active_clause(d.issued_on))).limit(_MAX_CLOSED + 1))]
    if len(closed_paths) > _MAX_CLOSED:
        return None
    filters = [plan.targets, *(o.units for o in plan.obligations)]
    excluded = frozenset(code for f in filters for code in f.exclude)
    by_members = any(f.min_members is not None or f.max_members is not None for f in filters)
    by_code = frozenset(o.key for o in plan.obligations if o.units.codes)
    sample = Sample([], groups, d.issued_on, tuple(map(subtree_bounds, sorted(closed_paths))), excluded,
                    by_members, by_code, {})
    keys = [UnitRow.depth, UnitRow.kind, *([UnitRow.member_count] if by_members else [])]
    representatives = [unit_id for g in groups for unit_id in session.scalars(
        select(func.min(UnitRow.id)).select_from(_under(g))
        .where(sample.alive(), UnitRow.code.not_in(sorted(excluded))).group_by(*keys))]
    units = load_with_ancestors(session, representatives, _named(plan) | excluded)
    ids = dict(session.execute(select(UnitRow.code, UnitRow.id).where(UnitRow.code.in_(sorted(units)))).all())
    return replace(sample, units=list(units.values()), ids=ids)


def _named(plan: Plan) -> set[str]:
    d = plan.directive
    named = {d.issuer, *d.co_issuers, *plan.targets.roots, *(m.assignee for m in plan.milestones)}
    named |= {c for o in plan.obligations for c in (*o.units.codes, *([o.route_via] if o.route_via else []))}
    if plan.event is not None and plan.event.host is not None:
        named.add(plan.event.host)
    return named


def _in_range(lo: str, hi: str) -> ColumnElement[bool]:
    return and_(UnitRow.path >= lo, UnitRow.path < hi)


def _under(group: _Roots) -> FromClause:
    """The units joined to the path ranges of a group of roots: the database walks each range on the path index
    (an OR of ranges would collect and sort row ids first)."""
    arms = [select(literal(lo).label("lo"), literal(hi).label("hi")) for lo, hi in group.ranges]
    ranges = (union_all(*arms) if len(arms) > 1 else arms[0]).subquery("ranges")
    return ranges.join(_UNITS, and_(UnitRow.path >= ranges.c.lo, UnitRow.path < ranges.c.hi))


def expand_in_database(session: Session, directive_id: int, compiled: CompiledPlan, sample: Sample,
                       calendar: WorkingCalendar) -> Expanded:
    """Write every obligation of a plan compiled against `sample`: a rule-chosen obligation by one
    `INSERT … SELECT` per period and group of roots, one given by code (or a milestone) row by row."""
    levels = {t.code: t.level for t in compiled.targets}
    members = {u.code: u.member_count for u in sample.units}
    by_rule, by_code = _split(compiled, sample.by_code)

    def classes(codes: Iterable[str]) -> set[_Class]:
        return {(levels[c], compiled.unit_kinds[c].value, members[c] if sample.by_members else None,
                 c if c in sample.excluded else None) for c in codes}

    count = insert_obligations(session, directive_id, replace(compiled, obligations=by_code), sample.ids, levels,
                               calendar)
    owed: list[_Owed] = [
        (level, kind, members_, code, spec.key, period, spec.kind, spec.phase, opens, due_by_level.get(level))
        for spec in by_rule
        for period, (opens, due_by_level) in enumerate(periods(spec, compiled, calendar))
        for level, kind, members_, code in sorted(classes(spec.unit_codes), key=str)
    ]
    for group in sample.roots:
        for start in range(0, len(owed), _OWED_PER_STATEMENT):
            count += _insert_select(session, directive_id, sample, group, owed[start:start + _OWED_PER_STATEMENT])
    named = set(compiled.named_targets)
    targets = classes(t.code for t in compiled.targets if t.code not in named)
    units = len(named)
    first: list[tuple[str, int]] = [(c, sample.ids[c]) for c in named if levels[c] == 1]
    for group in sample.roots:
        where = _where(sample, group, targets)
        units += session.scalar(select(func.count()).select_from(_under(group)).where(where)) or 0
        if 1 in {cls[0] for cls in targets}:
            first += session.execute(select(UnitRow.code, UnitRow.id).select_from(_under(group)).where(
                where, UnitRow.depth == group.depth + 1 - group.level)).all()
    return Expanded(count, units, [unit_id for _, unit_id in sorted(first)])


def _split(compiled: CompiledPlan, keys: frozenset[str]) -> tuple[list[ObligationSpec], list[ObligationSpec]]:
    """Obligations given by rule, and those given to units by code: the obligations of `keys`, the peak
    obligations made from them (the same units) and the milestones."""
    named = {spec.unit_codes for spec in compiled.obligations if spec.key in keys}
    by_rule: list[ObligationSpec] = []
    by_code: list[ObligationSpec] = []
    for spec in compiled.obligations:
        (by_code if spec.kind == "milestone" or spec.unit_codes in named else by_rule).append(spec)
    return by_rule, by_code


def _where(sample: Sample, group: _Roots, chosen: set[_Class]) -> ColumnElement[bool]:
    """Units of `group` in the chosen classes, by depth, kind and member count; excluded units by code."""
    terms: dict[tuple[int, str], set[int | None]] = defaultdict(set)
    codes = sorted(code for *_, code in chosen if code is not None)
    for level, kind, count, code in chosen:
        if code is None:
            terms[(level, kind)].add(count)
    general = [
        and_(UnitRow.depth == group.depth + level - group.level, UnitRow.kind == kind,
             *([UnitRow.member_count.in_(sorted(c for c in counts if c is not None))] if sample.by_members else []))
        for (level, kind), counts in sorted(terms.items())
    ]
    clause = or_(false(), *general)
    if sample.excluded:
        clause = and_(clause, UnitRow.code.not_in(sorted(sample.excluded)))
    if codes:
        clause = or_(clause, UnitRow.code.in_(codes))
    return and_(sample.alive(), clause)


def _insert_select(session: Session, directive_id: int, sample: Sample, group: _Roots, owed: Sequence[_Owed]) -> int:
    """One INSERT … SELECT writing, for every unit of a group of roots, each (obligation, period) its class owes:
    the units joined to a derived table of what each class owes, one row per class, obligation and period."""
    types = _OBLIGATIONS.c
    postgres = session.connection().dialect.name == "postgresql"

    def value(v: object, type_: Any) -> ColumnElement[Any]:
        # Cast on PostgreSQL, which must know each parameter's type inside a SELECT list; not on SQLite,
        # where a cast to a date type would turn the stored text into a number.
        typed = literal(v, type_)
        return cast(typed, type_) if postgres else typed

    arms = [
        select(value(group.depth + level - group.level, UnitRow.depth.type).label("depth"),
               value(kind, UnitRow.kind.type).label("unit_kind"),
               value(members, UnitRow.member_count.type).label("members"), value(code, UnitRow.code.type).label("code"),
               value(key, types.key.type).label("key"), value(period, types.period.type).label("period"),
               value(kind_, types.kind.type).label("kind"), value(phase, types.phase.type).label("phase"),
               value(level, types.level.type).label("level"), value(opens, types.opens_at.type).label("opens_at"),
               value(due, types.due_at.type).label("due_at"))
        for level, kind, members, code, key, period, kind_, phase, opens, due in owed
    ]
    t = (union_all(*arms) if len(arms) > 1 else arms[0]).subquery("owed")
    match = [t.c.depth == UnitRow.depth, t.c.unit_kind == UnitRow.kind]
    if sample.by_members:
        match.append(t.c.members == UnitRow.member_count)
    if sample.excluded:  # a unit excluded by name is a class of its own, matched by its code
        match.append(or_(t.c.code == UnitRow.code,
                         and_(t.c.code.is_(None), UnitRow.code.not_in(sorted(sample.excluded)))))
    query = select(
        value(directive_id, types.directive_id.type), UnitRow.id, t.c.key, t.c.period, t.c.kind, t.c.phase,
        t.c.level, t.c.opens_at, t.c.due_at, value("pending", types.status.type), value(0, types.escalation_step.type),
    ).select_from(_under(group).join(t, and_(*match))).where(sample.alive())
    columns = ["directive_id", "unit_id", "key", "period", "kind", "phase", "level", "opens_at", "due_at", "status",
               "escalation_step"]
    statement = insert(_OBLIGATIONS).from_select(columns, query).execution_options(preserve_rowcount=True)
    return rowcount(session.execute(statement))
