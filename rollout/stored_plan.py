"""The plan an issued directive was issued from, read back as the typed `plans.schema.Plan`.

`DirectiveRow.plan` keeps the plan's JSON as it was issued (so existing databases keep working); the engine,
notifications, compliance and the web read it only through `plan_of`, by attribute, never by string keys.
"""

from __future__ import annotations

import copy
from typing import Any
from weakref import WeakKeyDictionary

from pydantic import ValidationError

from errors import StorageError
from plans.schema import FieldDef, Milestone, Obligation, Plan
from plans.source import LineMap, translate_errors
from storage.rollout_models import DirectiveRow

__all__ = [
    "collecting_office",
    "field_specs",
    "item_of",
    "obligation_of",
    "plan_of",
    "read_stored_plan",
    "summed_fields",
    "titles",
]

# Row instance -> (the stored JSON it was read from, the validated plan). Keyed weakly so that the cache lives
# as long as the row; the stored JSON is compared by identity, so an amended plan is read again.
_READ: WeakKeyDictionary[DirectiveRow, tuple[object, Plan]] = WeakKeyDictionary()
# (directive id, fingerprint) -> (the stored JSON, the validated plan), for the whole process: each web request
# reads its directive into a new row instance. The JSON is compared by value before the plan is reused, so a
# plan changed in the database without a new fingerprint is read again.
_BY_VERSION: dict[tuple[int, str], tuple[object, Plan]] = {}
_VERSIONS_KEPT = 64


def read_stored_plan(number: str, data: Any) -> Plan:
    """The stored JSON of directive `number` as a Plan; a plan this version cannot read is a StorageError naming
    the directive and every field at fault."""
    try:
        return Plan.model_validate(data)
    except ValidationError as exc:
        problems = translate_errors(exc, LineMap(), None)
        listed = " ".join(f"({n}) {p}." for n, p in enumerate(problems[:3], start=1))
        more = f" Còn {len(problems) - 3} lỗi khác." if len(problems) > 3 else ""
        raise StorageError(
            f"Kế hoạch đã lưu của văn bản số “{number}” không còn hợp lệ với phiên bản này của trienkhai: "
            f"{listed}{more} Hãy cập nhật cơ sở dữ liệu (trienkhai db upgrade) hoặc ban hành lại kế hoạch đã sửa."
        ) from exc


def plan_of(directive: DirectiveRow) -> Plan:
    """The typed plan of an issued directive, validated once per process for each (id, fingerprint) and stored JSON
    (again only after an amendment)."""
    stored = directive.plan
    cached = _READ.get(directive)
    if cached is not None and cached[0] is stored:
        return cached[1]
    version = (directive.id, directive.fingerprint)
    known = _BY_VERSION.get(version)
    if known is not None and known[0] == stored:
        plan = known[1]
    else:
        plan = read_stored_plan(directive.number, stored)
        if len(_BY_VERSION) >= _VERSIONS_KEPT:
            _BY_VERSION.clear()
        _BY_VERSION[version] = (copy.deepcopy(stored), plan)
    _READ[directive] = (stored, plan)
    return plan


def obligation_of(plan: Plan, key: str) -> Obligation | None:
    """The plan's obligation with this key, or None (a milestone, or a key no longer in the plan)."""
    return next((o for o in plan.obligations if o.key == key), None)


def item_of(plan: Plan, key: str) -> Obligation | Milestone | None:
    """The obligation or milestone with this key, or None."""
    return obligation_of(plan, key) or next((m for m in plan.milestones if m.key == key), None)


def titles(plan: Plan) -> dict[str, str]:
    """Title by key of every obligation and milestone of the plan, in the plan's order."""
    items: list[Obligation | Milestone] = [*plan.obligations, *plan.milestones]
    return {item.key: item.title for item in items}


def field_specs(plan: Plan, key: str) -> list[FieldDef]:
    """The report fields the plan declares for obligation `key` (none for an unknown key or a milestone)."""
    obligation = obligation_of(plan, key)
    return list(obligation.fields) if obligation is not None else []


def summed_fields(obligation: Obligation) -> list[FieldDef]:
    """The numeric fields of a report that add up over the hierarchy (numbers, unless `sum: false`)."""
    return [f for f in obligation.fields if f.type in ("int", "float") and f.sum is not False]


def collecting_office(plan: Plan) -> str | None:
    """Code of the office reports go through (the first `route_via` of the plan's obligations), if any."""
    return next((o.route_via for o in plan.obligations if o.route_via), None)
