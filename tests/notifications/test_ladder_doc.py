"""docs/plan-language.md, the ladder's section: its keys are the schema's, its example reads as it says, and every
signature its table shows is what the .docx letter prints."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from pathlib import Path

import docx
import pytest
import yaml

from notifications.compose import signature_of
from notifications.docx_letter import build_letter
from notifications.forms import organisation_form
from notifications.preview import sample_context
from plans.schema import EscalationStep, Signer
from rollout.ladder import Step

PAGE = Path(__file__).resolve().parents[2] / "docs" / "plan-language.md"
SECTION = "## Nhắc hạn, đôn đốc: các bậc, kênh gửi và người ký (`escalation`)"


def _lines_after(heading: str) -> list[str]:
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    return lines[lines.index(heading) + 1:]


def _table(heading: str) -> list[list[str]]:
    """The body rows of the first table after the heading, as stripped cells."""
    rows: list[list[str]] = []
    for line in _lines_after(heading):
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif rows:
            break
    return rows[2:]


def _example() -> dict:  # type: ignore[type-arg]
    text = "\n".join(_lines_after(SECTION))
    found = re.search(r"```yaml\n(.*?)```", text, re.S)
    assert found
    return yaml.safe_load(found[1])  # type: ignore[no-any-return]


def test_the_keys_table_names_every_key_of_a_rung() -> None:
    assert [row[0].strip("`") for row in _table(SECTION)] == list(EscalationStep.model_fields)


def test_the_example_ladder_goes_as_the_page_says() -> None:
    example = _example()
    steps = [EscalationStep.model_validate(s) for s in example["escalation"]]
    ladder = [Step(s.offset, s.action, s.signer, s.channel) for s in steps]
    assert [s.through_line(example["chase_channel"]) for s in ladder] == [True, True, False, False]
    assert Signer.model_validate(example["directive"]["office_signer"]).form == "T/L"


@pytest.mark.parametrize("row", _table("### Khối chữ ký in trên công văn"))
def test_each_signature_of_the_table_is_printed_on_the_letter(row: list[str]) -> None:
    written, party, doan = row
    signer = Signer.model_validate(yaml.safe_load(written)) if written.startswith("{") else None
    for name, kind, expected in (("Tỉnh ủy Quảng Trị", "tinh_uy", party), ("Tỉnh đoàn Quảng Trị", "tinh_doan", doan)):
        form = organisation_form(name, kind)
        context = replace(sample_context("cong_van_don_doc"), family=form.family, signature=signature_of(form, signer))
        letter = docx.Document(io.BytesIO(build_letter(context)))
        # A collective too wide for the column ("TL. BAN THƯỜNG VỤ" / "TỈNH ĐOÀN") is one line of the table.
        printed = [p.text.replace("\n", " ") for p in letter.tables[1].cell(0, 1).paragraphs if p.text]
        assert " / ".join(printed) == expected
