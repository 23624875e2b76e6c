"""The obligations of a directive in a subtree as a list: filtered, sorted and paged in the database.

The same filter drives the page, its exports and the heat map's links, so what is counted, shown and
exported is always the same set of rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, NamedTuple, Protocol
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, Row, Select, func, select
from sqlalchemy.orm import Session

from errors import InputError
from plans.peaks import title_of
from rollout.status import STATUS_LABELS, Status
from rollout.stored_plan import plan_of, titles
from storage.models import DirectiveRow, HierarchyChange, ObligationRow, UnitRow
from storage.units import subtree_bounds
from web.queries import SEGMENT, kind_label

PER_PAGE = 50
PER_PAGE_CHOICES = (25, 50, 100, 200)
# sort key: (label, column expression builder); ties are broken by the unit's place in the tree
SORTS: dict[str, str] = {"bac": "Bậc đôn đốc", "han": "Hạn", "don-vi": "Đơn vị (theo cây)", "ten": "Tên đơn vị",
                         "trang-thai": "Trạng thái"}


@dataclass(frozen=True)
class ListFilter:
    """What the reader asked for: filters, order and page (all optional but the page)."""

    status: str = Status.OVERDUE.value  # "" for every status
    under: str = ""  # code of a unit below the anchor: only its subtree
    level: int | None = None  # level of the obligation in the cascade (1 the top)
    kind: str = ""  # kind of the unit that owes
    key: str = ""  # obligation of the plan
    days: int | None = None  # at least this many days past the deadline
    rung: int | None = None  # escalation step reached, at least
    sort: str = "bac"
    desc: bool = True
    page: int = 1
    per: int = PER_PAGE

    def query(self, **changes: Any) -> str:
        """The URL query of this filter with `changes` (defaults left out, so links stay short)."""
        values = replace(self, **changes)
        pairs = {"status": values.status, "under": values.under, "level": values.level, "kind": values.kind,
                 "key": values.key, "days": values.days, "rung": values.rung, "sort": values.sort,
                 "desc": "1" if values.desc else "0", "page": values.page, "per": values.per}
        defaults = ListFilter()
        return urlencode({k: v for k, v in pairs.items()
                          if v is not None and (k == "status" or v != getattr(defaults, k, None))})

    @property
    def is_filtered(self) -> bool:
        """Whether anything narrows the list beyond its default status."""
        return bool(self.under or self.level is not None or self.kind or self.key or self.days is not None
                    or self.rung is not None or self.status != Status.OVERDUE.value)


def _int(params: Mapping[str, str], name: str, label: str, low: int, high: int) -> int | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise InputError(f"Bộ lọc “{label}”: giá trị “{raw[:20]}” không hợp lệ; cần một số nguyên từ {low} đến {high}.")
    return int(raw)


def parse_filter(params: Mapping[str, str], keys: list[str]) -> ListFilter:
    """A ListFilter from the query string; a value out of its range is refused with what would be valid."""
    status = params.get("status", Status.OVERDUE.value)
    if status and status not in {s.value for s in Status}:
        valid = ", ".join(s.value for s in Status)
        raise InputError(f"Bộ lọc “Trạng thái”: “{status[:30]}” không có; chọn một trong: {valid}, hoặc để trống.")
    key = params.get("key", "")
    if key and key not in keys:
        raise InputError(f"Bộ lọc “Nội dung”: “{key[:40]}” không phải nghĩa vụ của kế hoạch này.")
    sort = params.get("sort") or "bac"
    if sort not in SORTS:
        raise InputError(f"Sắp xếp “{sort[:20]}” không có; chọn một trong: {', '.join(SORTS)}.")
    per = _int(params, "per", "Số dòng mỗi trang", 1, max(PER_PAGE_CHOICES)) or PER_PAGE
    return ListFilter(
        status=status, under=(params.get("under") or "").strip(), level=_int(params, "level", "Cấp", 0, 20),
        kind=(params.get("kind") or "").strip(), key=key, days=_int(params, "days", "Số ngày quá hạn", 0, 3650),
        rung=_int(params, "rung", "Bậc đôn đốc", 0, 20), sort=sort, desc=params.get("desc", "1") != "0",
        page=_int(params, "page", "Trang", 1, 10**7) or 1, per=per,
    )


class Owed(NamedTuple):
    """What the list shows of an obligation (read as columns: a national export would not fit as ORM objects)."""

    key: str
    period: int
    due_at: datetime | None
    status: str
    escalation_step: int
    submitted_at: datetime | None


class Owing(NamedTuple):
    """What the list shows of the unit that owes."""

    code: str
    name: str
    kind: str
    path: str


_OWED = (ObligationRow.key, ObligationRow.period, ObligationRow.due_at, ObligationRow.status,
         ObligationRow.escalation_step, ObligationRow.submitted_at)
_OWING = (UnitRow.code, UnitRow.name, UnitRow.kind, UnitRow.path)


def _where(directive_id: int, floor_path: str, f: ListFilter, now: datetime) -> list[ColumnElement[bool]]:
    # `+ 0` keeps the planner on the subtree's path range (then each unit's obligations by index) rather than on
    # every obligation of a national directive.
    lo, hi = subtree_bounds(floor_path)
    where = [ObligationRow.unit_id == UnitRow.id, ObligationRow.directive_id + 0 == directive_id,
             UnitRow.path >= lo, UnitRow.path < hi]
    if f.status:
        where.append(ObligationRow.status == f.status)
    if f.level is not None:
        where.append(ObligationRow.level == f.level)
    if f.kind:
        where.append(UnitRow.kind == f.kind)
    if f.key:
        where.append(ObligationRow.key == f.key)
    if f.days is not None:
        where.append(ObligationRow.due_at <= now - timedelta(days=f.days))
    if f.rung is not None:
        where.append(ObligationRow.escalation_step >= f.rung)
    return where


def _ordered(where: list[ColumnElement[bool]], f: ListFilter) -> Select[*tuple[Any, ...]]:
    column = {"bac": ObligationRow.escalation_step, "han": ObligationRow.due_at, "don-vi": UnitRow.path,
              "ten": UnitRow.name, "trang-thai": ObligationRow.status}[f.sort]
    first = column.desc() if f.desc else column.asc()
    # Most escalated first also means longest overdue first among equals.
    then = [ObligationRow.due_at.asc()] if f.sort == "bac" else []
    return (select(*_OWED, *_OWING).select_from(ObligationRow).join(UnitRow, UnitRow.id == ObligationRow.unit_id)
            .where(*where).order_by(first, *then, UnitRow.path, ObligationRow.key, ObligationRow.period))


class ObligationLike(Protocol):
    """The obligation's fields a line shows (an Owed, or a stored ObligationRow)."""

    @property
    def period(self) -> int: ...
    @property
    def due_at(self) -> datetime | None: ...
    @property
    def status(self) -> str: ...
    @property
    def escalation_step(self) -> int: ...
    @property
    def submitted_at(self) -> datetime | None: ...


class UnitLike(Protocol):
    """The unit's fields a line shows (an Owing, or a stored UnitRow)."""

    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...


@dataclass(frozen=True)
class Line:
    """One row of the list, with labels instead of keys."""

    obligation: ObligationLike
    unit: UnitLike
    title: str
    area: str  # the unit directly under the anchor that this row falls in
    days_late: int | None


@dataclass(frozen=True)
class Page:
    """A page of the list and what is needed to move through it."""

    lines: list[Line]
    total: int
    filter: ListFilter

    @property
    def pages(self) -> int:
        """Number of pages (at least one)."""
        return max(1, -(-self.total // self.filter.per))

    @property
    def first_row(self) -> int:
        """Rank of the first row shown (1-based), 0 when empty."""
        return 0 if not self.lines else (self.filter.page - 1) * self.filter.per + 1


def children_of(session: Session, anchor: UnitRow) -> list[tuple[str, str, str]]:
    """(code, name, path) of the anchor's direct children, by name."""
    rows = session.execute(select(UnitRow.code, UnitRow.name, UnitRow.path).where(UnitRow.parent_id == anchor.id)
                           .order_by(UnitRow.name)).all()
    return [(code, name, path) for code, name, path in rows]


class Labeller:
    """Turns rows into lines: obligation titles from the plan, the area name from the anchor's children."""

    def __init__(self, directive: DirectiveRow, anchor: UnitRow, children: list[tuple[str, str, str]],
                 now: datetime) -> None:
        self.titles = titles(plan_of(directive))
        self.depth_chars = len(anchor.path) + SEGMENT
        self.areas: dict[str, str] = {path: name for _code, name, path in children}
        self.anchor_name = anchor.name
        self.now = now
        self._title: dict[str, str] = {}

    def line(self, obligation: Owed, unit: Owing) -> Line:
        """The labelled line of one row."""
        late = None
        if obligation.due_at is not None and obligation.status == Status.OVERDUE.value:
            late = max(0, (self.now - obligation.due_at).days)
        area = self.areas.get(unit.path[:self.depth_chars], self.anchor_name)
        title = self._title.get(obligation.key)
        if title is None:
            title = self._title[obligation.key] = title_of(self.titles, obligation.key)
        return Line(obligation, unit, title, area, late)


def scope_path(session: Session, anchor: UnitRow, f: ListFilter) -> str:
    """The subtree the list covers: the anchor's, or the `under` unit's when it lies below the anchor."""
    if not f.under:
        return anchor.path
    path = session.scalar(select(UnitRow.path).where(UnitRow.code == f.under))
    if path is None or not path.startswith(anchor.path):
        raise InputError(f"Bộ lọc “Thuộc”: đơn vị “{f.under[:40]}” không nằm trong {anchor.name}; "
                         "chọn một đơn vị trong danh sách.")
    return path


def _lines(rows: Iterable[Row[Any]], labeller: Labeller) -> Iterator[Line]:
    owed = len(_OWED)
    for row in rows:
        yield labeller.line(Owed(*row[:owed]), Owing(*row[owed:]))


def page_of(session: Session, directive: DirectiveRow, anchor: UnitRow, f: ListFilter, now: datetime,
            children: list[tuple[str, str, str]] | None = None) -> Page:
    """One page of the filtered list (a page past the end shows the last one): a count and one query for the page's
    rows, both over the subtree's path range."""
    where = _where(directive.id, scope_path(session, anchor, f), f, now)
    total = session.scalar(select(func.count()).select_from(ObligationRow)
                           .join(UnitRow, UnitRow.id == ObligationRow.unit_id).where(*where)) or 0
    pages = max(1, -(-total // f.per))
    f = replace(f, page=min(f.page, pages))
    rows = session.execute(_ordered(where, f).offset((f.page - 1) * f.per).limit(f.per)).all()
    labeller = Labeller(directive, anchor, children_of(session, anchor) if children is None else children, now)
    return Page(list(_lines(rows, labeller)), total, f)


def all_lines(session: Session, directive: DirectiveRow, anchor: UnitRow, f: ListFilter, now: datetime,
              batch: int = 2000) -> Iterator[Line]:
    """Every line of the filtered list in order, from one query read in batches as they are written (exports)."""
    query = _ordered(_where(directive.id, scope_path(session, anchor, f), f, now), f)
    labeller = Labeller(directive, anchor, children_of(session, anchor), now)
    yield from _lines(session.execute(query.execution_options(yield_per=batch)), labeller)


@dataclass(frozen=True)
class Choices:
    """The options of the filter form."""

    statuses: list[tuple[str, str]]
    areas: list[tuple[str, str]]
    levels: list[int]
    kinds: list[tuple[str, str]]
    keys: list[tuple[str, str]]
    sorts: dict[str, str]


# (directive id, fingerprint, anchor's path, latest hierarchy change) -> (levels, kinds) present in the subtree.
# Which levels a subtree holds changes only when the plan is amended (new fingerprint) or units change (a new
# hierarchy change row); reading them means every obligation of the subtree, too much for each page.
_PRESENT: dict[tuple[int, str, str, int], tuple[list[int], list[str]]] = {}
_PRESENT_KEPT = 256


def _present(session: Session, directive: DirectiveRow, anchor: UnitRow) -> tuple[list[int], list[str]]:
    changed = session.scalar(select(func.max(HierarchyChange.id))) or 0
    key = (directive.id, directive.fingerprint, anchor.path, changed)
    known = _PRESENT.get(key)
    if known is not None:
        return known
    lo, hi = subtree_bounds(anchor.path)
    levels = session.scalars(
        select(ObligationRow.level).join(UnitRow, UnitRow.id == ObligationRow.unit_id)
        .where(ObligationRow.directive_id + 0 == directive.id, UnitRow.path >= lo, UnitRow.path < hi)
        .distinct().order_by(ObligationRow.level)).all()
    kinds = session.scalars(select(UnitRow.kind).where(UnitRow.path >= lo, UnitRow.path < hi).distinct()).all()
    if len(_PRESENT) >= _PRESENT_KEPT:
        _PRESENT.clear()
    found = _PRESENT[key] = (list(levels), list(kinds))
    return found


def choices(session: Session, directive: DirectiveRow, anchor: UnitRow,
            children: list[tuple[str, str, str]] | None = None) -> Choices:
    """Options for the filters: the anchor's children, the levels and unit kinds present, the plan's obligations."""
    levels, kinds = _present(session, directive, anchor)
    areas = children_of(session, anchor) if children is None else children
    return Choices(
        statuses=[(s.value, STATUS_LABELS[s]) for s in Status],
        areas=[(code, name) for code, name, _path in areas],
        levels=levels,
        kinds=sorted(((k, kind_label(k)) for k in kinds), key=lambda k: k[1]),
        keys=[(o.key, o.title) for o in plan_of(directive).obligations],
        sorts=SORTS,
    )
