"""Each rung of a plan's ladder signs with its own signer and goes through the line or direct, read on the .docx."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import docx
import pytest
from pydantic import ValidationError

from hierarchy.generate import small_quang_tri_2017
from notifications.channels import OutboxFolderChannel
from notifications.compose import signature_of
from notifications.dispatch import dispatch
from notifications.forms import organisation_form
from notifications.preview import sample_context
from notifications.render import render_message
from plans.schema import EscalationStep, Signer
from rollout.reconcile import advance
from rollout.service import issue_plan
from schedules import WorkingCalendar
from storage import UnitOfWork
from storage.units import apply_hierarchy
from tests.notifications.test_delivery import PLAN as BASE

CAL = WorkingCalendar()
LADDER = """
escalation:
  - {offset: -3, action: remind, channel: line,
     signer: {form: T/L, body: Ban Thường vụ, title: Chánh Văn phòng, name: Lê Văn Bình}}
  - {offset: 1, action: chase, signer: {form: K/T, title: Phó Bí thư Thường trực, name: Trần Thị Bình}}
  - {offset: 5, action: chase, channel: direct, signer: {form: T/M, title: Bí thư, name: Nguyễn Văn An}}
  - {offset: 10, action: escalate_issuer}
"""
# The deadline is Friday 29/9/2017: −3 is Tuesday 26/9, +1 Monday 2/10, +5 Friday 6/10, +10 Friday 13/10 (09:00).
RUNGS = [datetime(2017, 9, 26, 2, tzinfo=UTC), datetime(2017, 10, 2, 2, tzinfo=UTC),
         datetime(2017, 10, 6, 2, tzinfo=UTC), datetime(2017, 10, 13, 2, tzinfo=UTC)]
UNITS = small_quang_tri_2017()
PARENT = {u.code: u.parent_code for u in UNITS}
CELLS = {u.code for u in UNITS if u.kind == "chi_bo"}


def _top(code: str) -> str:
    """The issuer's direct child whose subtree holds the unit."""
    while PARENT[code] != "TU-QT":
        code = PARENT[code]  # type: ignore[assignment]
    return code


def _sent(folder: Path, before: set[Path]) -> list[EmailMessage]:
    return [BytesParser(policy=policy.default).parsebytes(p.read_bytes())  # type: ignore[misc]
            for p in sorted(set(folder.glob("*.eml")) - before)]


def _footer(message: EmailMessage, column: int) -> list[str]:
    (part,) = list(message.iter_attachments())
    letter = docx.Document(io.BytesIO(part.get_payload(decode=True)))  # type: ignore[arg-type]
    return [p.text for p in letter.tables[1].cell(0, column).paragraphs if p.text]


def _signer_block(message: EmailMessage) -> list[str]:
    return _footer(message, 1)


def _copies(message: EmailMessage) -> list[str]:
    return _footer(message, 0)


def _plain(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content()).replace("\r\n", "\n")


def _to(message: EmailMessage) -> str:
    return str(message["To"].addresses[0].addr_spec)


def test_each_rung_signs_and_routes_as_the_plan_says(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plan = tmp_path / "plan.yaml"
    plan.write_text(BASE.replace("generate_quang_tri_2017", "small_quang_tri_2017") + LADDER, encoding="utf-8")
    emails = {u.code: u.contacts.email for u in UNITS}
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, UNITS, now=datetime(2017, 8, 1, tzinfo=UTC), actor="t")
        issue_plan(uow.session, plan, now=datetime(2017, 9, 1, 2, tzinfo=UTC), actor="t", calendar=CAL)
        advance(uow.session, datetime(2017, 9, 5, 1, tzinfo=UTC), calendar=CAL)
        uow.commit()
    folder = tmp_path / "outbox"
    channel = OutboxFolderChannel(folder, "vp@quangtri.dcs.vn")
    rounds = []
    for at in RUNGS:
        before = set(folder.glob("*.eml"))
        with UnitOfWork(engine) as uow:
            advance(uow.session, at, calendar=CAL)
            uow.commit()
        dispatch(engine, at + timedelta(minutes=5), channel=channel, calendar=CAL)
        rounds.append(_sent(folder, before))
    reminders, letters, direct, escalations = rounds

    # −3, through the line: each district is reminded once about its chi bộ, signed by the office's head.
    heads = {_top(code) for code in CELLS}
    assert sorted(_to(m) for m in reminders) == sorted(emails[h] for h in heads)
    text = _plain(reminders[0])
    assert "trong phạm vi" in text and "Chi bộ" in text
    assert text.rstrip().endswith("T/L BAN THƯỜNG VỤ\nCHÁNH VĂN PHÒNG\nLê Văn Bình")

    # +1, through the line (the default): one letter per district, signed for the Bí thư, late units annexed.
    assert sorted(_to(m) for m in letters) == sorted(emails[h] for h in heads)
    for message in letters:
        assert _signer_block(message) == ["K/T BÍ THƯ", "PHÓ BÍ THƯ THƯỜNG TRỰC", "Trần Thị Bình"]
        body = _plain(message)
        assert "Danh sách các tổ chức đảng chưa hoàn thành nhiệm vụ" in body
        assert body.rstrip().endswith("K/T BÍ THƯ\nPHÓ BÍ THƯ THƯỜNG TRỰC\n\n\nTrần Thị Bình")

    # +5, direct: every late chi bộ gets its own letter, signed on behalf of the standing committee.
    assert sorted(_to(m) for m in direct) == sorted(emails[c] for c in CELLS)
    assert {tuple(_signer_block(m)) for m in direct} == {("T/M BAN THƯỜNG VỤ", "BÍ THƯ", "Nguyễn Văn An")}
    # Signed on behalf of the standing committee, the letter reports to no one of its own committee; sent
    # direct, it is copied to the chi bộ's own superior.
    for message in direct:
        copies = _copies(message)
        assert copies[:2] == ["Nơi nhận:", "- Như trên,"] and copies[-1] == "- Lưu Văn phòng Tỉnh ủy."
        assert len(copies) == 4 and copies[2].endswith("(để chỉ đạo),") and "Tỉnh ủy" not in copies[2]
    assert _copies(letters[0]) == ["Nơi nhận:", "- Như trên,", "- Thường trực Tỉnh ủy (để b/c),",
                                  "- Lưu Văn phòng Tỉnh ủy."]

    # +10, no signer given: the escalation to the issuer is signed with the sender's name, as before.
    assert [_to(m) for m in escalations] == [emails["TU-QT"]]
    assert _plain(escalations[0]).rstrip().endswith("Tỉnh ủy Quảng Trị")


def test_an_escalation_has_no_channel_to_choose() -> None:
    with pytest.raises(ValidationError, match="channel chỉ dùng cho remind và chase"):
        EscalationStep(offset=5, action="escalate_superior", channel="line")


@pytest.mark.parametrize("template", ["nhac_han", "leo_thang"])
def test_an_email_of_a_rung_with_a_signer_is_signed_by_it(template: str) -> None:
    signature = signature_of(organisation_form("Tỉnh ủy Quảng Trị", "tinh_uy"),
                             Signer(form="T/L", title="Chánh Văn phòng", name="Lê Văn Bình"))
    message = render_message(template, replace(sample_context(template), signature=signature))
    assert message.text.rstrip().endswith("T/L BAN THƯỜNG VỤ\nCHÁNH VĂN PHÒNG\nLê Văn Bình")
    assert message.html is not None and "T/L BAN THƯỜNG VỤ<br>CHÁNH VĂN PHÒNG</strong><br>Lê Văn Bình" in message.html
    # Without one, the sender's name closes the e-mail as before.
    assert render_message(template, sample_context(template)).text.rstrip().endswith(sample_context(template).sender)
