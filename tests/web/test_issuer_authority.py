"""On the dashboard, holds, aborts and gate approvals follow the issuer: for a Tỉnh ủy plan sent to the Cam Lộ
district only (its root is Cam Lộ), Cam Lộ's administrator sees no hold or approval button and a form posted anyway
is refused (403) with nothing written; the Tỉnh ủy's administrator holds it."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from rollout.service import issue_plan
from schedules import WorkingCalendar
from storage import UnitOfWork
from storage.models import AuditEntry, DirectiveRow
from tests.web.conftest import PLAN, Site, csrf_of, local, login

TO_CAMLO = "48-KH/TU"


def _issue_to_camlo(site: Site, tmp_path: Path) -> int:
    plan = tmp_path / "48-KH-TU.yaml"
    plan.write_text(PLAN.read_text(encoding="utf-8").replace("roots: [TU-QT]", "roots: [QT-CAMLO]")
                    .replace('"47-KH/TU"', f'"{TO_CAMLO}"'), encoding="utf-8")
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        issue_plan(uow.session, plan, now=local(2017, 3, 23), actor="vp", calendar=WorkingCalendar())
        uow.commit()
        return uow.session.scalars(select(DirectiveRow.id).where(DirectiveRow.number == TO_CAMLO)).one()


def test_the_district_a_plan_is_sent_to_cannot_hold_it_but_the_issuer_can(site: Site, tmp_path: Path) -> None:
    directive_id = _issue_to_camlo(site, tmp_path)
    with login(site, "camlo") as district:
        page = district.get(f"/directives/{TO_CAMLO}")
        assert page.status_code == 200 and "Tạm dừng / tiếp tục / hủy đợt triển khai" not in page.text
        assert f"/forms/directives/{directive_id}/gate/" not in page.text
        token = csrf_of(district)
        held = district.post(f"/forms/directives/{directive_id}/state",
                             data={"csrf": token, "state_action": "hold", "reason": "Chờ hướng dẫn"})
        approved = district.post(f"/forms/directives/{directive_id}/gate/rollout", data={"csrf": token})
        assert held.status_code == approved.status_code == 403
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        assert uow.session.get_one(DirectiveRow, directive_id).state == "active"
        assert not uow.session.scalars(select(AuditEntry).where(AuditEntry.subject.startswith(TO_CAMLO),
                                                                AuditEntry.action != "directive.issue")).all()
    with login(site, "vp") as issuer:
        page = issuer.get(f"/directives/{TO_CAMLO}")
        assert "Tạm dừng / tiếp tục / hủy đợt triển khai" in page.text
        done = issuer.post(f"/forms/directives/{directive_id}/state",
                           data={"csrf": csrf_of(issuer), "state_action": "hold", "reason": "Chờ hướng dẫn"})
        assert done.status_code == 303
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        assert uow.session.get_one(DirectiveRow, directive_id).state == "held"
