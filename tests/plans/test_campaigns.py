"""Bounded campaigns, peaks, event-relative deadlines and misprint warnings, as the compiled plan shows them."""

from __future__ import annotations

from datetime import date, datetime

from hierarchy.generate import small_quang_tri_2017
from plans.compiled import CompiledPlan, ObligationSpec
from plans.compiler import compile_plan
from plans.document import load_plan
from plans.peaks import title_of
from schedules import LOCAL_TZ, WorkingCalendar

CAL = WorkingCalendar()

HEAD = """
directive:
  number: "12-KH/HU"
  kind: KH
  issuer: QT-DONGHA
  issued_on: 2023-04-10
  title: Kế hoạch học tập chuyên đề năm 2023
  signers: [{form: T/M, body: Ban Thường vụ, title: Bí thư, name: Lê Văn Tám}]
hierarchy: {generator: small_quang_tri_2017}
"""


def compile_text(body: str) -> CompiledPlan:
    return compile_plan(load_plan(HEAD + body), small_quang_tri_2017(), CAL)


def local(y: int, m: int, d: int, h: int = 17) -> datetime:
    return datetime(y, m, d, h, tzinfo=LOCAL_TZ)


def spec(result: CompiledPlan, key: str) -> ObligationSpec:
    return next(o for o in result.obligations if o.key == key)


def test_a_bounded_monthly_due_bounds_the_campaign() -> None:
    result = compile_text("""
obligations:
  - {key: sinh-hoat, kind: activity, title: Lồng ghép vào sinh hoạt chi bộ, units: {kinds: [chi_bo]},
     due: "từ tháng 5 đến tháng 9/2023 hằng tháng"}
""")
    o = spec(result, "sinh-hoat")
    assert o.until == date(2023, 9, 30)
    assert o.opens == datetime(2023, 5, 4, 7, 30, tzinfo=LOCAL_TZ)  # 29/4 to 3/5/2023 were days off
    assert set(o.due_by_level.values()) == {local(2023, 5, 31)}
    assert "5 lần" in (o.due_meaning or "")


def test_the_until_key_and_the_phase_end_bound_a_monthly_obligation() -> None:
    result = compile_text("""
phases:
  - {name: rollout, opens: "ngày 10/4/2023", due: "cuối tháng 8/2023"}
obligations:
  - {key: theo-khoa, kind: activity, title: Học tập hằng tháng, due: "hằng tháng", until: "tháng 9/2023",
     units: {kinds: [chi_bo]}}
  - {key: theo-giai-doan, kind: activity, title: Sinh hoạt hằng tháng, due: "hằng tháng", phase: rollout,
     units: {kinds: [chi_bo]}}
  - {key: ca-hai, kind: activity, title: Cả hai, due: "hằng tháng", until: "30/9/2023", phase: rollout,
     units: {kinds: [chi_bo]}}
""")
    # 30/9/2023 is a Saturday: its period is due Friday 29/9, inside the bound.
    assert spec(result, "theo-khoa").until == date(2023, 10, 1)
    # The phase ends Thursday 31/8; 1/9 to 4/9/2023 are days off, whose anchors would roll back into it.
    assert spec(result, "theo-giai-doan").until == date(2023, 9, 4)
    assert spec(result, "ca-hai").until == date(2023, 9, 4)  # the earliest bound wins


def test_until_on_a_one_off_deadline_is_a_warning() -> None:
    result = compile_text("""
obligations:
  - {key: mot-lan, kind: activity, title: Một lần, due: "chậm nhất ngày 30/6/2023", until: "tháng 9/2023"}
""")
    assert "Nghĩa vụ “mot-lan”: until chỉ có nghĩa với hạn lặp lại (ví dụ “hàng tháng”), nên bị bỏ qua" in (
        result.warnings)
    assert spec(result, "mot-lan").until is None


def test_each_peak_inside_the_campaign_is_an_obligation_of_its_own() -> None:
    result = compile_text("""
obligations:
  - {key: sinh-hoat, kind: activity, title: Lồng ghép vào sinh hoạt chi bộ, units: {kinds: [chi_bo]},
     due: "từ tháng 5 đến tháng 9/2023 hằng tháng", peaks: ["30/4", "19/5", "2/9", "Tháng Thanh niên"]}
""")
    base = spec(result, "sinh-hoat")
    peaks = [o for o in result.obligations if o.peak is not None]
    # 30/4/2023 is before the campaign opens in May.
    assert [o.key for o in peaks] == ["sinh-hoat-cao-diem-19-5-2023", "sinh-hoat-cao-diem-2-9-2023"]
    may, september = peaks
    assert may.title == "Lồng ghép vào sinh hoạt chi bộ (đợt cao điểm dịp 19/5/2023)"
    assert may.unit_codes == base.unit_codes and may.kind == "activity" and may.recurrence is None
    assert set(may.due_by_level.values()) == {local(2023, 5, 22)}  # Friday 19/5 → Monday 22/5
    assert may.opens == datetime(2023, 5, 5, 7, 30, tzinfo=LOCAL_TZ)  # 14 days before
    # 2/9/2023 to 4/9/2023 are days off: the units report on Tuesday 5/9.
    assert set(september.due_by_level.values()) == {local(2023, 9, 5)}
    assert any("cao điểm “Tháng Thanh niên” không phải là một ngày" in w for w in result.warnings)
    titles = {"sinh-hoat": base.title}
    assert title_of(titles, "sinh-hoat-cao-diem-2-9-2023") == (
        "Lồng ghép vào sinh hoạt chi bộ (đợt cao điểm dịp 2/9/2023)")
    assert title_of(titles, "khac") == "khac"


def test_deadlines_count_from_the_event_in_calendar_days() -> None:
    result = compile_text("""
event: {title: Đại hội đại biểu Đảng bộ thành phố, at: "7h30 ngày 20/9/2023", place: Đông Hà}
milestones:
  - {key: nhan-su, title: Hoàn thành đề án nhân sự, assignee: QT-DONGHA, due: "chậm nhất 36 ngày trước đại hội"}
obligations:
  - {key: bao-cao-sau-dai-hoi, kind: report, title: Báo cáo kết quả Đại hội, units: {codes: [QT-DONGHA]},
     due: "sau Đại hội 10 ngày"}
""")
    assert result.milestones[0].due == local(2023, 8, 15)  # 20/9 − 36 days
    # 30/9/2023 is a Saturday: "10 ngày" are calendar days, so the deadline stays there.
    assert set(spec(result, "bao-cao-sau-dai-hoi").due_by_level.values()) == {local(2023, 9, 30)}


def test_misprints_are_warnings_with_the_phrase_and_what_was_understood() -> None:
    result = compile_text("""
phases:
  - {name: rollout, opens: "ngày 10/4/2023", due: "cuối tháng 6/2023"}
  - {name: close, opens: "từ tháng 7/2023", due: "trước ngày 1/7/2023"}
obligations:
  - {key: nam-cu, kind: report, title: Báo cáo, due: "trước ngày 30/6/2022", units: {codes: [QT-DONGHA]}}
  - {key: sai-thu, kind: activity, title: Hội nghị, due: "8h00, thứ ba, ngày 12/6/2023", units: {codes: [QT-DONGHA]}}
  - {key: qua-giai-doan, kind: activity, title: Tọa đàm, phase: rollout, due: "chậm nhất ngày 20/7/2023",
     units: {codes: [QT-DONGHA]}}
""")
    w = result.warnings
    assert ("Nghĩa vụ “nam-cu” (due): “trước ngày 30/6/2022” (hiểu là 17 giờ 00, thứ Tư, ngày 29/6/2022): "
            "hạn ngày 29/6/2022 trước ngày ban hành 10/4/2023; có thể in nhầm ngày, tháng hoặc năm") in w
    assert any(x.startswith("Nghĩa vụ “sai-thu” (due): “8h00, thứ ba, ngày 12/6/2023”") and
               "văn bản ghi thứ Ba nhưng ngày 12/6/2023 là thứ Hai" in x for x in w)
    assert any(x.startswith("Nghĩa vụ “qua-giai-doan”: hạn 17 giờ 00, thứ Năm, ngày 20/7/2023 sau khi giai đoạn")
               for x in w)
    assert ("Giai đoạn “close”: kết thúc (17 giờ 00, thứ Sáu, ngày 30/6/2023) trước khi bắt đầu (7 giờ 30, thứ "
            "Hai, ngày 3/7/2023); có thể in nhầm ngày") in w
    # Warnings do not refuse: the deadlines are still compiled as written.
    assert set(spec(result, "sai-thu").due_by_level.values()) == {local(2023, 6, 12, 8)}


def test_a_monthly_obligation_of_a_later_phase_starts_when_the_phase_opens() -> None:
    result = compile_text("""
phases:
  - {name: rollout, opens: "từ tháng 7/2023", due: "cuối tháng 10/2023"}
obligations:
  - {key: sinh-hoat, kind: activity, title: Sinh hoạt chuyên đề, phase: rollout, due: "hằng tháng",
     units: {kinds: [chi_bo]}}
""")
    o = spec(result, "sinh-hoat")
    # Not April (the issue month): the first period is July's, the last October's.
    assert set(o.due_by_level.values()) == {local(2023, 7, 31)}
    assert o.until == date(2023, 10, 31)
    assert "Đợt thực hiện bắt đầu 7 giờ 30, thứ Hai, ngày 3/7/2023: lần đầu 17 giờ 00, thứ Hai, ngày 31/7/2023." in (
        o.due_meaning or "")


def test_a_peak_of_a_report_is_an_activity_without_fields() -> None:
    result = compile_text("""
obligations:
  - {key: bao-cao, kind: report, title: Báo cáo hằng quý, units: {kinds: [chi_bo]},
     due: "hàng quý đến hết tháng 12/2023", peaks: ["2/9"], fields: [{name: so_buoi, label: Số buổi, type: int}]}
""")
    [peak] = [o for o in result.obligations if o.peak]
    assert (peak.key, peak.kind, peak.fields, peak.route_via) == ("bao-cao-cao-diem-2-9-2023", "activity", [], None)


def test_an_activity_without_a_deadline_still_gets_its_peaks() -> None:
    result = compile_text("""
obligations:
  - {key: tuyen-truyen, kind: activity, title: Tuyên truyền, units: {kinds: [chi_bo]}, peaks: ["19/5"]}
""")
    [peak] = [o for o in result.obligations if o.peak]
    assert peak.unit_codes == spec(result, "tuyen-truyen").unit_codes
    assert set(peak.due_by_level.values()) == {local(2023, 5, 22)}
