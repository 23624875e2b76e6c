"""The Party and Đoàn hierarchy: units, kinds, the graph and its rules, files and generators."""

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

__all__ = ["ALLOWED_CHILDREN", "CATEGORY_LABELS", "KIND_LABELS", "ROOT_KINDS", "Category", "Contacts", "Kind", "Unit"]
