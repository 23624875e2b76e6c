"""Deterministic generators of real-shaped hierarchies, each returning units parent before child."""

from __future__ import annotations

from hierarchy.national import generate_national
from hierarchy.quang_tri_2017 import generate_quang_tri_2017, small_quang_tri_2017

GENERATORS = {
    "national": generate_national,
    "quang_tri_2017": generate_quang_tri_2017,
    "small_quang_tri_2017": small_quang_tri_2017,
}

__all__ = ["GENERATORS", "generate_national", "generate_quang_tri_2017", "small_quang_tri_2017"]
