"""Benchmark: the drafter over the intake corpus, the score per field and the time per document.

A field's score is the share of the values a careful reader extracts (tests/intake/corpus/*.yaml) that the
draft has right; "sai" counts values the draft gives that the reader does not. Run: .venv/bin/python bench/intake.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

# This script is named like the package it measures: its own folder must not shadow `intake` on the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import yaml  # noqa: E402

from intake.score import FIELDS, FieldScore, score_document  # noqa: E402

CORPUS = Path(__file__).parents[1] / "tests" / "intake" / "corpus"


def _percent(right: int, expected: int) -> str:
    return "–" if not expected else f"{right / expected * 100:.1f}".replace(".", ",") + "%"


def main() -> None:
    """Print the score per field over the corpus, then the total and the time per document."""
    totals = {name: FieldScore() for name in FIELDS}
    documents = sorted(CORPUS.glob("*.txt"))
    refused: list[str] = []
    started = time.perf_counter()
    for doc in documents:
        fixture = yaml.safe_load(doc.with_suffix(".yaml").read_text(encoding="utf-8"))
        scores, drafted = score_document(doc, fixture)
        if not drafted:
            refused.append(doc.name)
        for name, score in scores.items():
            totals[name].expected += score.expected
            totals[name].right += score.right
            totals[name].wrong += [f"{doc.name}: {w}" for w in score.wrong]
    elapsed = (time.perf_counter() - started) / max(len(documents), 1)
    print(f"{'trường':<12} {'đúng':>6} {'cần có':>7} {'tỉ lệ':>7} {'sai':>4}")
    for name, s in totals.items():
        print(f"{name:<12} {s.right:>6} {s.expected:>7} {_percent(s.right, s.expected):>7} {len(s.wrong):>4}")
    right = sum(s.right for s in totals.values())
    expected = sum(s.expected for s in totals.values())
    print(f"{'tổng':<12} {right:>6} {expected:>7} {_percent(right, expected):>7} "
          f"{sum(len(s.wrong) for s in totals.values()):>4}")
    print(f"{len(documents)} văn bản, {elapsed * 1000:.0f} ms mỗi văn bản".replace(".", ","))
    for name in refused:
        print(f"  không đọc thành bản nháp: {name}")
    for s in totals.values():
        for w in s.wrong:
            print(f"  sai: {w}")


if __name__ == "__main__":
    main()
