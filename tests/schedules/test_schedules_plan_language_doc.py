"""docs/plan-language.md: every phrase its tables show is read (or refused) as the page says."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from errors import DeadlineError
from schedules import LOCAL_TZ, WorkingCalendar, format_short, parse_deadline

PAGE = Path(__file__).resolve().parents[2] / "docs" / "plan-language.md"
CAL = WorkingCalendar()


def _table(heading: str) -> list[list[str]]:
    """The body rows of the first table after the heading, as stripped cells."""
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    start = lines.index(heading)
    rows: list[list[str]] = []
    for line in lines[start + 1 :]:
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif rows:
            break
    assert len(rows) > 2, f"no table under {heading}"
    return rows[2:]  # header and separator


ACCEPTED = _table("## Các cách ghi được chấp nhận")
PUBLISHED = _table("## Ví dụ từ văn bản đã công bố")
REFUSED = _table("## Các cách ghi bị từ chối")
FROM_EVENT = _table("## Hạn tính theo sự kiện")
WARNED = _table("## Cảnh báo khi có thể in nhầm")


@pytest.mark.parametrize(("text", "issued", "kind", "due", "opens"), ACCEPTED)
def test_each_accepted_phrase_of_the_page_gives_what_the_page_says(
    text: str, issued: str, kind: str, due: str, opens: str
) -> None:
    d = parse_deadline(text, issued_on=date.fromisoformat(issued) if issued else None, calendar=CAL)
    shown = (d.kind, format_short(d.due) if d.due else "—", format_short(d.opens) if d.opens else "—")
    assert shown == (kind, due, opens)


@pytest.mark.parametrize(("text", "issued", "kind", "due", "opens", "source"), PUBLISHED)
def test_each_published_phrase_of_the_page_is_read_as_the_page_says(
    text: str, issued: str, kind: str, due: str, opens: str, source: str
) -> None:
    assert source.startswith(("http://", "https://")), "every published example names where it was printed"
    test_each_accepted_phrase_of_the_page_gives_what_the_page_says(text, issued, kind, due, opens)


@pytest.mark.parametrize(("text", "why", "better"), REFUSED)
def test_each_refused_phrase_of_the_page_is_refused_and_its_fix_is_read(text: str, why: str, better: str) -> None:
    with pytest.raises(DeadlineError):
        parse_deadline(text, calendar=CAL)
    assert parse_deadline(better, calendar=CAL).due is not None


@pytest.mark.parametrize(("text", "event", "due"), FROM_EVENT)
def test_each_event_relative_phrase_of_the_page_gives_its_deadline(text: str, event: str, due: str) -> None:
    at = datetime.fromisoformat(event).replace(tzinfo=LOCAL_TZ)
    d = parse_deadline(text, event=at, calendar=CAL)
    assert (format_short(d.due) if d.due else "—") == due


@pytest.mark.parametrize(("text", "issued", "says"), WARNED)
def test_each_warned_phrase_of_the_page_is_read_with_its_warning(text: str, issued: str, says: str) -> None:
    d = parse_deadline(text, issued_on=date.fromisoformat(issued), calendar=CAL)
    assert d.due is not None and len(d.warnings) == 1 and says in d.warnings[0]
