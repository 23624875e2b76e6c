"""Compile a plan against a hierarchy: which units, which phases, which obligations with which deadlines.

Pure and deterministic: the same plan, units and calendar give the same CompiledPlan; nothing reads the clock.
Deadlines are computed per level, not per unit (300,000 units stay cheap):
- a dated report ("trước ngày 30/6/2017") is due at that instant for the highest level among its units;
  each lower level is due `lead_days` working days earlier (schedules.cascade; the plan's last lead value is
  repeated for deeper levels), so that a unit can consolidate its lower units' reports in time; a dated
  activity or plan is due at the same instant on every level (nothing is consolidated);
- "within N working days" (xây dựng kế hoạch) runs forward: the highest level has N working days from the
  issue day (or from its phase's opening), each lower level N more after the level above, since it can only
  write its plan once it has received the plan above it.
Obligations of the pilot phase apply only to pilot units; pilot-phase reports also to their ancestors
inside the targets, which consolidate them. Milestones also appear as obligations of kind "milestone".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from errors import DeadlineError, PlanError, Problem
from hierarchy.model import Kind, Unit
from plans.campaign import campaign_bound, first_in_campaign, peak_obligations, start_day, window_warnings
from plans.compiled import (
    CompiledPlan,
    DirectiveSpec,
    EventSpec,
    FieldSpec,
    ObligationSpec,
    ParentSpec,
    PhaseSpec,
    RecipientsSpec,
    SignerSpec,
    TargetUnit,
)
from plans.deadlines import parse as _parse, start
from plans.quotas import QuotaAllocation, QuotaRuleSpec, allocate
from plans.schema import Obligation, Plan, QuotaDef, UnitFilter
from plans.selection import PilotChoice, UnitIndex, select_pilot, unit_predicate
from plans.timeline import compile_event, compile_milestones, compile_phases

if TYPE_CHECKING:
    from schedules import WorkingCalendar

__all__ = ["compile_plan"]


def _directive(plan: Plan, calendar: WorkingCalendar) -> DirectiveSpec:
    d = plan.directive
    signers = [SignerSpec(s.form, s.body, s.title, s.name) for s in d.signers]
    return DirectiveSpec(
        number=d.number,
        kind=d.kind,
        title=d.title,
        issuer_code=d.issuer,
        issued_at=calendar.start_of_office_hours(d.issued_on),
        implements=tuple(ParentSpec(p.number, p.date, p.issuer, p.title) for p in d.implements),
        recipients=RecipientsSpec(tuple(d.recipients.to), tuple(d.recipients.bc)),
        signer=signers[0],
        place=d.place,
        co_signers=tuple(signers[1:]),
        co_issuer_codes=tuple(d.co_issuers),
    )


def _filter_kwargs(f: UnitFilter) -> dict[str, Any]:
    return {
        "kinds": f.kinds,
        "categories": f.categories,
        "min_members": f.min_members,
        "max_members": f.max_members,
        "levels": f.levels,
        "exclude": f.exclude,
    }


def compile_plan(plan: Plan, units: Sequence[Unit], calendar: WorkingCalendar) -> CompiledPlan:
    """Resolve the plan against the hierarchy and the calendar; raise PlanError if its units are missing."""
    d = plan.directive
    index = UnitIndex(units, active_on=d.issued_on)
    roots = list(plan.targets.roots) or [d.issuer]
    unknown = _unknown_codes(plan, roots, index)
    if unknown:
        raise PlanError(unknown, title="Kế hoạch nhắc tới đơn vị không có trong hệ thống tổ chức")
    # A root inside the issuer's subtree starts at its own depth; other roots (a joint plan's second
    # organisation) count their levels from themselves.
    offsets = {r: index.depth_below(r, d.issuer) or 0 for r in roots}
    index.walk(roots, offsets)
    warnings: list[str] = []

    target_filter = plan.targets
    kinds = target_filter.kinds or [k for k in Kind if k is not Kind.BAN]
    test = unit_predicate(index, **{**_filter_kwargs(target_filter), "kinds": kinds})
    explicit = [c for c in target_filter.codes if c in index.units]
    target_codes = [c for c in index.order if c not in offsets and test(c)]
    if target_filter.codes:
        wanted = set(target_filter.codes)
        target_codes = [c for c in target_codes if c in wanted] or explicit
    if not target_codes:
        warnings.append("Không có đơn vị nào thuộc phạm vi triển khai; kiểm tra mục targets")
    level = index.level
    targets = [TargetUnit(c, level[c]) for c in target_codes]

    pilot: list[PilotChoice] = []
    if plan.pilot is not None:
        p = plan.pilot
        pilot, pilot_warnings = select_pilot(
            index, target_codes, group_kinds=p.group_kinds, pick_kinds=p.pick_kinds, categories=p.categories,
            at_least=p.at_least, order=p.order, seed=p.seed, include=p.include,
        )
        warnings += pilot_warnings

    phases = compile_phases(plan, calendar, warnings)
    event = compile_event(plan, calendar)
    context = _Context(plan, calendar, index, target_codes, pilot, {p.name: p for p in phases}, event, warnings)
    obligations = [context.obligation(o) for o in plan.obligations]
    obligations += [
        peak
        for spec in obligations
        for peak in peak_obligations(spec, start_day(spec, d.issued_on), {level[c] for c in spec.unit_codes},
                                     calendar, warnings)
    ]
    milestones = compile_milestones(plan, calendar, event, warnings)
    obligations += [
        ObligationSpec(
            key=m.key, kind="milestone", title=m.title, phase=None, unit_codes=(m.assignee_code,),
            due_by_level={index.level.get(m.assignee_code, 0): m.due}, opens=None, recurrence=None,
            times_per_year=None, route_via=None, fields=[],
        )
        for m in milestones
    ]
    quotas = [_quota(q, context) for q in plan.quotas]
    # Units given work by name (a department assigned a milestone, a body named in units.codes) are reached
    # by the plan too, so they join the targets with their level.
    reached = set(target_codes)
    named: list[str] = []
    for spec in obligations:
        for code in spec.unit_codes:
            if code not in reached:
                reached.add(code)
                named.append(code)
                target_codes.append(code)
                targets.append(TargetUnit(code, index.level.get(code, 0)))
    for q, q_def in zip(quotas, plan.quotas, strict=True):
        if q_def.expected_total is not None and q.total != q_def.expected_total:
            warnings.append(
                f"Chỉ tiêu “{q_def.label}”: tổng phân bổ {q.total} khác số dự kiến {q_def.expected_total}"
            )
    return CompiledPlan(
        directive=_directive(plan, calendar),
        root_code=roots[0],
        targets=targets,
        phases=phases,
        pilot=pilot,
        obligations=obligations,
        milestones=milestones,
        quotas=quotas,
        warnings=warnings,
        event=event,
        root_codes=tuple(roots),
        unit_kinds={c: index.units[c].kind for c in target_codes},
        named_targets=tuple(named),
    )


def _unknown_codes(plan: Plan, roots: list[str], index: UnitIndex) -> list[Problem]:
    """Every unit code the plan names must exist on the issue day: the engine files work under these codes."""
    d = plan.directive
    named: list[tuple[str, str]] = [("directive.issuer", d.issuer)]
    named += [(f"directive.co_issuers[{i}]", c) for i, c in enumerate(d.co_issuers)]
    named += [(f"targets.roots[{i}]", c) for i, c in enumerate(plan.targets.roots)]
    named += [(f"targets.codes[{i}]", c) for i, c in enumerate(plan.targets.codes)]
    if plan.pilot is not None:
        named += [(f"pilot.include[{i}]", c) for i, c in enumerate(plan.pilot.include)]
    if plan.event is not None and plan.event.host is not None:
        named.append(("event.host", plan.event.host))
    for i, o in enumerate(plan.obligations):
        named += [(f"obligations[{i}].units.codes[{j}]", c) for j, c in enumerate(o.units.codes)]
        if o.route_via is not None:
            named.append((f"obligations[{i}].route_via", o.route_via))
    named += [(f"milestones[{i}].assignee", m.assignee) for i, m in enumerate(plan.milestones)]
    for i, q in enumerate(plan.quotas):
        for j, rule in enumerate(q.rules):
            named += [(f"quotas[{i}].rules[{j}].codes[{k}]", c) for k, c in enumerate(rule.codes)]
    return [
        Problem(f"mã đơn vị “{code}” không có trong hệ thống tổ chức (hoặc không còn hiệu lực ngày "
                f"{d.issued_on.day}/{d.issued_on.month}/{d.issued_on.year}); ghi mã của một đơn vị đang hoạt động",
                field=where)
        for where, code in named
        if code not in index.units
    ]


class _Context:
    """State shared while compiling obligations: unit sets are computed once per distinct filter."""

    def __init__(
        self,
        plan: Plan,
        calendar: WorkingCalendar,
        index: UnitIndex,
        target_codes: list[str],
        pilot: list[PilotChoice],
        phases: dict[str, PhaseSpec],
        event: EventSpec | None,
        warnings: list[str],
    ) -> None:
        self.plan, self.calendar, self.index = plan, calendar, index
        self.target_codes = target_codes
        self.target_set = frozenset(target_codes)
        self.pilot_codes = [c.code for c in pilot]
        self.phases: dict[str, PhaseSpec] = phases
        self.event = event
        self.warnings = warnings
        self._cache: dict[tuple[str, str], tuple[str, ...]] = {}

    def units_for(self, f: UnitFilter, scope: str) -> tuple[str, ...]:
        """Codes of the units matching a filter within a scope: all targets, pilot units, or pilot + ancestors."""
        key = (f.model_dump_json(), scope)
        if key in self._cache:
            return self._cache[key]
        if f.codes:
            pool = list(f.codes)
        elif scope == "all":
            pool = self.target_codes
        else:
            chosen = set(self.pilot_codes)
            if scope == "pilot+ancestors":
                for code in self.pilot_codes:
                    chosen.update(a for a in self.index.ancestors(code) if a in self.target_set)
            pool = [c for c in self.target_codes if c in chosen]
        if f.codes:
            self.index.walk(pool, {c: self.index.depth_below(c, self.plan.directive.issuer) or 0 for c in pool})
            result = tuple(pool)
        else:
            test = unit_predicate(self.index, **_filter_kwargs(f))
            result = tuple(c for c in pool if test(c))
        self._cache[key] = result
        return result

    def obligation(self, o: Obligation) -> ObligationSpec:
        scope = "all"
        if o.phase == "pilot":
            scope = "pilot+ancestors" if o.kind == "report" else "pilot"
        codes = self.units_for(o.units, scope)
        if not codes:
            self.warnings.append(f"Nghĩa vụ “{o.key}” ({o.title}) không áp dụng cho đơn vị nào")
        levels = sorted(set(map(self.index.level.__getitem__, codes)))
        phase = self.phases.get(o.phase) if o.phase else None
        where = f"Nghĩa vụ “{o.key}”"
        opens_dl = _parse(o.opens, self.plan, self.calendar, where=f"{where} (opens)", warnings=self.warnings)
        event_at = self.event.at if self.event else None
        due_dl = _parse(o.due, self.plan, self.calendar, upper=event_at, event=event_at,
                        where=f"{where} (due)", warnings=self.warnings)
        # A campaign's own window ("từ tháng 5 đến tháng 9/2023 hằng tháng") opens it.
        campaign = due_dl.opens if due_dl is not None and due_dl.recurrence else None
        opens = start(opens_dl) or campaign or (phase.opens if phase else None)
        due_dl = first_in_campaign(due_dl, opens, self.calendar)
        due_by_level: dict[int, datetime] = {}
        if levels and o.within_working_days is not None:
            due_by_level = self._forward(o.within_working_days, opens, levels)
        elif levels and due_dl is not None and due_dl.due is not None and o.kind == "report":
            due_by_level = self._cascade(o, due_dl.due, levels)
        elif levels and due_dl is not None and due_dl.due is not None:
            # Only reports are consolidated level by level; an activity or a plan is due the same day everywhere.
            due_by_level = dict.fromkeys(levels, due_dl.due)
        recurrence = due_dl.recurrence if due_dl else None
        written = _parse(o.until, self.plan, self.calendar, where=f"{where} (until)", warnings=self.warnings)
        until = campaign_bound(o.key, due_dl, written, phase, self.calendar, self.warnings)
        window_warnings(o.key, phase, due_by_level, recurrence, until, self.warnings)
        return ObligationSpec(
            key=o.key,
            kind=o.kind,
            title=o.title,
            phase=o.phase,
            unit_codes=codes,
            due_by_level=due_by_level,
            opens=opens,
            recurrence=recurrence,
            times_per_year=o.times_per_year,
            route_via=o.route_via,
            fields=[
                FieldSpec(f.name, f.label, f.type, f.sum if f.sum is not None else f.type != "text")
                for f in o.fields
            ],
            in_monthly_meetings=o.in_monthly_meetings,
            peaks=tuple(o.peaks),
            report_to=o.report_to,
            due_meaning=due_dl.meaning if due_dl else None,
            until=until if recurrence else None,
        )

    def _position(self, o: Obligation) -> int:
        return next(i for i, item in enumerate(self.plan.obligations) if item is o)

    def _forward(self, n: int, opens: datetime | None, levels: list[int]) -> dict[int, datetime]:
        cal = self.calendar
        start = opens.date() if opens else self.plan.directive.issued_on
        first = levels[0]
        return {lv: cal.end_of_office_hours(cal.add_working_days(start, n * (lv - first + 1))) for lv in levels}

    def _cascade(self, o: Obligation, top_due: datetime, levels: list[int]) -> dict[int, datetime]:
        from schedules.cascade import cascade

        lead = list(o.lead_days if o.lead_days is not None else self.plan.lead_days) or [0]
        span = levels[-1] - levels[0]
        lead_days = [lead[min(i, len(lead) - 1)] for i in range(span)]
        issued_at = self.calendar.start_of_office_hours(self.plan.directive.issued_on)
        try:
            result = cascade(top_due, lead_days, issued_at=issued_at, calendar=self.calendar,
                             policy=self.plan.cascade_policy)
        except DeadlineError as exc:
            # cascade_policy "error": say which obligation cannot be met, with the cascade's own reasons.
            raise PlanError(
                [Problem(f"Nghĩa vụ “{o.key}”: {p.message}", field=f"obligations[{self._position(o)}].due")
                 for p in exc.problems],
                title=f"Không lập được hạn theo cấp cho nghĩa vụ “{o.key}”",
            ) from exc
        out: dict[int, datetime] = {}
        wanted = set(levels)
        for item in result:
            lv = levels[0] + item.level
            if lv in wanted:
                out[lv] = item.due
            self.warnings += [f"Nghĩa vụ “{o.key}”, cấp {lv}: {w}" for w in item.warnings]
        return out


def _quota(q: QuotaDef, context: _Context) -> QuotaAllocation:
    codes = context.units_for(q.units, "all")
    units = [context.index.units[c] for c in codes]
    rules = [
        QuotaRuleSpec(r.value, tuple(r.kinds), tuple(r.categories), r.min_members, r.max_members, tuple(r.codes))
        for r in q.rules
    ]
    explicit = {c for r in q.rules for c in r.codes} - set(codes)
    units += [context.index.units[c] for c in sorted(explicit) if c in context.index.units]
    return allocate(q.name, rules, units, categories=context.index.category, label=q.label, unit_label=q.unit_label)
