"""The Party and Đoàn hierarchy: units, kinds, the graph and its rules, files and generators."""

from hierarchy.files import HierarchyDiff, diff_units, read_units, write_units
from hierarchy.generate import generate_national, generate_quang_tri_2017, small_quang_tri_2017
from hierarchy.graph import ancestors, build_graph, depth, level, subtree, validate
from hierarchy.model import (
    ALLOWED_CHILDREN,
    CATEGORY_LABELS,
    KIND_LABELS,
    ROOT_KINDS,
    Category,
    Contacts,
    Kind,
    Unit,
)

__all__ = [
    "ALLOWED_CHILDREN",
    "CATEGORY_LABELS",
    "KIND_LABELS",
    "ROOT_KINDS",
    "Category",
    "Contacts",
    "HierarchyDiff",
    "Kind",
    "Unit",
    "ancestors",
    "build_graph",
    "depth",
    "diff_units",
    "generate_national",
    "generate_quang_tri_2017",
    "level",
    "read_units",
    "small_quang_tri_2017",
    "subtree",
    "validate",
    "write_units",
]
