"""Sample contexts drawn from Kế hoạch 47-KH/TU (Quảng Trị, 2017), so each template can be looked at before use."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from notifications.context import (
    CopyRecipient,
    DeploymentContext,
    DirectiveRef,
    EscalationContext,
    InvitationContext,
    Issuer,
    LetterContext,
    ObligationLine,
    OverdueUnit,
    ReminderContext,
    Signature,
)
from notifications.render import Message, render_message
from schedules.render import LOCAL_TZ

__all__ = ["preview", "sample_context"]

_PLAN = DirectiveRef(
    number="47-KH/TU",
    title=(
        "tổ chức Diễn đàn “Vai trò của chi bộ Đảng trong việc giáo dục, quản lý cán bộ, đảng viên để ngăn chặn, "
        "đẩy lùi sự suy thoái về tư tưởng chính trị, đạo đức, lối sống, những biểu hiện “tự diễn biến”, "
        "“tự chuyển hóa” trong nội bộ”"
    ),
    issued_on=date(2017, 3, 22),
    issuer="Ban Thường vụ Tỉnh ủy",
)
_VIA = "Ban Thường vụ Tỉnh ủy (qua Ban Tuyên giáo Tỉnh ủy)"
_PILOT_REPORT = ObligationLine(
    "Báo cáo kết quả chỉ đạo điểm tổ chức Diễn đàn", date(2017, 6, 30), _PLAN, _VIA
)
_PLAN_OWN = ObligationLine(
    "Xây dựng kế hoạch tổ chức Diễn đàn của huyện ủy, chọn chi bộ chỉ đạo điểm", date(2017, 4, 14), _PLAN, _VIA
)
_PILOT_FORUM = ObligationLine(
    "Tổ chức Diễn đàn tại chi bộ chỉ đạo điểm", datetime(2017, 4, 28, 14, 0, tzinfo=LOCAL_TZ), _PLAN
)


def sample_context(template_name: str) -> Any:
    """A realistic context for one packaged template; an unknown name gives a KeyError."""
    samples: dict[str, Any] = {
        "thong_bao_trien_khai": DeploymentContext(
            recipient="Ban Thường vụ Huyện ủy Gio Linh",
            directive=_PLAN,
            obligations=[_PLAN_OWN, _PILOT_FORUM, _PILOT_REPORT],
            sender="Văn phòng Tỉnh ủy Quảng Trị",
        ),
        "nhac_han": ReminderContext(
            recipient="Ban Thường vụ Huyện ủy Gio Linh",
            items=[_PILOT_FORUM, _PILOT_REPORT],
            sender="Ban Tuyên giáo Tỉnh ủy Quảng Trị",
            as_of=date(2017, 4, 24),
        ),
        "cong_van_don_doc": LetterContext(
            issuer=Issuer(name="Tỉnh ủy Quảng Trị", code="TU"),
            place="Đông Hà",
            issued_on=date(2017, 7, 10),
            recipient="Ban Thường vụ Huyện ủy Gio Linh",
            directive=_PLAN,
            overdue=[
                ObligationLine(_PILOT_REPORT.description, _PILOT_REPORT.due, _PLAN, _VIA, days_overdue=10),
            ],
            signature=Signature(title="Phó Bí thư Thường trực", name="Nguyễn Văn Hùng"),
            copies=[CopyRecipient("Thường trực Tỉnh ủy", "để b/c"), CopyRecipient("Ban Tuyên giáo Tỉnh ủy", "để biết")],
            filing="Lưu Văn phòng Tỉnh ủy",
            requester="Ban Thường vụ Tỉnh ủy",
            report_to=_VIA,
            new_due=date(2017, 7, 20),
            first_due=date(2017, 6, 30),
        ),
        "leo_thang": EscalationContext(
            recipient="Ban Tuyên giáo Tỉnh ủy Quảng Trị",
            directive=_PLAN,
            units=[
                OverdueUnit(
                    "Huyện ủy Gio Linh",
                    [ObligationLine(_PILOT_REPORT.description, _PILOT_REPORT.due, _PLAN, _VIA, days_overdue=24)],
                    reminders_sent=2,
                    last_reminder_on=date(2017, 7, 10),
                ),
                OverdueUnit(
                    "Đảng ủy Khối các cơ quan tỉnh",
                    [ObligationLine(_PILOT_REPORT.description, _PILOT_REPORT.due, _PLAN, _VIA, days_overdue=24)],
                    reminders_sent=1,
                ),
            ],
            sender="Văn phòng Tỉnh ủy Quảng Trị",
            as_of=date(2017, 7, 24),
        ),
        "moi_tai_khoan": InvitationContext(
            recipient="Chi bộ Thôn An Xá, Đảng ủy xã Gio An",
            login="qt.giolinh.gioan.cb01@quangtri.dcs.vn",
            role="cán bộ báo cáo",
            scope="Chi bộ Thôn An Xá",
            link="https://trienkhai.quangtri.dcs.vn/dat-mat-khau/mau-khong-dung-duoc",
            expires_at=datetime(2017, 4, 5, 17, 0, tzinfo=LOCAL_TZ),
            sender="Văn phòng Tỉnh ủy Quảng Trị",
            contact="Đảng ủy xã Gio An (qt.giolinh.gioan@quangtri.dcs.vn)",
        ),
    }
    return samples[template_name]


def preview(template_name: str, *, override_dir: Path | None = None) -> Message:
    """Render a template with its sample context (and the province's overrides, if any)."""
    try:
        context = sample_context(template_name)
    except KeyError:
        # Unknown names (or province-only templates without a sample) get render_message's own error.
        context = {}
    return render_message(template_name, context, override_dir=override_dir)
