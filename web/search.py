"""Finding a unit by name or code and a directive by number or trích yếu, without caring for diacritics.

Units are searched in an index held in memory by each web process, built once from the units table and
rebuilt when the hierarchy changes (a new entry in the hierarchy log, or a new unit id). Why not a folded
name column with a database index: a name search matches words anywhere in the name ("thanh" must find
"Xã Cam Thành"), which a B-tree index cannot serve and which would need a trigram index on PostgreSQL and
nothing equivalent on SQLite; folding in Python handles "đ" the same on both. The index keeps only what the
scan needs (path, folded code, folded name), sorted by path, so the viewer's subtree is a bisected slice:
a province's few thousand units are scanned in about a millisecond; names are read from the database for
the shown results only.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import DirectiveRow, HierarchyChange, UnitRow
from storage.units import subtree_bounds

MAX_RESULTS = 50
_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower case without diacritics ("đ" becomes "d"), punctuation as single spaces: "Xã Cam Thành" →
    "xa cam thanh"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return _NON_WORD.sub(" ", bare).strip()


@dataclass(frozen=True)
class _Entry:
    path: str
    unit_id: int
    code: str  # folded
    name: str  # folded, padded with spaces so that " word" finds a word start


def _rank(entry: _Entry, query: str, squeezed: str, words: list[str]) -> int | None:
    """0 exact code, 1 code prefix, 2 exact name, 3 name prefix, 4 every word starts a word, 5 substring."""
    code_squeezed = entry.code.replace(" ", "")
    if squeezed == code_squeezed:
        return 0
    if code_squeezed.startswith(squeezed):
        return 1
    name = entry.name
    if name == f" {query} ":
        return 2
    if name.startswith(f" {query}"):
        return 3
    if all(f" {w}" in name for w in words):
        return 4
    if query in name or squeezed in code_squeezed:
        return 5
    return None


class UnitIndex:
    """The units of the hierarchy as the search scans them, sorted by path."""

    def __init__(self, session: Session) -> None:
        rows = session.execute(
            select(UnitRow.path, UnitRow.id, UnitRow.code, UnitRow.name).order_by(UnitRow.path)
        ).all()
        self.entries = [_Entry(path, uid, fold(code), f" {fold(name)} ") for path, uid, code, name in rows]
        self.paths = [e.path for e in self.entries]

    def find(self, text: str, floor_path: str, limit: int = MAX_RESULTS) -> tuple[list[int], int]:
        """Ids of the best matches of `text` within the subtree at `floor_path` (best first), and how many matched."""
        query = fold(text)
        if not query:
            return [], 0
        words, squeezed = query.split(), query.replace(" ", "")
        lo, hi = subtree_bounds(floor_path)
        start, stop = bisect_left(self.paths, lo), bisect_left(self.paths, hi)
        hits = []
        for entry in self.entries[start:stop]:
            rank = _rank(entry, query, squeezed, words)
            if rank is not None:
                # within a rank, higher units first (shorter path), then the shorter name
                hits.append((rank, len(entry.path), len(entry.name), entry.code, entry.unit_id))
        hits.sort()
        return [h[-1] for h in hits[:limit]], len(hits)


class SearchIndex:
    """One UnitIndex per process, rebuilt when the hierarchy's version changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: tuple[int | None, int | None] | None = None
        self._index: UnitIndex | None = None

    def get(self, session: Session) -> UnitIndex:
        """The index for the hierarchy as stored now (an import since the last call rebuilds it)."""
        version = (session.scalar(select(func.max(HierarchyChange.id))), session.scalar(select(func.max(UnitRow.id))))
        with self._lock:
            if self._index is None or version != self._version:
                self._index, self._version = UnitIndex(session), version
            return self._index


@dataclass(frozen=True)
class UnitHit:
    """A unit found, with the unit above it to tell namesakes apart."""

    unit: UnitRow
    parent: UnitRow | None


def find_units(session: Session, index: SearchIndex, text: str, floor_path: str,
               limit: int = MAX_RESULTS) -> tuple[list[UnitHit], int]:
    """Units of the subtree at `floor_path` matching `text`, ranked, with their parents; and the number of matches."""
    ids, total = index.get(session).find(text, floor_path, limit)
    if not ids:
        return [], total
    units = {u.id: u for u in session.scalars(select(UnitRow).where(UnitRow.id.in_(ids)))}
    parent_ids = {u.parent_id for u in units.values() if u.parent_id is not None}
    parents = (
        {u.id: u for u in session.scalars(select(UnitRow).where(UnitRow.id.in_(parent_ids)))} if parent_ids else {}
    )
    hits = [UnitHit(units[i], parents.get(units[i].parent_id or 0)) for i in ids if i in units]
    return hits, total


@dataclass(frozen=True)
class DirectiveHit:
    """A directive found: what the results list shows and what the scope check needs."""

    id: int
    number: str
    title: str
    issued_at: datetime
    root_id: int


def find_directives(session: Session, text: str) -> list[DirectiveHit]:
    """Directives whose number or trích yếu contains `text` (folded), exact number first, newest next."""
    query = fold(text)
    if not query:
        return []
    squeezed = query.replace(" ", "")
    scored = []
    rows = session.execute(select(DirectiveRow.id, DirectiveRow.number, DirectiveRow.title, DirectiveRow.issued_at,
                                  DirectiveRow.root_id)).all()
    for row in rows:
        hit = DirectiveHit(*row)
        number = fold(hit.number).replace(" ", "")
        title = f" {fold(hit.title or '')} "
        if number == squeezed:
            rank = 0
        elif number.startswith(squeezed):
            rank = 1
        elif all(f" {w}" in title for w in query.split()):
            rank = 2
        elif squeezed in number or query in title:
            rank = 3
        else:
            continue
        scored.append((rank, -hit.issued_at.timestamp(), hit.id, hit))
    return [s[-1] for s in sorted(scored, key=lambda s: s[:3])]
