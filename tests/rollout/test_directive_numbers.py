"""Directive numbers as people type them: "047-KH/TU", "47 - KH/TU " and "47–KH/TU" are 47-KH/TU, issued once and
found by any of these spellings; "108-KH/DUK" typed without Vietnamese finds 108-KH/ĐUK, and a number that could
mean two directives is answered with both, asking which."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from errors import ConflictError, InputError, NotFound
from plans.numbers import clean_number, folded_key, number_key
from rollout import actions
from rollout.service import issue_plan
from storage import UnitOfWork
from storage.models import AuditEntry, DirectiveRow, ObligationRow
from tests.rollout.test_engine import CAL, NUMBER, PLAN, at, issued  # noqa: F401  (the fixture)


@pytest.mark.parametrize(("typed", "written", "key"), [
    ("47-KH/TU", "47-KH/TU", "47-KH/TU"),
    ("47-KH/TU ", "47-KH/TU", "47-KH/TU"),
    (" 47 - KH / TU", "47-KH/TU", "47-KH/TU"),
    ("47\u2013KH/TU", "47-KH/TU", "47-KH/TU"),
    ("047-KH/TU", "047-KH/TU", "47-KH/TU"),
    ("47-kh/tu", "47-kh/tu", "47-KH/TU"),
    ("05-CT/TW", "05-CT/TW", "5-CT/TW"),
    ("0-TB/TU", "0-TB/TU", "0-TB/TU"),
    ("108-KH/\u0110UK", "108-KH/ĐUK", "108-KH/ĐUK"),
    ("12-KH/ĐU\u00a0 K", "12-KH/ĐU K", "12-KH/ĐU K"),
])
def test_numbers_have_one_written_form_and_one_key(typed: str, written: str, key: str) -> None:
    assert clean_number(typed) == written and number_key(typed) == key


def test_numbers_are_nfc_and_d_is_folded_only_for_finding() -> None:
    decomposed = "108-KH/\u0110U\u0301K"  # Ú written as U + combining acute
    assert clean_number(decomposed) == "108-KH/ĐÚK"
    assert folded_key("108-KH/ĐUK") == folded_key("108-kh/duk") == "108-KH/DUK"
    assert number_key("108-KH/ĐUK") != number_key("108-KH/DUK")


def _plan(tmp_path: Path, number: str) -> Path:
    path = tmp_path / f"ke-hoach-{len(list(tmp_path.iterdir()))}.yaml"
    path.write_text(PLAN.read_text(encoding="utf-8").replace('number: "47-KH/TU"', f'number: "{number}"', 1),
                    encoding="utf-8")
    return path


def _issue(engine: Engine, path: Path) -> None:
    with UnitOfWork(engine) as uow:
        issue_plan(uow.session, path, now=at(2017, 3, 23), actor="vp", calendar=CAL)
        uow.commit()


def _counts(engine: Engine) -> tuple[int, int]:
    with UnitOfWork(engine) as uow:
        return (uow.session.scalar(select(func.count()).select_from(DirectiveRow)) or 0,
                uow.session.scalar(select(func.count()).select_from(ObligationRow)) or 0)


@pytest.mark.parametrize("typed", ["047-KH/TU", "0047 - KH/TU"])
def test_a_plan_whose_number_differs_only_in_form_is_refused_naming_the_issued_one(
        issued, tmp_path: Path, typed: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    engine = issued[0]
    before = _counts(engine)
    with pytest.raises(ConflictError) as caught:
        _issue(engine, _plan(tmp_path, typed))
    assert f"“{NUMBER}” đã ban hành" in str(caught.value) and "chỉ khác cách ghi" in str(caught.value)
    assert _counts(engine) == before


def test_a_trailing_space_is_the_same_number_not_a_second_rollout(issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    engine = issued[0]
    before = _counts(engine)
    # The same plan, its number typed with a trailing space and an en dash: read as 47-KH/TU, nothing new.
    _issue(engine, _plan(tmp_path, "47\u2013KH/TU "))
    assert _counts(engine) == before


@pytest.mark.parametrize("typed", ["47-KH/TU", "047-KH/TU", " 47 - KH/TU ", "47\u2013kh/tu"])
def test_every_spelling_finds_the_directive_and_records_it_under_its_number(
        issued, typed: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    engine = issued[0]
    with UnitOfWork(engine) as uow:
        assert actions.find_directive(uow.session, typed).number == NUMBER
        actions.set_state(uow.session, typed, "hold", reason="Chờ ý kiến Thường trực", now=at(2017, 4, 3),
                          actor="vp")
        subject = uow.session.scalars(select(AuditEntry.subject).where(AuditEntry.action == "directive.hold")).one()
    assert subject == NUMBER


def test_a_number_typed_without_d_stroke_finds_it_and_two_candidates_are_asked_about(
        issued, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    engine = issued[0]
    _issue(engine, _plan(tmp_path, "108-KH/ĐUK"))
    with UnitOfWork(engine) as uow:
        assert actions.find_directive(uow.session, "108-KH/DUK").number == "108-KH/ĐUK"
        assert actions.find_directive(uow.session, "0108-kh/duk").number == "108-KH/ĐUK"
    # Two numbers that differ by where the Đ is: typed with no Đ at all, either could be meant.
    _issue(engine, _plan(tmp_path, "12-KH/ĐUD"))
    _issue(engine, _plan(tmp_path, "12-KH/DUĐ"))
    with UnitOfWork(engine) as uow:
        with pytest.raises(InputError) as caught:
            actions.find_directive(uow.session, "12-KH/DUD")
        assert actions.find_directive(uow.session, "12-KH/DUĐ").number == "12-KH/DUĐ"
        with pytest.raises(NotFound) as missing:
            actions.find_directive(uow.session, "13-KH/DUD")
    said = str(caught.value)
    assert "có thể là 2 văn bản" in said and "“12-KH/ĐUD”" in said and "“12-KH/DUĐ”" in said
    assert "Văn bản nào?" in said
    assert "Chưa ban hành văn bản số “13-KH/DUD”" in str(missing.value)
