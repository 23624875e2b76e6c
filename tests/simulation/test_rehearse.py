"""A rehearsal gives the same months for the same seed, and other months for another seed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hierarchy.generate import small_quang_tri_2017
from schedules import WorkingCalendar
from simulation.rehearse import rehearse

PLAN = Path(__file__).parents[2] / "examples" / "47-KH-TU.yaml"


def run(seed: int, out: Path):  # type: ignore[no-untyped-def]
    return rehearse(PLAN, small_quang_tri_2017(), date(2017, 4, 1), date(2017, 7, 31), seed=seed, out=out,
                    calendar=WorkingCalendar(), sender="vp@quangtri.dcs.vn")


def test_same_seed_same_rehearsal_and_its_files(tmp_path: Path) -> None:
    first, second, other = run(7, tmp_path / "a"), run(7, tmp_path / "b"), run(8, tmp_path / "c")
    assert first.result == second.result and first.messages_by_template == second.messages_by_template
    def letters(folder: str) -> list[str]:
        return sorted(p.name for p in (tmp_path / folder / "outbox").glob("*.eml"))

    assert letters("a") == letters("b")
    assert (first.result.submitted, first.messages_by_template) != (other.result.submitted, other.messages_by_template)
    assert first.result.days == 122 and first.result.snapshots == 18
    assert first.result.approvals == ["47-KH/TU:rollout:2017-07-03"]
    assert {p.suffix for p in first.reports} == {".docx", ".xlsx", ".html", ".png"}
