"""A plan's fingerprint changes with its meaning only; the diff lists each changed field, old → new."""

from __future__ import annotations

from pathlib import Path

import yaml

from plans.document import load_plan, plan_diff, plan_fingerprint

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "47-KH-TU.yaml"


def test_layout_comments_and_key_order_do_not_change_the_fingerprint():
    text = EXAMPLE.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    reordered = yaml.safe_dump(dict(reversed(list(data.items()))), allow_unicode=True, sort_keys=True, width=60)
    assert plan_fingerprint(load_plan(text)) == plan_fingerprint(load_plan("# bản sao\n" + reordered))


def test_spelling_defaults_out_does_not_change_the_fingerprint():
    text = EXAMPLE.read_text(encoding="utf-8")
    explicit = text.replace("  at_least: 1\n", "  at_least: 1\n  seed: 0\n")
    assert plan_fingerprint(load_plan(text)) == plan_fingerprint(load_plan(explicit))


def test_a_changed_deadline_changes_the_fingerprint():
    text = EXAMPLE.read_text(encoding="utf-8")
    changed = text.replace('due: "trước ngày 30/6/2017"', 'due: "trước ngày 15/6/2017"')
    assert plan_fingerprint(load_plan(text)) != plan_fingerprint(load_plan(changed))


def test_decomposed_vietnamese_text_has_the_same_fingerprint():
    import unicodedata

    text = EXAMPLE.read_text(encoding="utf-8")
    assert plan_fingerprint(load_plan(text)) == plan_fingerprint(load_plan(unicodedata.normalize("NFD", text)))


def test_diff_names_the_field_and_both_values():
    old = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    new = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    new["obligations"][1]["due"] = "trước ngày 15/6/2017"
    new["lead_days"] = [3]
    assert plan_diff(old, new) == [
        "lead_days[0]: 5 → 3",
        "obligations[1].due: 'trước ngày 30/6/2017' → 'trước ngày 15/6/2017'",
    ]


def test_diff_of_added_and_removed_items():
    old = {"obligations": [{"key": "a", "due": "22/3/2017"}], "pilot": {"at_least": 1}}
    new = {"obligations": [{"key": "a", "due": "22/3/2017"}, {"key": "b"}]}
    assert plan_diff(old, new) == [
        "obligations[1]: thêm {\"key\": \"b\"}",
        "pilot: bỏ {\"at_least\": 1}",
    ]


def test_identical_plans_have_no_diff():
    plan = load_plan(EXAMPLE)
    assert plan_diff(plan, plan) == []
