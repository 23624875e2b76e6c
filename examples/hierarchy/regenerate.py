"""Rewrite the example hierarchy files from their generators: `.venv/bin/python examples/hierarchy/regenerate.py`."""

from __future__ import annotations

from pathlib import Path

from hierarchy.files import write_units
from hierarchy.generate import generate_quang_tri_2017, small_quang_tri_2017

HERE = Path(__file__).parent

# file name -> generator; tests/hierarchy/test_examples.py checks each file still equals its generator's output.
EXAMPLES = {
    "quang-tri-2017.yaml": generate_quang_tri_2017,
    "quang-tri-2017.csv": generate_quang_tri_2017,
    "quang-tri-2017-nho.yaml": small_quang_tri_2017,
}


def main() -> None:
    """Write every example file next to this script."""
    for name, generator in EXAMPLES.items():
        write_units(generator(), HERE / name, format="yaml" if name.endswith(".yaml") else "csv")


if __name__ == "__main__":
    main()
