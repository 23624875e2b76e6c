"""Every example plan loads, compiles against the hierarchy it names, and gives the numbers a clerk computes."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hierarchy.generate import small_quang_tri_2017
from plans.compiler import compile_plan
from plans.document import load_plan, plan_units
from schedules import WorkingCalendar

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkingCalendar()


def at(day: int, month: int, year: int, hour: int = 17, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN)


def compiled(name: str):
    plan = load_plan(EXAMPLES / name)
    return compile_plan(plan, plan_units(plan, EXAMPLES), CAL)


def by_key(plan, key: str):
    return next(o for o in plan.obligations if o.key == key)


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_every_example_compiles_without_warnings(name):
    result = compiled(name)
    assert result.targets and result.obligations
    assert result.warnings == []


# --- 47-KH/TU on the small Quảng Trị 2017 (3 districts, 1 bloc; every unit listed in hierarchy/quang_tri_2017.py)


@pytest.fixture(scope="module")
def kh47_small():
    return compile_plan(load_plan(EXAMPLES / "47-KH-TU.yaml"), small_quang_tri_2017(), CAL)


def test_47_pilot_one_chi_bo_per_category_in_each_district(kh47_small):
    assert [c.code for c in kh47_small.pilot] == [
        # Cam Lộ: nông thôn, phường/thị trấn, cơ quan, doanh nghiệp, sự nghiệp (no armed forces there)
        "QT-CAMLO-CAMTHANH-CB01", "QT-CAMLO-TTCAMLO-CB01", "QT-CAMLO-CQ", "QT-CAMLO-DN", "QT-CAMLO-GD",
        # Đông Hà: phường, sự nghiệp, lực lượng vũ trang
        "QT-DONGHA-P1-CB01", "QT-DONGHA-YT", "QT-DONGHA-CA-CB01",
        # Gio Linh: all but sự nghiệp
        "QT-GIOLINH-GIOAN-CB01", "QT-GIOLINH-TTGIOLINH-CB01", "QT-GIOLINH-CQ", "QT-GIOLINH-DN",
        "QT-GIOLINH-QS-CB01",
        # the bloc: its only category, cơ quan; "QT-KCQ-01" sorts before "QT-KCQ-02-CB01"
        "QT-KCQ-01",
    ]
    rules = {c.code: c.rule for c in kh47_small.pilot}
    assert rules["QT-CAMLO-DN"] == "Huyện ủy Cam Lộ: chi bộ đầu tiên (theo mã) loại hình doanh nghiệp"
    assert rules["QT-KCQ-01"] == "Đảng ủy Khối các cơ quan tỉnh: chi bộ đầu tiên (theo mã) loại hình cơ quan"


def test_47_targets_by_level(kh47_small):
    summary = kh47_small.summary()
    # 3 districts + 1 bloc; their 15 grassroots organisations; 19 chi bộ of the đảng bộ cơ sở
    assert summary["targets_by_level"] == {1: 4, 2: 15, 3: 19}
    assert summary["targets_by_kind"] == {
        "chi_bo": 19, "chi_bo_co_so": 7, "dang_bo_co_so": 8, "dang_uy_truc_thuoc": 1, "huyen_uy": 3,
    }


def test_47_pilot_report_deadlines_per_level(kh47_small):
    report = by_key(kh47_small, "bao-cao-chi-dao-diem")
    # "trước ngày 30/6/2017" (a Friday): the districts are due Thursday 29/6; each level below 5 working days earlier.
    assert report.due_by_level == {1: at(29, 6, 2017), 2: at(22, 6, 2017), 3: at(15, 6, 2017)}
    assert report.route_via == "TU-QT-BTG"
    # The 14 pilot units and the units above them that consolidate: 4 districts/bloc, 7 đảng bộ cơ sở.
    assert len(report.unit_codes) == 25
    assert "QT-GIOLINH" in report.unit_codes and "QT-GIOLINH-GIOAN" in report.unit_codes
    assert "QT-GIOLINH-GIOAN-CB02" not in report.unit_codes  # not a pilot chi bộ
    assert [f.name for f in report.fields if f.sum] == ["so_dien_dan", "so_dang_vien_tham_du", "giai_phap"]


def test_47_yearly_report_before_31_december(kh47_small):
    report = by_key(kh47_small, "bao-cao-hang-nam")
    # 31/12/2017 is a Sunday: "before" it is Friday 29/12.
    assert report.due_by_level == {1: at(29, 12, 2017), 2: at(22, 12, 2017), 3: at(15, 12, 2017)}
    assert report.recurrence is not None and "FREQ=YEARLY" in report.recurrence
    assert report.opens == at(3, 7, 2017, 7, 30)  # the rollout phase opens Monday 3/7/2017
    assert len(report.unit_codes) == 38


def test_47_phases_and_gate(kh47_small):
    pilot, review, rollout = kh47_small.phases
    assert (pilot.name, pilot.label_vi, pilot.opens) == ("pilot", "Chỉ đạo điểm", at(3, 4, 2017, 7, 30))
    assert review.due == at(30, 6, 2017)
    assert rollout.opens == at(3, 7, 2017, 7, 30)
    assert (rollout.gate.min_share_reported, rollout.gate.approval_required) == (0.8, True)
    assert rollout.gate.counts_obligation == "bao-cao-chi-dao-diem"


def test_47_chi_bo_plans_and_forums(kh47_small):
    plans = by_key(kh47_small, "ke-hoach-chi-bo")
    # 15 working days from 3/7/2017 for chi bộ cơ sở; the chi bộ of a đảng bộ cơ sở 15 more after it.
    assert plans.due_by_level == {2: at(24, 7, 2017), 3: at(14, 8, 2017)}
    forum = by_key(kh47_small, "dien-dan")
    assert forum.times_per_year == (1, 2) and forum.in_monthly_meetings
    assert len(forum.unit_codes) == 26
    assert set(by_key(kh47_small, "dien-dan-diem").unit_codes) == {c.code for c in kh47_small.pilot}


def test_47_on_the_full_quang_tri_2017():
    result = compiled("47-KH-TU.yaml")
    levels = result.summary()["targets_by_level"]
    assert levels[1] == 15  # 10 district-level committees and 5 bloc committees
    # Every district covers each category it has (Đông Hà: no nông thôn; Cồn Cỏ: only agencies and
    # armed forces), the blocs their own: 5 + 6×8 + 4 + 2 + 1 + 1 + 1 + 1.
    assert len(result.pilot) == 63


# --- Tỉnh đoàn Trà Vinh, forum of 11/2020


def test_tra_vinh_forum():
    result = compiled("tinh-doan-tra-vinh-dien-dan-2020.yaml")
    assert result.directive.implements[0].number == "288-KH/TWĐTN-BGT"
    assert len(result.directive.recipients.bc) == 4
    assert result.event.at == at(30, 11, 2020)  # "trong tháng 11/2020": the last working day of the month
    talks = by_key(result, "tham-luan")
    assert talks.unit_codes == ("TD-TV-TG", "TD-TV-PT", "TD-TV-VP", "TD-TV-TTSH")
    assert talks.due_by_level == {1: at(13, 11, 2020)}
    assert [(m.key, m.assignee_code, m.due) for m in result.milestones] == [
        ("tham-muu", "TD-TV-TCKT", at(6, 11, 2020)),
        ("dien-dan", "TD-TV-TCKT", at(30, 11, 2020)),
    ]
    assert result.summary()["targets_by_kind"] == {"ban": 5, "doan_khoi": 1, "huyen_doan": 9}


# --- Bến Tre joint Party–Đoàn conference, 13:30 31/5/2021


def test_ben_tre_conference():
    result = compiled("ben-tre-hoi-nghi-2021.yaml")
    d = result.directive
    assert (d.issuer_code, d.co_issuer_codes) == ("TU-BT-BTC", ("TD-BT",))
    assert (d.signer.form, d.signer.name) == ("T/M", "Võ Tuấn Thông")
    assert [(s.form, s.name) for s in d.co_signers] == [("K/T", "Đặng Văn Thanh")]
    assert result.event.at == at(31, 5, 2021, 13, 30)
    assert (result.event.delegates, dict(result.event.awards)) == (80, {"ca_nhan": 12, "tap_the": 12})
    talks = by_key(result, "noi-dung-thao-luan")
    # 10 district Ban Tổ chức and 10 district-level Đoàn; 5 working days before Monday 31/5 is Monday 24/5.
    assert len(talks.unit_codes) == 20
    assert set(talks.due_by_level.values()) == {at(24, 5, 2021)}
    quota = result.quotas[0]
    # 10 committees + 10 Ban Tổ chức + 10 Đoàn secretaries, 1 each; Tỉnh ủy 2, its BTC 2, BDV 1, Tỉnh đoàn 5.
    assert quota.total == 40
    assert (quota.per_unit["TD-BT"], quota.per_unit["BT-BATRI-BTC"]) == (5, 1)


# --- The bloc committee's cascade of a provincial plan


def test_bloc_committee_cascade():
    result = compiled("dang-uy-khoi-hoc-tap-2018.yaml")
    plans = by_key(result, "ke-hoach")
    # 7 grassroots organisations of the bloc (level 1) and the 18 chi bộ of its 4 đảng bộ cơ sở (level 2)
    assert len(plans.unit_codes) == 25
    assert plans.due_by_level == {1: at(19, 3, 2018), 2: at(2, 4, 2018)}
    study = by_key(result, "sinh-hoat-chuyen-de")
    assert study.peaks == ("30/4", "19/5", "2/9") and study.in_monthly_meetings
    assert "FREQ=MONTHLY" in study.recurrence
    # A plan for 2018: ten monthly periods (March to December), not five years of them.
    assert study.until == date(2018, 12, 31) and "10 lần" in study.due_meaning
    peaks = [(o.key, o.due_by_level[2]) for o in result.obligations if o.peak]
    assert peaks == [
        ("sinh-hoat-chuyen-de-cao-diem-30-4-2018", at(2, 5, 2018)),  # 30/4 and 1/5 are days off
        ("sinh-hoat-chuyen-de-cao-diem-19-5-2018", at(21, 5, 2018)),
        ("sinh-hoat-chuyen-de-cao-diem-2-9-2018", at(4, 9, 2018)),  # 3/9/2018 was the day off in lieu
    ]
    half = by_key(result, "bao-cao-6-thang")
    assert half.due_by_level == {1: at(14, 6, 2018), 2: at(7, 6, 2018)}
    assert half.route_via == "QT-KCQ-BTG"
    upward = by_key(result, "bao-cao-tinh-uy")
    assert upward.unit_codes == ("QT-KCQ",) and upward.report_to == "Ban Tuyên giáo Tỉnh ủy"
    assert upward.due_by_level == {0: at(24, 12, 2018)}


# --- Đoàn dialogue conference, Thursday 27/6/2024 14:00


def test_dialogue_conference_milestone_chain():
    result = compiled("doi-thoai-thanh-nien-2024.yaml")
    assert result.event.at == at(27, 6, 2024, 14)
    assert [(m.key, m.due) for m in result.milestones] == [
        ("ke-hoach", at(12, 6, 2024)),
        ("chuong-trinh", at(18, 6, 2024)),
        ("thu-thap-cau-hoi", at(19, 6, 2024, 16)),
        ("kich-ban", at(20, 6, 2024)),
        ("bao-cao-tien-do", at(21, 6, 2024)),
    ]
    questions = by_key(result, "cau-hoi")
    # District Đoàn by 16:00 19/6; grassroots Đoàn one working day earlier, end of office hours.
    assert questions.due_by_level == {1: at(19, 6, 2024, 16), 2: at(18, 6, 2024)}


def test_dialogue_conference_delegate_quota():
    quota = compiled("doi-thoai-thanh-nien-2024.yaml").quotas[0]
    # Đoàn cơ sở: 64→3, 42→2, 51→3, 50→2, 38→2, 72→3, 47→2, 95→3 (= 20); 3 chi đoàn cơ sở × 1.
    assert quota.total == 23
    assert quota.per_unit["TD-TV-TXDH-P1"] == 3 and quota.per_unit["TD-TV-TXDH-TL"] == 2
    assert quota.rules_applied["TD-TV-TXDH-P1"] == "3 đại biểu cho mỗi Đoàn cơ sở có từ 51 đoàn viên trở lên"
    assert quota.rules_applied["TD-TV-CL-YT"] == "1 đại biểu cho mỗi Chi đoàn cơ sở"
