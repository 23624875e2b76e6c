"""The plan file's JSON Schema with Vietnamese descriptions and an example of every key, for editors and docs.

`plan_json_schema()` starts from the pydantic model (`plans.schema.Plan`) and puts on each object and key the
Vietnamese text of `OBJECTS` and `KEYS`; a key of the model without its text there is an error, so a new plan
key cannot be added without being described (docs/plan-format.md is checked against the same schema).
"""

from __future__ import annotations

from typing import Any

import yaml

from plans.schema import Plan

__all__ = ["KEYS", "OBJECTS", "SCHEMA_ID", "plan_json_schema"]

SCHEMA_ID = "https://trienkhai.vn/schema/ke-hoach.json"

# Each object of the plan file (pydantic model name) as people call it.
OBJECTS: dict[str, str] = {
    "Plan": "Tệp kế hoạch: văn bản chỉ đạo, hệ thống tổ chức, đơn vị thực hiện, giai đoạn, nhiệm vụ, chỉ tiêu.",
    "Directive": "Văn bản chỉ đạo: số hiệu, loại, cơ quan ban hành, ngày, trích yếu, căn cứ, nơi nhận, chữ ký.",
    "ParentDirective": "Văn bản làm căn cứ (thực hiện Kế hoạch số … ngày … của …).",
    "Recipients": "Nơi nhận của văn bản.",
    "Signer": "Khối chữ ký: hình thức ký, tập thể, chức vụ và họ tên người ký.",
    "Contact": "Người của cơ quan thường trực để các đơn vị liên hệ.",
    "HierarchyRef": "Hệ thống tổ chức mà kế hoạch áp dụng: một hàm sinh có sẵn hoặc một tệp danh sách đơn vị.",
    "UnitFilter": "Bộ lọc đơn vị: theo loại, loại hình, số đảng viên/đoàn viên, cấp hoặc mã đơn vị.",
    "Targets": "Các đơn vị kế hoạch gửi tới: mọi đơn vị thuộc các gốc khớp với bộ lọc.",
    "Gate": "Điều kiện để mở một giai đoạn: ngày, tỉ lệ báo cáo đã nhận, phê duyệt.",
    "Phase": "Một giai đoạn triển khai với thời gian và điều kiện chuyển.",
    "PilotRule": "Cách chọn đơn vị chỉ đạo điểm trong mỗi đơn vị nhóm (ví dụ mỗi huyện).",
    "FieldDef": "Một chỉ tiêu số liệu của báo cáo, được tổng hợp qua các cấp.",
    "Obligation": "Một nhiệm vụ của mỗi đơn vị được chọn: xây dựng kế hoạch, tổ chức hoạt động hoặc báo cáo.",
    "Milestone": "Một mốc công việc giao cho một đơn vị (thường là một ban), có thể nối sau mốc khác.",
    "QuotaRule": "Một quy tắc phân bổ chỉ tiêu; đơn vị nhận số của quy tắc cụ thể nhất mà nó khớp.",
    "QuotaDef": "Một chỉ tiêu phân bổ (ví dụ số đại biểu của mỗi đơn vị).",
    "Event": "Sự kiện kế hoạch tổ chức (hội nghị, diễn đàn, đại hội, ngày bầu cử).",
    "EscalationStep": "Một bậc đôn đốc: số ngày làm việc tính từ hạn và việc phải làm.",
}

# (Vietnamese description, an example as written in a plan file) of each key of each object.
KEYS: dict[str, dict[str, tuple[str, str]]] = {
    "Plan": {
        "directive": ("Văn bản chỉ đạo (bắt buộc).", "directive: {number: \"47-KH/TU\", kind: KH, …}"),
        "hierarchy": ("Hệ thống tổ chức dùng để kiểm tra kế hoạch; bỏ trống là các đơn vị đã lưu trong cơ sở dữ liệu.",
                      "hierarchy: {file: hierarchy/quang-tri.yaml}"),
        "targets": ("Các đơn vị kế hoạch gửi tới; bỏ trống là mọi đơn vị dưới cơ quan ban hành.",
                    "targets: {kinds: [huyen_uy, dang_uy_truc_thuoc]}"),
        "lead_days": ("Số ngày làm việc mỗi cấp dưới phải nộp sớm hơn cấp trên, từ cấp cao xuống; mặc định [5].",
                      "lead_days: [5, 3]"),
        "cascade_policy": ("Khi hạn của cấp dưới rơi trước ngày ban hành: clamp (dời về ngày ban hành) hoặc error "
                           "(báo lỗi); mặc định clamp.", "cascade_policy: error"),
        "phases": ("Các giai đoạn theo thứ tự (chỉ đạo điểm, rút kinh nghiệm, triển khai, tổng kết).",
                   "phases: [{name: pilot, opens: \"ngày 3/4/2017\", due: \"30/6/2017\"}]"),
        "pilot": ("Cách chọn đơn vị chỉ đạo điểm.", "pilot: {group_kinds: [huyen_uy], at_least: 1}"),
        "event": ("Sự kiện kế hoạch tổ chức.", "event: {title: Hội nghị đối thoại, at: \"14h00 ngày 27/6/2024\"}"),
        "obligations": ("Các nhiệm vụ của đơn vị được chọn.",
                        "obligations: [{key: bao-cao, kind: report, title: Báo cáo kết quả, due: \"30/6/2017\"}]"),
        "milestones": ("Các mốc công việc giao cho từng đơn vị (thường là các ban).",
                       "milestones: [{key: ke-hoach, title: Ban hành kế hoạch, assignee: TD-VP, due: \"12/6/2024\"}]"),
        "quotas": ("Các chỉ tiêu phân bổ.", "quotas: [{name: dai-bieu, label: Đại biểu, rules: [{value: 2}]}]"),
        "escalation": ("Các bậc đôn đốc riêng của kế hoạch; bỏ trống là bậc mặc định (nhắc trước 3 ngày, đôn đốc "
                       "sau 1 ngày, báo cấp trên sau 5 ngày, báo cơ quan ban hành sau 10 ngày).",
                       "escalation: [{offset: -2, action: remind}, {offset: 1, action: chase}]"),
        "chase_channel": ("Công văn đôn đốc gửi theo tuyến (line: cấp trên trực tiếp chịu trách nhiệm cho đơn vị "
                          "chậm) hay thẳng tới đơn vị chậm (direct); mặc định line.", "chase_channel: direct"),
    },
    "Directive": {
        "number": ("Số hiệu dạng số-loại/cơ quan ban hành; loại phải khớp với kind.", "number: \"47-KH/TU\""),
        "kind": ("Loại văn bản: NQ, CT, KL, KH, KHLT, KHPH, HD, CV, BC, TB.", "kind: KH"),
        "issuer": ("Mã đơn vị ban hành trong hệ thống tổ chức.", "issuer: TU-QT"),
        "co_issuers": ("Mã các đơn vị cùng ban hành (kế hoạch liên tịch).", "co_issuers: [TD-QT]"),
        "issued_on": ("Ngày ban hành.", "issued_on: 22/3/2017"),
        "title": ("Trích yếu của văn bản.", "title: Thực hiện Chỉ thị 05-CT/TW"),
        "implements": ("Các văn bản làm căn cứ.", "implements: [{number: \"05-CT/TW\", date: 15/5/2016}]"),
        "recipients": ("Nơi nhận.", "recipients: {to: [Các huyện ủy], bc: [Ban Tuyên giáo Trung ương]}"),
        "signers": ("Các khối chữ ký (ít nhất một).", "signers: [{form: T/M, title: Bí thư, name: Nguyễn Văn A}]"),
        "place": ("Địa danh ghi ở đầu văn bản.", "place: Quảng Trị"),
        "office_signer": ("Người ký công văn đôn đốc thường ngày (thừa lệnh, T/L).",
                          "office_signer: {form: T/L, title: Chánh Văn phòng, name: Trần Văn B}"),
        "report_signer": ("Người ký báo cáo tổng hợp hằng tuần.",
                          "report_signer: {title: Trưởng Ban Tuyên giáo, name: Lê Thị C}"),
        "contact": ("Người liên hệ của cơ quan thường trực.",
                    "contact: {name: Hoàng Văn D, phone: \"0233 3852 123\"}"),
    },
    "ParentDirective": {
        "number": ("Số hiệu văn bản căn cứ.", "number: \"05-CT/TW\""),
        "date": ("Ngày ban hành văn bản căn cứ.", "date: 15/5/2016"),
        "issuer": ("Cơ quan ban hành văn bản căn cứ.", "issuer: Bộ Chính trị"),
        "title": ("Trích yếu văn bản căn cứ.", "title: Về đẩy mạnh học tập và làm theo tư tưởng Hồ Chí Minh"),
    },
    "Recipients": {
        "to": ("Nơi nhận để thực hiện.", "to: [Các huyện ủy, thị ủy, thành ủy]"),
        "bc": ("Nơi nhận để báo cáo (b/c).", "bc: [Ban Tuyên giáo Trung ương]"),
    },
    "Signer": {
        "form": ("Hình thức ký: T/M (thay mặt), K/T (ký thay), T/L (thừa lệnh).", "form: T/M"),
        "body": ("Tập thể được ký thay mặt.", "body: Ban Thường vụ"),
        "title": ("Chức vụ người ký.", "title: Phó Bí thư Thường trực"),
        "name": ("Họ tên người ký.", "name: Nguyễn Văn A"),
    },
    "Contact": {
        "name": ("Họ tên người liên hệ.", "name: Hoàng Văn D"),
        "title": ("Chức vụ người liên hệ.", "title: Chuyên viên Ban Tuyên giáo"),
        "phone": ("Số điện thoại.", "phone: \"0233 3852 123\""),
        "email": ("Một địa chỉ thư điện tử.", "email: tuyengiao@quangtri.dcs.vn"),
    },
    "HierarchyRef": {
        "generator": ("Tên hàm sinh hệ thống tổ chức có sẵn (ghi một trong generator hoặc file).",
                      "generator: small_quang_tri_2017"),
        "file": ("Tệp danh sách đơn vị (.yaml, .csv), đường dẫn tính từ thư mục của tệp kế hoạch.",
                 "file: hierarchy/tra-vinh-doan.yaml"),
    },
    "UnitFilter": {
        "kinds": ("Loại đơn vị (tinh_uy, huyen_uy, dang_uy_xa, chi_bo, huyen_doan, chi_doan…).",
                  "kinds: [chi_bo, chi_bo_co_so]"),
        "categories": ("Loại hình tổ chức cơ sở đảng (nong_thon, phuong_thi_tran, co_quan, doanh_nghiep, "
                       "su_nghiep, luc_luong_vu_trang).", "categories: [nong_thon]"),
        "min_members": ("Số đảng viên/đoàn viên tối thiểu (tính cả số này).", "min_members: 51"),
        "max_members": ("Số đảng viên/đoàn viên tối đa (tính cả số này).", "max_members: 50"),
        "levels": ("Cấp tính từ đơn vị ban hành (1 là cấp ngay dưới).", "levels: [1, 2]"),
        "codes": ("Mã các đơn vị cụ thể.", "codes: [QT-DONGHA]"),
        "exclude": ("Mã các đơn vị loại ra.", "exclude: [TU-QT-BTC]"),
    },
    "Gate": {
        "after": ("Giai đoạn chỉ mở từ thời điểm này.", "after: \"ngày 1/7/2017\""),
        "share": ("Tỉ lệ báo cáo đã nhận (từ 0 đến 1) của nhiệm vụ counts cần đạt.", "share: 0.8"),
        "counts": ("Khóa của nhiệm vụ có báo cáo được tính vào share.", "counts: bao-cao-chi-dao-diem"),
        "approval": ("Cần có phê duyệt ghi nhận trước khi mở.", "approval: true"),
    },
    "Phase": {
        "name": ("Tên giai đoạn: pilot (chỉ đạo điểm), review (rút kinh nghiệm), rollout (triển khai toàn Đảng "
                 "bộ), close (tổng kết).", "name: pilot"),
        "label": ("Tên hiển thị thay cho tên mặc định.", "label: Chỉ đạo điểm ở mỗi huyện một xã"),
        "opens": ("Thời điểm mở giai đoạn.", "opens: \"ngày 3/4/2017\""),
        "due": ("Hạn kết thúc giai đoạn.", "due: \"trước ngày 30/6/2017\""),
        "gate": ("Điều kiện để mở giai đoạn.", "gate: {share: 0.8, counts: bao-cao-chi-dao-diem}"),
    },
    "PilotRule": {
        "group_kinds": ("Loại đơn vị nhóm; trong mỗi nhóm chọn đơn vị chỉ đạo điểm.", "group_kinds: [huyen_uy]"),
        "pick_kinds": ("Loại đơn vị được chọn; mặc định chi_bo, chi_bo_co_so.", "pick_kinds: [chi_bo]"),
        "categories": ("Loại hình phải có trong mỗi nhóm; bỏ trống là mọi loại hình có trong nhóm.",
                       "categories: [nong_thon, co_quan]"),
        "at_least": ("Số đơn vị ít nhất của mỗi loại hình trong mỗi nhóm; mặc định 1.", "at_least: 1"),
        "order": ("Thứ tự chọn: code (theo mã) hoặc seeded (ngẫu nhiên theo seed, lặp lại được).", "order: seeded"),
        "seed": ("Số khởi tạo cho cách chọn seeded.", "seed: 2017"),
        "include": ("Mã các đơn vị được chọn đích danh thêm.", "include: [QT-CAMLO-CB01]"),
    },
    "FieldDef": {
        "name": ("Tên chỉ tiêu: chữ thường không dấu, số và dấu gạch dưới.", "name: so_dang_vien"),
        "label": ("Tên chỉ tiêu hiển thị.", "label: Số đảng viên tham gia"),
        "type": ("Kiểu: int (số nguyên), float (số thập phân), text (văn bản), list (danh sách).", "type: int"),
        "sum": ("Có cộng dồn qua các cấp không; số mặc định cộng dồn, text không cộng được.", "sum: false"),
    },
    "Obligation": {
        "key": ("Khóa của nhiệm vụ, duy nhất trong kế hoạch.", "key: bao-cao-chi-dao-diem"),
        "kind": ("Loại: plan (xây dựng kế hoạch), activity (tổ chức hoạt động), report (báo cáo).", "kind: report"),
        "title": ("Nội dung nhiệm vụ.", "title: Báo cáo kết quả chỉ đạo điểm"),
        "phase": ("Giai đoạn của nhiệm vụ; nhiệm vụ chỉ mở khi giai đoạn mở.", "phase: pilot"),
        "units": ("Đơn vị phải thực hiện, trong số đơn vị của targets.", "units: {kinds: [chi_bo]}"),
        "due": ("Hạn (cách ghi như văn bản in, xem docs/plan-language.md).", "due: \"trước ngày 15/6/2017\""),
        "within_working_days": ("Hạn tính bằng số ngày làm việc kể từ ngày ban hành (thay cho due).",
                                "within_working_days: 10"),
        "opens": ("Thời điểm bắt đầu thực hiện.", "opens: \"từ tháng 5/2023\""),
        "lead_days": ("Số ngày làm việc nộp sớm hơn cấp trên, riêng cho nhiệm vụ này.", "lead_days: [0]"),
        "times_per_year": ("Số lần mỗi năm [ít nhất, nhiều nhất].", "times_per_year: [2, 4]"),
        "in_monthly_meetings": ("Lồng ghép vào sinh hoạt chi bộ hằng tháng.", "in_monthly_meetings: true"),
        "until": ("Nhiệm vụ lặp lại không có kỳ nào có hạn sau mốc này.", "until: \"tháng 9/2023\""),
        "peaks": ("Các dịp cao điểm, mỗi dịp thành một nhiệm vụ riêng.", "peaks: [\"30/4\", \"19/5\", \"2/9\"]"),
        "route_via": ("Mã ban nhận báo cáo thay cho cấp trên (cơ quan thường trực).", "route_via: TU-QT-BTG"),
        "report_to": ("Nơi nhận kết quả, ghi như văn bản.", "report_to: Ban Thường vụ Tỉnh ủy (qua Ban Tuyên giáo)"),
        "fields": ("Các chỉ tiêu số liệu của báo cáo (chỉ với kind: report).",
                   "fields: [{name: so_cau_hoi, label: Số câu hỏi, type: int}]"),
    },
    "Milestone": {
        "key": ("Khóa của mốc, duy nhất trong kế hoạch.", "key: chuong-trinh"),
        "title": ("Nội dung công việc.", "title: Dự thảo chương trình Hội nghị"),
        "assignee": ("Mã đơn vị được giao.", "assignee: TD-TV-PT"),
        "due": ("Hạn của mốc.", "due: \"chậm nhất ngày 18/6/2024\""),
        "after": ("Khóa của mốc phải xong trước.", "after: ke-hoach"),
    },
    "QuotaRule": {
        "value": ("Số được phân bổ cho mỗi đơn vị khớp quy tắc.", "value: 3"),
        "kinds": ("Loại đơn vị khớp quy tắc.", "kinds: [doan_co_so]"),
        "categories": ("Loại hình khớp quy tắc.", "categories: [doanh_nghiep]"),
        "min_members": ("Số đảng viên/đoàn viên tối thiểu (tính cả số này).", "min_members: 51"),
        "max_members": ("Số đảng viên/đoàn viên tối đa (tính cả số này).", "max_members: 50"),
        "codes": ("Mã các đơn vị cụ thể (quy tắc cụ thể nhất).", "codes: [TD-TV-TP-P1]"),
    },
    "QuotaDef": {
        "name": ("Khóa của chỉ tiêu; trường báo cáo cùng tên (dấu - thành _) được đối chiếu với chỉ tiêu.",
                 "name: dai-bieu"),
        "label": ("Tên chỉ tiêu hiển thị.", "label: Đại biểu dự Hội nghị"),
        "unit_label": ("Đơn vị tính; mặc định “đại biểu”.", "unit_label: suất"),
        "units": ("Các đơn vị được phân bổ.", "units: {kinds: [doan_co_so, chi_doan_co_so]}"),
        "rules": ("Các quy tắc phân bổ (ít nhất một).", "rules: [{kinds: [doan_co_so], value: 2}]"),
        "expected_total": ("Tổng dự kiến; khác tổng phân bổ thì có cảnh báo.", "expected_total: 120"),
    },
    "Event": {
        "title": ("Tên sự kiện.", "title: Hội nghị đối thoại giữa lãnh đạo tỉnh với đoàn viên, thanh niên"),
        "at": ("Thời gian tổ chức, ghi như văn bản.", "at: \"14h00 ngày 27/6/2024\""),
        "place": ("Địa điểm.", "place: Hội trường Tỉnh đoàn"),
        "host": ("Mã đơn vị tổ chức.", "host: TD-TV"),
        "participants": ("Thành phần tham dự, mỗi dòng một nhóm.", "participants: [Thường trực Tỉnh ủy]"),
        "delegates": ("Tổng số đại biểu.", "delegates: 80"),
        "awards": ("Số khen thưởng theo loại (tap_the, ca_nhan…).", "awards: {tap_the: 12, ca_nhan: 12}"),
    },
    "EscalationStep": {
        "offset": ("Số ngày làm việc tính từ hạn (số âm là trước hạn), từ −60 đến 120.", "offset: -3"),
        "action": ("Việc làm: remind (nhắc hạn), chase (công văn đôn đốc), escalate_superior (báo cấp trên), "
                   "escalate_issuer (báo cơ quan ban hành).", "action: chase"),
        "signer": ("Người ký thư của bậc này; bỏ trống là người ký văn thư của kế hoạch (office_signer), nếu "
                   "không có thì T/L Ban Thường vụ – Chánh Văn phòng.",
                   "signer: {form: K/T, title: Phó Bí thư, name: Trần Văn B}"),
        "channel": ("Chỉ cho remind và chase: line (qua cấp trên trực tiếp của đơn vị, kèm danh sách đơn vị chậm) "
                    "hoặc direct (gửi thẳng đơn vị); bỏ trống là chase_channel của kế hoạch cho công văn đôn đốc, "
                    "direct cho thư nhắc hạn.", "channel: direct"),
        "channels": ("Thứ tự các kênh gửi thư của bậc này, kênh trước không gửi được thì dùng kênh sau: zalo (tin ZNS "
                     "tới số di động của đơn vị, khi mẫu tin đã được Zalo duyệt), email (thư điện tử, hoặc webhook "
                     "của đơn vị không có địa chỉ thư); bỏ trống là Zalo trước, thư điện tử sau.",
                     "channels: [zalo, email]"),
    },
}
# Targets is a unit filter with its roots.
KEYS["Targets"] = {**KEYS["UnitFilter"], "roots": ("Mã các đơn vị gốc; mặc định là đơn vị ban hành.",
                                                   "roots: [TU-BT, TD-BT]")}


def _describe(name: str, node: dict[str, Any]) -> None:
    """Put the Vietnamese text on an object of the schema and on each of its keys."""
    node["description"] = OBJECTS[name]
    node.pop("title", None)  # the model's English class name
    keys = KEYS[name]
    properties = node.get("properties", {})
    missing = sorted(set(properties) - set(keys))
    if missing:  # a key of the model without its Vietnamese text: a mistake of the code, not of a plan
        raise KeyError(f"plans.reference.KEYS[{name!r}] lacks {missing}")
    for key, prop in properties.items():
        text, example = keys[key]
        prop.pop("title", None)  # the field's name in English words
        prop["description"] = text
        if "…" not in example:  # an elided example shows the shape in the docs but is no value to check against
            prop["examples"] = [yaml.safe_load(example)[key]]


def plan_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a plan file, with a Vietnamese description and an example of each key."""
    schema = Plan.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "Kế hoạch triển khai (trienkhai)"
    _describe("Plan", schema)
    for name, node in schema.get("$defs", {}).items():
        if name in OBJECTS:
            _describe(name, node)
        else:  # the unit kinds and categories: lists of values
            node.pop("title", None)
            node["description"] = {"Kind": "Loại đơn vị.", "Category": "Loại hình tổ chức cơ sở đảng."}[name]
    return schema
