"""The escalation ladder over simulated weeks across Tết 2024, delivered to the .eml outbox."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

from sqlalchemy import func, select

from hierarchy.generate import small_quang_tri_2017
from notifications.channels import OutboxFolderChannel
from notifications.dispatch import dispatch
from rollout import actions
from rollout.escalate import queue_messages
from rollout.reconcile import advance
from rollout.service import issue_plan
from schedules import WorkingCalendar
from schedules.render import to_local
from storage import UnitOfWork
from storage.models import OutboxRow
from storage.units import apply_hierarchy

CAL = WorkingCalendar()
PLAN = """
directive:
  number: "12-KH/TU"
  kind: KH
  issuer: TU-QT
  issued_on: 2024-01-15
  place: Đông Hà
  title: Kế hoạch báo cáo nhanh trước và sau Tết Giáp Thìn
  signers: [{form: T/M, body: Ban Thường vụ, title: Bí thư, name: Nguyễn Văn A}]
hierarchy: {generator: small_quang_tri_2017}
targets: {roots: [TU-QT], kinds: [huyen_uy, dang_uy_truc_thuoc]}
phases:
  - {name: rollout, opens: "ngày 16/1/2024"}
obligations:
  - {key: bao-cao, kind: report, title: Báo cáo tình hình trước Tết, phase: rollout, due: "chậm nhất ngày 16/2/2024",
     units: {kinds: [huyen_uy, dang_uy_truc_thuoc]}}
"""


def test_ladder_fires_on_working_days_only_across_tet(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN, encoding="utf-8")
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, small_quang_tri_2017(), now=datetime(2024, 1, 2, tzinfo=UTC), actor="t")
        issue_plan(uow.session, plan, now=datetime(2024, 1, 15, 2, tzinfo=UTC), actor="t", calendar=CAL)
        uow.commit()
    outbox = OutboxFolderChannel(tmp_path / "outbox", "vp@tinhuy.dcs.vn")
    first_unit = "QT-CAMLO"
    sent_days: dict[str, list[date]] = {}
    # Every hour of every day from 1/2 to 20/3/2024: the reconciler and the dispatcher as a server would run them.
    at = datetime(2024, 2, 1, 0, tzinfo=UTC)
    while at < datetime(2024, 3, 20, tzinfo=UTC):
        with UnitOfWork(engine) as uow:
            advance(uow.session, at, calendar=CAL)
            uow.commit()
        if at == datetime(2024, 2, 20, 3, tzinfo=UTC):  # one district reports after the đôn đốc letter
            with UnitOfWork(engine) as uow:
                actions.submit(uow.session, "12-KH/TU", first_unit, "bao-cao", data={}, now=at, actor="t")
                uow.commit()
        dispatch(engine, at, channel=outbox, calendar=CAL)
        at += timedelta(hours=1)
    with UnitOfWork(engine) as uow:
        rows = uow.session.execute(
            select(OutboxRow.template, OutboxRow.sent_at, OutboxRow.status, OutboxRow.unit_id)
        ).all()
        assert uow.session.scalar(select(func.count()).select_from(OutboxRow).where(OutboxRow.status == "pending")) == 0
    for template, sent_at, status, _ in rows:
        assert status == "sent"
        local = to_local(sent_at)
        assert CAL.is_working_day(local.date()), f"{template} sent on a day off: {local}"
        assert 7 <= local.hour < 17
        sent_days.setdefault(template, []).append(local.date())
    # Deadline Friday 16/2/2024, right after Tết (8–14/2 off): 3 working days before is Tuesday 6/2; one working
    # day after is Monday 19/2; five after is 23/2; ten after is 1/3.
    assert set(sent_days["nhac_han"]) == {date(2024, 2, 6)}
    assert set(sent_days["cong_van_don_doc"]) == {date(2024, 2, 19)}
    assert sorted(set(sent_days["leo_thang"])) == [date(2024, 2, 23), date(2024, 3, 1)]
    # Four districts/blocs: one reminder and one letter each; the unit that reported drops out of the escalations.
    assert len(sent_days["nhac_han"]) == 4 and len(sent_days["cong_van_don_doc"]) == 4
    # Escalations are digests: the three units still late go to the standing office in one message, then the issuer.
    assert len(sent_days["leo_thang"]) == 2
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == len(rows)
    letters = [BytesParser(policy=policy.default).parsebytes(f.read_bytes()) for f in files]
    chase = next(m for m in letters if "đôn đốc" in m["Subject"].lower())
    assert any(part.get_filename() and part.get_filename().endswith(".docx") for part in chase.iter_attachments())
    assert "12-KH/TU" in chase.get_body(("plain",)).get_content()


LINE_PLAN = PLAN.replace(
    "kinds: [huyen_uy, dang_uy_truc_thuoc]}\nphases", "kinds: [chi_bo, chi_bo_co_so]}\nphases"
).replace(
    "units: {kinds: [huyen_uy, dang_uy_truc_thuoc]}}",
    "units: {kinds: [chi_bo, chi_bo_co_so]}, report_to: Ban Thường vụ Tỉnh ủy, route_via: TU-QT-BTG}",
)


def test_letters_go_through_the_line_with_the_late_units_listed(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import io

    import docx

    plan = tmp_path / "plan.yaml"
    plan.write_text(LINE_PLAN, encoding="utf-8")
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, small_quang_tri_2017(), now=datetime(2024, 1, 2, tzinfo=UTC), actor="t")
        issue_plan(uow.session, plan, now=datetime(2024, 1, 15, 2, tzinfo=UTC), actor="t", calendar=CAL)
        uow.commit()
    at = datetime(2024, 2, 19, 3, tzinfo=UTC)  # one working day after the deadline: the đôn đốc rung
    with UnitOfWork(engine) as uow:
        advance(uow.session, at, calendar=CAL)
        uow.commit()
    outbox = OutboxFolderChannel(tmp_path / "outbox", "vp@tinhuy.dcs.vn")
    dispatch(engine, at, channel=outbox, calendar=CAL)
    with UnitOfWork(engine) as uow:
        from storage.models import UnitRow

        issuer = uow.session.scalar(select(UnitRow).where(UnitRow.code == "TU-QT"))
        letters = uow.session.execute(
            select(UnitRow.parent_id).join(OutboxRow, OutboxRow.unit_id == UnitRow.id)
            .where(OutboxRow.template == "cong_van_don_doc")).scalars().all()
        cells = uow.session.scalar(
            select(func.count()).select_from(UnitRow).where(UnitRow.kind.in_(["chi_bo", "chi_bo_co_so"])))
    # The Tỉnh ủy writes to its direct children only, never to each of the late chi bộ.
    assert letters and set(letters) == {issuer.id} and len(letters) < cells
    files = (tmp_path / "outbox").glob("*.eml")
    messages = [BytesParser(policy=policy.default).parsebytes(f.read_bytes()) for f in files]
    chases = [m for m in messages if m["Subject"].startswith("V/v đôn đốc")]
    assert len({m["Subject"] for m in chases}) == len(chases) == len(letters)
    for message in chases:
        attachment = next(p for p in message.iter_attachments() if p.get_filename().endswith(".docx"))
        document = docx.Document(io.BytesIO(attachment.get_content()))
        copies = [p.text for p in document.tables[1].cell(0, 0).paragraphs if p.text]
        assert copies[1] == "- Như trên," and copies[-1] == "- Lưu Văn phòng Tỉnh ủy."
        assert "- Thường trực Tỉnh ủy (để b/c)," in copies
        assert not any("Tỉnh ủy Quảng Trị (để b/c)" in line for line in copies)  # never reports to itself
        assert [p.text for p in document.tables[1].cell(0, 1).paragraphs if p.text][:2] == [
            "T/L BAN THƯỜNG VỤ", "CHÁNH VĂN PHÒNG"]
        text = "\n".join(p.text for p in document.paragraphs)
        assert "DANH SÁCH CÁC TỔ CHỨC ĐẢNG CHƯA HOÀN THÀNH NHIỆM VỤ" in text
        assert "ngày làm việc" in "\n".join(c.text for t in document.tables for c in t._cells)
        assert "Ban Thường vụ Tỉnh ủy (qua Ban Tuyên giáo" in text


def test_a_message_queued_twice_is_stored_once(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN, encoding="utf-8")
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, small_quang_tri_2017(), now=datetime(2024, 1, 2, tzinfo=UTC), actor="t")
        issue_plan(uow.session, plan, now=datetime(2024, 1, 15, 2, tzinfo=UTC), actor="t", calendar=CAL)
        uow.commit()
    with UnitOfWork(engine) as uow:
        row = uow.session.scalars(select(OutboxRow).order_by(OutboxRow.id)).first()
        assert row is not None and row.directive_id is not None and row.unit_id is not None
        before = uow.session.scalar(select(func.count()).select_from(OutboxRow))
        again = [(row.key, row.unit_id, row.template, {}), ("mot-thu-moi", row.unit_id, row.template, {})]
        written = queue_messages(uow.session, row.directive_id, again, datetime(2024, 1, 16, 2, tzinfo=UTC), CAL)
        uow.commit()
    with UnitOfWork(engine) as uow:
        after = uow.session.scalar(select(func.count()).select_from(OutboxRow))
        kept = uow.session.scalar(select(OutboxRow.context).where(OutboxRow.key == row.key))
    assert written == 1 and after == before + 1  # the new one only; the stored one keeps its own context
    assert kept == row.context
