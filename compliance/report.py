"""Build the consolidated compliance report of one directive for one week from the kept snapshots."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Label, Row, func, select
from sqlalchemy.orm import Session, aliased

from compliance.model import (
    ComplianceReport,
    Counts,
    DistrictLine,
    LevelTotals,
    OverdueUnit,
    PhaseWindow,
    UnitLine,
)
from compliance.snapshot import COUNT_COLUMNS
from errors import NotFound
from notifications.compose import issuer_form
from notifications.forms import kind_name, lower_units_phrase
from rollout.actions import find_directive
from rollout.rollup import rollup
from rollout.stored_plan import collecting_office, plan_of, summed_fields
from schedules import WorkingCalendar
from schedules.render import format_day, local_date
from storage.models import ComplianceSnapshotRow as Snap, DirectiveRow, PhaseRow, UnitRow
from storage.units import path_segment

__all__ = ["build_report", "snapshot_weeks"]


def snapshot_weeks(session: Session, directive_id: int) -> list[date]:
    """Weeks for which a snapshot of the directive is kept, oldest first."""
    return list(session.scalars(
        select(Snap.week).where(Snap.directive_id == directive_id).group_by(Snap.week).order_by(Snap.week)
    ))


def _sums(table: type[Snap]) -> list[Label[Any]]:
    return [func.sum(getattr(table, name)).label(name) for name in COUNT_COLUMNS]


def _counts(row: Snap | Row[Any]) -> Counts:
    return Counts(**{name: int(getattr(row, name) or 0) for name in COUNT_COLUMNS})


def _districts(session: Session, directive_id: int) -> dict[str, tuple[str, str]]:
    """The units the body reports on, by path: the level-1 units, or their parents when those are several (a
    directive to the whole country groups its thousands of communes by province)."""
    first = session.execute(
        select(UnitRow.path, UnitRow.parent_id).join(Snap, Snap.unit_id == UnitRow.id)
        .where(Snap.directive_id == directive_id, Snap.level == 1).group_by(UnitRow.path, UnitRow.parent_id)
    ).all()
    if len({row.parent_id for row in first}) > 1:
        # Paths are fixed-width segments: a parent's path is its child's without the last one.
        paths = {row.path[: -len(path_segment(0))] for row in first}
    else:
        paths = {row.path for row in first}
    return {row.path: (row.code, row.name) for row in session.execute(
        select(UnitRow.path, UnitRow.code, UnitRow.name).where(UnitRow.path.in_(list(paths))))}


def _district_rows(
    session: Session, directive_id: int, weeks: list[date], districts: dict[str, tuple[str, str]]
) -> Iterator[tuple[date, str, str, Row[Any]]]:
    """Each district's subtree added up per week, in one pass over the snapshots: a unit belongs to the
    district whose path is the prefix of its own, so grouping by that prefix is the subtree sum."""
    for length in sorted({len(p) for p in districts}):
        prefix = func.substr(UnitRow.path, 1, length).label("prefix")
        rows = session.execute(
            select(Snap.week, prefix, func.count().label("units"), *_sums(Snap))
            .join(UnitRow, UnitRow.id == Snap.unit_id)
            .where(Snap.directive_id == directive_id, Snap.week.in_(weeks))
            .group_by(Snap.week, prefix)
        )
        for row in rows:
            named = districts.get(row.prefix)
            if named is not None:
                yield row.week, *named, row


def _levels(session: Session, directive_id: int, week: date) -> list[LevelTotals]:
    rows = session.execute(
        select(Snap.level, func.count().label("units"), *_sums(Snap))
        .where(Snap.directive_id == directive_id, Snap.week == week).group_by(Snap.level).order_by(Snap.level)
    )
    return [LevelTotals(row.level, row.units, _counts(row)) for row in rows]


def _department(session: Session, directive: DirectiveRow) -> str | None:
    """The department that collects the reports (route_via of the plan's reports), e.g. Ban Tuyên giáo; only a
    department (ban) issues the report in its own name, never a unit that happens to be named there."""
    code = collecting_office(plan_of(directive))
    if code is None:
        return None
    return session.scalar(select(UnitRow.name).where(UnitRow.code == code, UnitRow.kind == "ban"))


def _phases(session: Session, directive_id: int) -> list[PhaseWindow]:
    windows = []
    query = select(PhaseRow).where(PhaseRow.directive_id == directive_id).order_by(PhaseRow.seq)
    for phase in session.scalars(query):
        start = phase.opened_at or phase.opens_at
        if start is None:
            continue
        end = phase.closed_at or (phase.due_at if phase.opened_at is None else None)
        windows.append(PhaseWindow(phase.name, phase.label, local_date(start), local_date(end) if end else None))
    return windows


def _district_finder(districts: dict[str, tuple[str, str]]) -> Callable[[str], str | None]:
    """The name of the district whose path is a prefix of a unit's path, found by one look-up per length."""
    lengths = sorted({len(p) for p in districts})
    names = {path: name for path, (_code, name) in districts.items()}

    def district_of(path: str) -> str | None:
        for length in lengths:
            name = names.get(path[:length])
            if name is not None:
                return name
        return None

    return district_of


def build_report(
    session: Session, number: str, week: date, *, calendar: WorkingCalendar | None = None
) -> ComplianceReport:
    """The report of `number` for the snapshot of `week`, compared with the latest earlier snapshot."""
    cal = calendar or WorkingCalendar.from_settings()
    directive = find_directive(session, number)
    weeks = snapshot_weeks(session, directive.id)
    if week not in weeks:
        kept = ", ".join(format_day(w) for w in weeks[-5:]) or "chưa có"
        raise NotFound(
            f"Chưa có số liệu tuần {format_day(week)} của văn bản {number}; các tuần đã chụp gần nhất: {kept} "
            "(chạy `trienkhai compliance run` để lấy số liệu)."
        )
    earlier = [w for w in weeks if w < week]
    previous = earlier[-1] if earlier else None
    as_of = session.scalar(
        select(func.max(Snap.taken_at)).where(Snap.directive_id == directive.id, Snap.week == week)
    )
    if as_of is None:  # cannot happen: the week is one of the kept snapshots
        raise NotFound(f"Chưa có số liệu tuần {format_day(week)} của văn bản {number}.")

    grouping = _districts(session, directive.id)
    per_week: dict[date, dict[str, tuple[str, int, Counts]]] = {}
    for week_of_row, code, name, row in _district_rows(session, directive.id, weeks, grouping):
        per_week.setdefault(week_of_row, {})[code] = (name, row.units, _counts(row))
    before = per_week.get(previous, {}) if previous else {}
    districts = [
        DistrictLine(code, name, units, counts, before[code][2] if code in before else None)
        for code, (name, units, counts) in sorted(per_week.get(week, {}).items())
    ]
    series: dict[str, list[tuple[date, float | None]]] = {}
    for w in weeks[: weeks.index(week) + 1]:
        for _code, (name, _units, counts) in sorted(per_week.get(w, {}).items()):
            series.setdefault(name, []).append((w, counts.completion))

    district_of = _district_finder(grouping)
    parent = aliased(UnitRow)
    # Columns, not the mapped snapshot rows: a national directive reads 300,000 of them.
    rows = session.execute(
        select(Snap.level, Snap.escalation_step, Snap.overdue_since, *(getattr(Snap, c) for c in COUNT_COLUMNS),
               UnitRow.code, UnitRow.name, UnitRow.path, parent.name.label("parent_name"))
        .join(UnitRow, UnitRow.id == Snap.unit_id)
        .outerjoin(parent, parent.id == UnitRow.parent_id)
        .where(Snap.directive_id == directive.id, Snap.week == week).order_by(Snap.level, UnitRow.path)
    ).all()
    units = [UnitLine(r.level, r.code, r.name, district_of(r.path), _counts(r), r.escalation_step) for r in rows]
    working_days = lru_cache(maxsize=None)(cal.working_days_between)
    today = local_date(as_of)
    overdue = [
        OverdueUnit(
            r.level, r.code, r.name, district_of(r.path), r.parent_name, r.overdue, r.escalation_step,
            local_date(r.overdue_since), working_days(local_date(r.overdue_since), today),
        )
        for r in rows if r.overdue and r.overdue_since is not None
    ]
    overdue.sort(key=lambda u: (u.level, -u.days_overdue, -u.escalation_step, u.code))
    levels = _levels(session, directive.id, week)
    totals = Counts(**{name: sum(getattr(lv.counts, name) for lv in levels) for name in COUNT_COLUMNS})
    data = plan_of(directive).directive
    issuer = session.get(UnitRow, directive.issuer_id)
    department = _department(session, directive)
    form = issuer_form(session, issuer) if issuer is not None else None
    kinds = session.scalars(select(UnitRow.kind).join(Snap, Snap.unit_id == UnitRow.id).where(
        Snap.directive_id == directive.id, Snap.week == week, Snap.level == 1).distinct()).all()
    signer = data.report_signer or (None if department else data.office_signer)
    report = ComplianceReport(
        number=directive.number, title=directive.title, issued_on=local_date(directive.issued_at),
        issuer_name=issuer.name if issuer else "", department_name=_department(session, directive),
        place=data.place or "", week=week, as_of=as_of, previous_week=previous, totals=totals,
        levels=levels, districts=districts, overdue=overdue, units=units, series=series,
        phases=_phases(session, directive.id), kind_name=kind_name(directive.kind),
    )
    if form is not None:
        report.family, report.header_above, report.header_name = form.family.key, form.header_above, form.header_name
        report.standing, report.standing_committee = form.standing, form.standing_committee
        report.lower_units = lower_units_phrase(kinds)
        if department:
            report.signer_form = form.family.form(signer.form) + " TRƯỞNG BAN" if signer and signer.form else ""
            report.signer_title = (signer.title if signer else "Trưởng ban").upper()
        else:
            signed_as = form.family.form(signer.form if signer and signer.form else "T/L")
            report.signer_form = f"{signed_as} {form.collective(signer.body if signer else None)}"
            report.signer_title = (signer.title if signer else "Chánh Văn phòng").upper()
        report.signer_name = signer.name if signer else ""
    report.report_to_above = list(data.recipients.bc)
    report.field_totals = _field_totals(session, directive, issuer.code if issuer else None)
    return report


def _field_totals(
    session: Session, directive: DirectiveRow, root: str | None
) -> list[tuple[str, list[tuple[str, float]]]]:
    """The numbers units reported, summed over the whole organisation per report (a consolidation counts once)."""
    if root is None:
        return []
    totals = []
    for o in plan_of(directive).obligations:
        numeric = summed_fields(o)
        if o.kind != "report" or not numeric:
            continue
        sums = rollup(session, directive.number, root, key=o.key).sums
        totals.append((o.title, [(f.label or f.name, sums.get(f.name, 0.0)) for f in numeric]))
    return totals
