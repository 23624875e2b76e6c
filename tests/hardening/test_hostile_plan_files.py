"""Hostile and odd plan files: each is refused with the line, the field and what would be valid, quickly."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from errors import PlanError
from plans.document import load_plan, plan_problems

EXAMPLE = (Path(__file__).parents[2] / "examples" / "ben-tre-hoi-nghi-2021.yaml").read_text(encoding="utf-8")


def changed(old: str, new: str) -> str:
    """The Bến Tre example plan with one piece replaced."""
    assert EXAMPLE.count(old) == 1, old
    return EXAMPLE.replace(old, new)


def plan_bomb() -> str:
    """A plan whose `peaks` expand to 10^8 strings through nine levels of ten aliases."""
    lines = ["x0: &x0 [a, a, a, a, a, a, a, a, a, a]"]
    lines += [f"x{i}: &x{i} [" + ", ".join([f"*x{i - 1}"] * 10) + "]" for i in range(1, 9)]
    return "\n".join(lines) + "\n" + EXAMPLE


ISSUED = "  issued_on: 2021-05-10\n"
DUE = '    due: "5 ngày làm việc trước hạn của cấp trên"\n'
TITLE = "    title: Hoàn chỉnh hồ sơ khen thưởng 12 tập thể và 12 cá nhân\n"
ONE_ALIAS = "fields: &f [{name: so, label: Số, type: int}]\n"

# name, plan text, line, field, fragments of the message
CASES: list[tuple[str, str, int | None, str | None, tuple[str, ...]]] = [
    ("bom-bi-danh.yaml", plan_bomb(), 6, None, ("mở ra quá 200.000 mục",)),
    ("qua-nhieu-bi-danh.yaml", "a: &a x\n" + "".join(f"b{i}: *a\n" for i in range(101)) + EXAMPLE, 102, None,
     ("quá 100 bí danh",)),
    ("bi-danh-tu-tro.yaml", "vong: &v [1, *v]\n" + EXAMPLE, 1, None, ("lặp vô hạn",)),
    ("long-5000-tang.yaml", "x: " + "[" * 5000 + "]" * 5000 + "\n" + EXAMPLE, 1, None, ("lồng nhau quá 50 tầng",)),
    ("dong-30000-ky-tu.yaml", changed(TITLE, "    title: " + "Đ" * 30_000 + "\n"), 88, None,
     ("dòng dài 30.011 ký tự", "quá giới hạn 20.000 ký tự mỗi dòng")),
    ("ngay-lam-viec-100-trieu.yaml", changed(DUE, "    within_working_days: 100000000\n"), 68,
     "obligations[0].within_working_days", ("“100000000”", "từ 1 đến 250")),
    ("ngay-ban-hanh-9999.yaml", changed(ISSUED, "  issued_on: 9999-12-31\n"), 10, "directive.issued_on",
     ("31/12/9999", "từ 1/1/1930 đến 31/12/2100")),
    ("ngay-ban-hanh-0001.yaml", changed(ISSUED, "  issued_on: 1/1/0001\n"), 10, "directive.issued_on",
     ("1/1/1", "từ 1/1/1930 đến 31/12/2100")),
    ("han-nam-9999.yaml", changed('"chậm nhất ngày 21/5/2021"', '"chậm nhất ngày 21/5/9999"'), 81, "milestones[0].due",
     ("năm “9999”", "từ 1930 đến 2100")),
    ("dai-bieu-10-mu-23.yaml", changed("delegates: 80", "delegates: 100000000000000000000000"), 60,
     "event.delegates", ("“100000000000000000000000”", "từ 0 đến 100000")),
    ("chi-tieu-10-mu-23.yaml", changed("{codes: [TD-BT], value: 5}", "{codes: [TD-BT], value: " + "9" * 30 + "}"),
     104, "quotas[0].rules[6].value", ("từ 0 đến 100000",)),
    ("so-5000-chu-so.yaml", changed("delegates: 80", "delegates: " + "9" * 5000), 60, "event.delegates",
     ("quá dài để là một số", "(5.000 ký tự)")),
    ("ngay-bao-truoc-100-trieu.yaml", changed("lead_days: [0]", "lead_days: [100000000]"), 70,
     "obligations[0].lead_days[0]", ("từ 0 đến 250",)),
    ("so-lan-100-trieu.yaml", changed("lead_days: [0]", "lead_days: [0]\n    times_per_year: [1, 100000000]"), 71,
     "obligations[0].times_per_year[1]", ("từ 1 đến 366",)),
    ("dang-vien-toi-thieu-am.yaml",
     changed("  roots: [TU-BT, TD-BT]\n", "  roots: [TU-BT, TD-BT]\n  min_members: -1\n"), 52,
     "targets.min_members", ("từ 0 đến 10000000",)),
    ("ty-le-nan.yaml", EXAMPLE + "phases:\n  - name: rollout\n    gate: {share: .nan}\n", 107, "phases[0].gate.share",
     ("không phải một số hữu hạn",)),
    ("khoa-trung.yaml", changed("  kind: KHPH\n", "  kind: KHPH\n  kind: KH\n"), 8, "directive.kind",
     ("ghi hai lần", "dòng 7 và dòng 8")),
    ("lien-he-chen-bcc.yaml",
     changed(ISSUED, ISSUED + '  contact: {name: Nguyễn Văn A, email: "a@bentre.dcs.vn\\nBcc: attacker@evil.test"}\n'),
     11, "directive.contact.email", ("dấu xuống dòng ở ký tự thứ 16",)),
    ("lien-he-hai-dia-chi.yaml",
     changed(ISSUED, ISSUED + "  contact: {name: Nguyễn Văn A, email: 'a@bentre.dcs.vn, attacker@evil.test'}\n"),
     11, "directive.contact.email", ("đúng một địa chỉ email",)),
    ("tieu-de-dao-chieu.yaml", changed(TITLE, '    title: "Hồ sơ khen thưởng \u202eXYZ"\n'), 88, "milestones[2].title",
     ("ký tự đảo chiều văn bản U+202E",)),
    ("tieu-de-tab.yaml", changed(TITLE, '    title: "Hồ sơ\\tkhen thưởng"\n'), 88, "milestones[2].title",
     ("dấu tab ở ký tự thứ 6",)),
    ("tieu-de-2000-ky-tu.yaml", changed(TITLE, "    title: " + "Đ" * 2000 + "\n"), 88, "milestones[2].title",
     ("dài 2.000 ký tự, quá giới hạn 1.000 ký tự",)),
    ("tieu-de-nhieu-dong.yaml", changed(TITLE, "    title: |\n      Hồ sơ\n      khen thưởng\n"), 88,
     "milestones[2].title", ("dấu xuống dòng", "viết trên một dòng")),
    ("tieu-de-nul.yaml", changed(TITLE, "    title: Hồ sơ\x00\n"), 88, None,
     ("ký tự NUL không được phép trong tệp YAML",)),
    ("ma-ky-tu-an.yaml", changed("  - key: khen-thuong\n", "  - key: \"khen-thuong\u200b\"\n"), 87,
     "milestones[2].key", ("dấu cách độ rộng 0",)),
    ("so-hieu-70-ky-tu.yaml", changed('  number: "89-KHPH/BTC-TĐTN"\n', '  number: "89-KHPH/' + "A" * 70 + '"\n'), 6,
     "directive.number", ("quá giới hạn 64 ký tự",)),
    ("don-vi-dieu-khien.yaml", changed("  exclude: [TU-BT-BTC, TU-BT-BDV, TD-BT-TCKT]\n",
                                       '  exclude: [TU-BT-BTC, "TU-BT\\x07"]\n'), 53, "targets.exclude[1]",
     ("ký tự điều khiển U+0007",)),
]


@pytest.mark.parametrize(("name", "text", "line", "field", "fragments"), CASES, ids=[c[0] for c in CASES])
def test_hostile_plan_is_refused_saying_where_and_what_is_valid(
        name: str, text: str, line: int | None, field: str | None, fragments: tuple[str, ...]
) -> None:
    started = time.monotonic()
    problems = plan_problems(text, name=name)
    assert time.monotonic() - started < 10
    found = [p for p in problems if all(f in p.message for f in fragments)]
    assert found, [str(p) for p in problems]
    assert (found[0].source, found[0].line, found[0].field) == (name, line, field), str(found[0])


def test_a_plan_file_over_five_megabytes_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "ke-hoach-lon.yaml"
    path.write_text(EXAMPLE + "# " + "x" * 6_000_000 + "\n", encoding="utf-8")
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    [problem] = caught.value.problems
    assert problem.source == str(path) and "lớn hơn giới hạn 5 MB" in problem.message


def test_aliases_the_examples_use_still_work() -> None:
    shared = (Path(__file__).parents[2] / "examples" / "dang-uy-khoi-hoc-tap-2018.yaml").read_text(encoding="utf-8")
    assert "*truong-bao-cao" in shared and plan_problems(shared) == []
    reports = [o for o in load_plan(shared).obligations if o.fields]
    assert len(reports) == 3 and reports[0].fields == reports[1].fields == reports[2].fields
