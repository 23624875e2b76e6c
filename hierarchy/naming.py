"""Codes, names and addresses built from Vietnamese names; the unit factory and GC pause that bulk code shares."""

from __future__ import annotations

import gc
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from hierarchy.model import Category, Contacts, Kind, Unit

_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]+")


def ascii_slug(text: str, sep: str = "") -> str:
    """Upper-case ASCII letters and digits of `text`, diacritics dropped and đ read as d."""
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return _NOT_ALNUM.sub(sep, plain).strip(sep).upper()


def make_unit(code: str, name: str, kind: Kind, parent: str | None, *, domain: str,
              category: Category | None = None, members: int = 0, route_via: str | None = None,
              led_by: str | None = None, valid_from: date | None = None, valid_to: date | None = None,
              phone: str | None = None) -> Unit:
    """A unit whose email is the code turned into an address at the committee's domain."""
    email = code.lower().replace("-", ".") + "@" + domain
    return Unit(code=code, name=name, kind=kind, parent_code=parent, category=category, member_count=members,
                contacts=Contacts(email=email, phone=phone), route_via=route_via, led_by=led_by,
                valid_from=valid_from, valid_to=valid_to)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while hundreds of thousands of acyclic objects are created."""
    # Units, rows and contacts hold no reference cycles; the collector would only rescan them, over and over.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
