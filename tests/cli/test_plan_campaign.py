"""`plan check` on a bounded campaign: how each deadline was understood, the misprints, and the number of
obligations issuing then really creates."""

from __future__ import annotations

import re
from pathlib import Path

from tests.cli.test_cli import trienkhai

PLAN = """
directive:
  number: "12-KH/HU"
  kind: KH
  issuer: QT-DONGHA
  issued_on: 2023-04-10
  title: Kế hoạch học tập chuyên đề năm 2023
  signers: [{form: T/M, body: Ban Thường vụ, title: Bí thư, name: Lê Văn Tám}]
hierarchy: {generator: small_quang_tri_2017}
obligations:
  - {key: sinh-hoat, kind: activity, title: Lồng ghép vào sinh hoạt chi bộ hằng tháng, units: {kinds: [chi_bo]},
     due: "từ tháng 5 đến tháng 9/2023 hằng tháng", peaks: ["30/4", "19/5", "2/9"]}
  - {key: bao-cao, kind: report, title: Báo cáo kết quả, due: "trước ngày 30/6/2022", units: {codes: [QT-DONGHA]}}
"""


def test_plan_check_counts_the_campaign_and_warns_of_a_misprinted_year(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN, encoding="utf-8")
    assert trienkhai("hierarchy", "generate", "--quang-tri-2017", home=tmp_path).returncode == 0
    check = trienkhai("plan", "check", str(plan), home=tmp_path)
    assert check.returncode == 0, check.stderr
    out = " ".join(check.stdout.split())
    cells = re.search(r"“sinh-hoat”: 5 kỳ × (\d+) đơn vị = (\d+) nghĩa vụ", out)
    assert cells is not None, out
    assert int(cells[2]) == 5 * int(cells[1])  # five months per chi bộ, not sixty
    assert "chỉ đến hết ngày 30/9/2023: 5 lần" in out
    assert f"“sinh-hoat-cao-diem-19-5-2023”: 1 kỳ × {cells[1]} đơn vị" in out
    assert "“sinh-hoat-cao-diem-30-4-2023”" not in out  # before the campaign opens
    assert "Lồng ghép vào sinh hoạt chi bộ hằng tháng (đợt cao điểm dịp 2/9/2023)" in out
    assert ("Cảnh báo: Nghĩa vụ “bao-cao” (due): “trước ngày 30/6/2022” (hiểu là 17 giờ 00, thứ Tư, ngày "
            "29/6/2022): hạn ngày 29/6/2022 trước ngày ban hành 10/4/2023") in out
    total = re.search(r"Tổng số nghĩa vụ sẽ tạo: ([\d.]+)", out)
    assert total is not None and int(total[1].replace(".", "")) == 7 * int(cells[1]) + 1
    issue = trienkhai("plan", "issue", str(plan), home=tmp_path)
    assert issue.returncode == 0, issue.stderr
    assert f"{int(total[1].replace('.', '')):,} nghĩa vụ" in issue.stdout


def test_plan_check_warns_when_a_unit_would_get_years_of_monthly_periods(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN.replace("từ tháng 5 đến tháng 9/2023 hằng tháng", "hằng tháng"), encoding="utf-8")
    check = trienkhai("plan", "check", str(plan), home=tmp_path)
    assert check.returncode == 0, check.stderr
    out = " ".join(check.stdout.split())
    assert "“sinh-hoat”: 60 kỳ" in out
    assert "Cảnh báo: mỗi đơn vị sẽ nhận 60 kỳ của “sinh-hoat”; nếu đợt thực hiện ngắn hơn, hãy ghi mốc kết thúc" in out


def test_plan_check_names_ha_tuan_in_how_the_deadline_was_understood(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN.replace("trước ngày 30/6/2022", "hạ tuần tháng 9/2023"), encoding="utf-8")
    check = trienkhai("plan", "check", str(plan), home=tmp_path)
    assert check.returncode == 0, check.stderr
    out = " ".join(check.stdout.split())
    assert ("Hạ tuần tháng 9/2023 (từ ngày 21 đến ngày 30/9/2023), tức trước ngày 1/10/2023: hạn là hết giờ làm "
            "việc của ngày làm việc cuối cùng của tháng, 17 giờ 00, thứ Sáu, ngày 29/9/2023.") in out
