"""Department names as the report body shortens them, and the file names of a run's outputs."""

from __future__ import annotations

from datetime import date

from notifications.docx_letter import _ascii_slug

__all__ = ["file_stem", "short_department"]


def short_department(department: str, issuer: str) -> str:
    """"Ban Tuyên giáo Tỉnh ủy" under "Tỉnh ủy Quảng Trị" → "Ban Tuyên giáo": the header names the committee
    above it."""
    words, issuer_words = department.split(), issuer.split()
    for cut in range(1, len(words)):
        tail = words[cut:]
        if issuer_words[: len(tail)] == tail:
            return " ".join(words[:cut])
    return department


def file_stem(number: str, week: date) -> str:
    """ASCII stem shared by a directive's files of one week: bao-cao-tong-hop_47-KH-TU_2017-06-26."""
    return f"bao-cao-tong-hop_{_ascii_slug(number)}_{week.isoformat()}"
