"""Rules a submission must meet beyond its fields' types: its period has opened, quotas are not exceeded."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import formats
from errors import ConflictError, InputError, Problem
from rollout.stored_plan import plan_of
from schedules.render import format_short
from storage.models import DirectiveRow, ObligationRow, QuotaRow, UnitRow
from storage.units import subtree_bounds

__all__ = ["check_opened", "check_quotas", "quota_field"]


def check_opened(row: ObligationRow, now: datetime) -> None:
    """A report is accepted only once its period has opened: a period due years ahead cannot be reported now."""
    if row.opens_at is not None and row.opens_at > now:
        raise ConflictError(
            f"Kỳ báo cáo này chưa mở: nội dung “{row.key}” kỳ {row.period} "
            f"nhận báo cáo từ {format_short(row.opens_at)}."
        )


def quota_field(quota_name: str) -> str:
    """The report field that registers against a quota: the quota's name with '_' for '-' (dai-bieu → dai_bieu)."""
    return quota_name.replace("-", "_")


def check_quotas(session: Session, directive: DirectiveRow, row: ObligationRow, clean: dict[str, Any]) -> None:
    """A figure registered against a quota may not exceed what was allocated to the unit (with its subtree, for a
    unit that registers for the units under it); the refusal names the quota. A quota that allocates nothing in
    the unit's subtree does not bound it."""
    unit = session.get(UnitRow, row.unit_id)
    assert unit is not None
    lo, hi = subtree_bounds(unit.path)
    problems = []
    for quota in plan_of(directive).quotas:
        name = quota.name
        field = quota_field(name)
        value = clean.get(field)
        if not isinstance(value, int | float):
            continue
        allowed = session.scalar(
            select(func.sum(QuotaRow.amount)).join(UnitRow, UnitRow.id == QuotaRow.unit_id)
            .where(QuotaRow.directive_id == directive.id, QuotaRow.name == name, UnitRow.path >= lo, UnitRow.path < hi))
        if allowed is not None and value > allowed:
            label = quota.label or name
            noun = quota.unit_label or "suất"
            problems.append(Problem(
                f"đăng ký {formats.number(value)} vượt chỉ tiêu “{label}” phân bổ cho {unit.name}: "
                f"tối đa {formats.number(allowed)} {noun}",
                field=field))
    if problems:
        raise InputError(problems, title="Báo cáo không hợp lệ, chưa ghi nhận")
