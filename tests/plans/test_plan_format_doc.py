"""docs/plan-format.md and `trienkhai plan schema`: every key of the plan file is documented, with the meaning and
example the schema gives editors, and nothing is documented that the plan file does not accept."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from plans.reference import KEYS, OBJECTS, plan_json_schema
from plans.schema import Plan

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "plan-format.md"
SCHEMA = plan_json_schema()


class _AsWritten(yaml.SafeLoader):
    """YAML as an editor's validator reads it: dates stay the text written."""


_AsWritten.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: str(node.value))


def _tables() -> dict[str, list[list[str]]]:
    """The rows (cells) of the table after each `<!-- object: Name -->` marker of the page."""
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    out: dict[str, list[list[str]]] = {}
    for i, line in enumerate(lines):
        marker = re.fullmatch(r"<!-- object: (\w+) -->", line.strip())
        if marker is None:
            continue
        rows = []
        for row in lines[i + 1:]:
            if row.startswith("|"):
                rows.append([cell.strip() for cell in row.strip().strip("|").split("|")])
            elif rows:
                break
        out[marker.group(1)] = rows[2:]  # header and separator
    return out


TABLES = _tables()


def _node(name: str) -> dict[str, Any]:
    return SCHEMA if name == "Plan" else SCHEMA["$defs"][name]


def test_every_object_of_the_schema_has_its_table_and_no_other() -> None:
    objects = {name for name, node in SCHEMA["$defs"].items() if "properties" in node} | {"Plan"}
    assert set(TABLES) == objects == set(OBJECTS)


@pytest.mark.parametrize("name", sorted(OBJECTS))
def test_each_key_is_documented_as_the_schema_says_and_no_other(name: str) -> None:
    node = _node(name)
    documented = {row[0].strip("`"): row for row in TABLES[name]}
    assert set(documented) == set(node["properties"]), f"{name}: keys of the page differ from the schema"
    required = set(node.get("required", []))
    for key, (required_cell, meaning, example) in ((k, row[1:4]) for k, row in documented.items()):
        assert required_cell == ("có" if key in required else "không"), f"{name}.{key}: required"
        assert meaning == node["properties"][key]["description"], f"{name}.{key}: meaning"
        assert example == f"`{KEYS[name][key][1]}`", f"{name}.{key}: example"


@pytest.mark.parametrize("name", sorted(OBJECTS))
def test_each_example_is_a_value_the_schema_accepts(name: str) -> None:
    for prop in _node(name)["properties"].values():
        for example in prop.get("examples", []):
            jsonschema.validate(example, {"$defs": SCHEMA["$defs"], **prop})


def test_the_schema_describes_everything_in_vietnamese_without_english_titles() -> None:
    text = json.dumps(SCHEMA, ensure_ascii=False)
    assert '"title": "Obligation"' not in text and '"title": "Lead Days"' not in text
    for name in OBJECTS:
        node = _node(name)
        assert node["description"] == OBJECTS[name]
        assert all(prop.get("description") for prop in node["properties"].values())


def test_the_short_example_of_the_page_is_a_valid_plan() -> None:
    example = re.search(r"## Ví dụ ngắn\n\n```yaml\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)
    assert example is not None
    data = yaml.load(example.group(1), Loader=_AsWritten)  # noqa: S506  (a safe loader)
    jsonschema.validate(data, SCHEMA)
    Plan.model_validate(data)


@pytest.mark.parametrize("plan", sorted((ROOT / "examples").glob("*.yaml")), ids=lambda p: p.name)
def test_every_example_plan_passes_the_schema_an_editor_checks(plan: Path) -> None:
    data = yaml.load(plan.read_text(encoding="utf-8"), Loader=_AsWritten)  # noqa: S506  (a safe loader)
    jsonschema.validate(data, SCHEMA)


def test_the_schema_refuses_what_plan_check_refuses() -> None:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    plan = yaml.load((ROOT / "examples" / "doi-thoai-thanh-nien-2024.yaml").read_text(encoding="utf-8"),
                     Loader=_AsWritten)  # noqa: S506  (a safe loader)
    plan["obligations"][0]["deu"] = plan["obligations"][0].pop("due")  # a mistyped key
    plan["chase_channel"] = "email"
    problems = sorted(".".join(map(str, e.absolute_path)) or e.message for e in validator.iter_errors(plan))
    assert "chase_channel" in problems and any("obligations.0" in p or "deu" in p for p in problems)


def test_plan_schema_prints_the_schema_and_writes_it_to_a_file(tmp_path: Path) -> None:
    env = {**os.environ, "TRIENKHAI_HOME": str(tmp_path), "TRIENKHAI_CONFIG": str(tmp_path / "none.toml")}
    printed = subprocess.run([sys.executable, "-m", "cli.main", "plan", "schema"], capture_output=True, text=True,
                             env=env, cwd=ROOT, timeout=120)
    assert printed.returncode == 0, printed.stderr
    schema = json.loads(printed.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$defs"]["Event"]["properties"]["at"]["description"] == "Thời gian tổ chức, ghi như văn bản."
    assert schema["$defs"]["Event"]["properties"]["at"]["examples"] == ["14h00 ngày 27/6/2024"]
    out = tmp_path / "ke-hoach.schema.json"
    written = subprocess.run([sys.executable, "-m", "cli.main", "plan", "schema", "-o", str(out)],
                             capture_output=True, text=True, env={**env, "COLUMNS": "300"}, cwd=ROOT, timeout=120)
    assert written.returncode == 0, written.stderr
    assert json.loads(out.read_text(encoding="utf-8")) == schema
    assert f"# yaml-language-server: $schema={out}" in written.stdout
