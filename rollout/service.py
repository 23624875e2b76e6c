"""Use cases of the rollout engine, as the CLI, the flows and the simulator call them (one unit of work each)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from errors import NotFound, PlanError
from hierarchy import Unit
from plans.compiled import CompiledPlan
from plans.compiler import compile_plan
from plans.document import load_plan, plan_diff, plan_fingerprint, plan_units
from plans.schema import Plan
from rollout.amend import AmendResult, amend_directive
from rollout.expand import periods as obligation_periods
from rollout.expand_sql import sample_hierarchy
from rollout.issue import IssueResult, issue_directive
from schedules import WorkingCalendar
from storage.units import load_subtrees, load_units

__all__ = ["IssueCount", "PreparedPlan", "amend_plan", "issue_counts", "issue_plan", "prepare_plan", "prepare_stored"]

# A plan is a file (the CLI, the flows) or its YAML text with a name to cite in problems (the dashboard).
PlanSource = Path | str


@dataclass(frozen=True)
class PreparedPlan:
    """A validated plan compiled against a hierarchy, ready to show (`plan check`) or to issue."""

    plan: Plan
    compiled: CompiledPlan
    hierarchy_source: str  # "cơ sở dữ liệu" or the plan's own hierarchy reference
    # Compiled against a sample of the stored hierarchy (rollout.expand_sql): its unit lists hold one unit of each
    # class its rules choose, not every unit; what was issued is in the database.
    sampled: bool = False

    @property
    def data(self) -> dict[str, Any]:
        return self.plan.model_dump(mode="json")


@dataclass(frozen=True)
class IssueCount:
    """How many obligations issuing creates for one obligation of the plan: periods per unit × units."""

    key: str
    periods: int
    units: int
    meaning: str | None  # how its deadline was understood

    @property
    def total(self) -> int:
        return self.periods * self.units


def issue_counts(compiled: CompiledPlan, calendar: WorkingCalendar) -> list[IssueCount]:
    """Per obligation, the periods and units issuing will create, counted by the function that issues them."""
    return [IssueCount(spec.key, len(obligation_periods(spec, compiled, calendar)), len(spec.unit_codes),
                       spec.due_meaning) for spec in compiled.obligations]


def _stored_units(session: Session, day: date, roots: list[str] | None = None) -> list[Unit]:
    units = load_units(session) if roots is None else load_subtrees(session, roots)
    return [u for u in units.values() if u.active_on(day)]


def _compile_stored(session: Session, plan: Plan, calendar: WorkingCalendar) -> CompiledPlan | None:
    """Compile against the stored units the plan can reach: the subtrees of its issuer and target roots, read by
    path range, so a province's plan costs a province, not the country. A plan that also names units outside
    them (a department of another body, say) is compiled again against the whole hierarchy. None when its
    issuer is not stored."""
    d = plan.directive
    scoped = _stored_units(session, d.issued_on, [d.issuer, *plan.targets.roots])
    if not any(u.code == d.issuer for u in scoped):
        return None
    try:
        return compile_plan(plan, scoped, calendar)
    except PlanError:
        return compile_plan(plan, _stored_units(session, d.issued_on), calendar)


def prepare_plan(path: Path, calendar: WorkingCalendar, session: Session | None = None) -> PreparedPlan:
    """Load and compile a plan: against the stored hierarchy when its issuer is stored, else against the
    hierarchy the plan file names (so that a plan can be checked before anything is imported)."""
    plan = load_plan(path)
    if session is not None:
        compiled = _compile_stored(session, plan, calendar)
        if compiled is not None:
            return PreparedPlan(plan, compiled, "cơ sở dữ liệu")
    units = plan_units(plan, path.parent)
    return PreparedPlan(plan, compile_plan(plan, units, calendar), f"hệ thống tổ chức của kế hoạch ({path.name})")


def prepare_stored(session: Session, source: PlanSource, calendar: WorkingCalendar, *,
                   name: str | None = None) -> PreparedPlan:
    """Load and compile a plan against the stored hierarchy only, as issuing does; NotFound when its issuer is not
    stored."""
    return _prepared_stored(session, load_plan(source, name=name), calendar)


def _prepared_stored(session: Session, plan: Plan, calendar: WorkingCalendar) -> PreparedPlan:
    compiled = _compile_stored(session, plan, calendar)
    if compiled is None:
        raise NotFound(
            f"Đơn vị ban hành “{plan.directive.issuer}” chưa có trong cơ sở dữ liệu: hãy nhập hệ thống tổ chức trước "
            "(`trienkhai hierarchy import TỆP` hoặc `trienkhai hierarchy generate …`)."
        )
    return PreparedPlan(plan, compiled, "cơ sở dữ liệu")


def issue_plan(
    session: Session, source: PlanSource, *, now: datetime, actor: str, calendar: WorkingCalendar,
    name: str | None = None,
) -> tuple[PreparedPlan, IssueResult]:
    """Issue a plan (a file, or YAML text named `name`) against the stored hierarchy; the issuer must already be
    imported. A plan that chooses its units by rule is compiled against a sample of the hierarchy and expanded in
    the database (`rollout.expand_sql`): the prepared plan returned is then `sampled`."""
    plan = load_plan(source, name=name)
    sample = sample_hierarchy(session, plan)
    if sample is None:
        prepared = _prepared_stored(session, plan, calendar)
    else:
        prepared = PreparedPlan(plan, compile_plan(plan, sample.units, calendar), "cơ sở dữ liệu", sampled=True)
    result = issue_directive(
        session, prepared.compiled, plan_data=prepared.data, fingerprint=plan_fingerprint(plan),
        now=now, actor=actor, calendar=calendar, diff=plan_diff, sample=sample,
    )
    return prepared, result


def amend_plan(session: Session, path: Path, *, now: datetime, actor: str, reason: str,
               calendar: WorkingCalendar) -> tuple[PreparedPlan, AmendResult]:
    """Apply a changed plan file to its issued directive, recording who, when and why."""
    prepared = prepare_stored(session, path, calendar)
    result = amend_directive(
        session, prepared.compiled, plan_data=prepared.data, fingerprint=plan_fingerprint(prepared.plan),
        now=now, actor=actor, reason=reason, calendar=calendar, diff=plan_diff,
    )
    return prepared, result
