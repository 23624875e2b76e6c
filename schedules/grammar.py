"""The grammar of deadline and phase phrases, as data: each form a name and a pattern over normalised wording.

`schedules.phrases.normalize` brings a phrase to this wording first; `schedules.expressions` tries the
bounded recurrences (`BOUNDED`), then each of `FORMS` in order, and gives the first whole match its meaning.
Named groups: d, m, y a day (or m, y a month); d1, m1, y1 the start of a range; dow, dowa, dow1, dowa1 a
weekday written before or after a day; hh, mm an hour; pre a lead word; part a part of a month ("đầu",
"giữa", "cuối", "hạ tuần"); n a count of days and wd "làm việc"; dir "trước" or "sau"; ev the plan's event.
"""

from __future__ import annotations

import re

from schedules.phrases import WEEKDAY

__all__ = ["BOUNDED", "D", "FORMS", "ISO_INSTANT", "M", "PRE", "VALID_FORMS"]

VALID_FORMS = (
    "“16h00 ngày 19/6/2024”, “8h00, thứ Hai, ngày 12/8/2024”, “ngày 22 tháng 3 năm 2017”, “22/3/2017”, "
    "“2017-03-22”, “2024-06-19T16:00”, “trước ngày 30/6/2017”, “chậm nhất là ngày 12/6/2024”, "
    "“hạn chót 20/6/2024”, “trong tháng 6/2017”, “tháng 5-2021”, “cuối tháng 6/2024”, “từ tháng 7/2017”, "
    "“từ tháng 3 đến tháng 8/2022”, “từ ngày 1/3 đến ngày 31/3/2023”, “quý III/2024”, “6 tháng đầu năm 2024”, "
    "“hàng tháng”, “hàng quý”, “hàng năm, trước ngày 31/12”, “5 ngày làm việc trước hạn của cấp trên”, "
    "“trong 10 ngày làm việc kể từ ngày ban hành”, “trong 15 ngày”, “hằng tháng đến tháng 9/2023”, "
    "“từ tháng 5 đến tháng 9/2023 hằng tháng”, “90 ngày trước ngày bầu cử”, “sau Đại hội 10 ngày”, "
    "“triển khai ngay”, “5 ngày làm việc sau ngày 10/6/2024”, “6/2024”, “đầu tháng 7/2024”, “giữa tháng 7/2024”, "
    "“hạ tuần tháng 9/2024”, “trước trung tuần tháng 10/2022”, “từ cuối tháng 5/2019”"
)

ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[tT ]\d{1,2}:\d{2}(:\d{2})?(\.\d+)?([zZ]|[+-]\d{2}:?\d{2})?")
_T = r"(?P<hh>\d{1,2})h(?P<mm>\d{1,2})?"
D = r"(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})(?:[/.-](?P<y>\d{4}))?"
_D1 = r"(?P<d1>\d{1,2})[/.-](?P<m1>\d{1,2})(?:[/.-](?P<y1>\d{4}))?"
M = r"(?P<m>\d{1,2})(?:/(?P<y>\d{4}))?"
_M1 = r"(?P<m1>\d{1,2})(?:/(?P<y1>\d{4}))?"
_WD = rf"(?:(?P<dow>{WEEKDAY}) )?"
_WD1 = rf"(?:(?P<dow1>{WEEKDAY}) )?"
_WDA = rf"(?: (?P<dowa>{WEEKDAY}))?"
_WDA1 = rf"(?: (?P<dowa1>{WEEKDAY}))?"
_BY = r"(?:chậm nhất|muộn nhất|hạn chót|hạn cuối|thời hạn|hạn)(?: là)?(?: vào)?"
PRE = rf"(?:(?P<pre>{_BY}|trước) )?"
_FROM = r"(?:trong thời gian )?(?:bắt đầu )?từ"
_UNTIL = r"(?:đến|tới|cho đến)"
# A month written after a part of it: "cuối tháng 6/2024", "cuối tháng này", or none ("cuối tháng": the issue month).
_OF_MONTH = rf"tháng(?: này| {M})?"
# The plan's event as deadlines name it: "ngày bầu cử", "Đại hội", "ngày khai mạc hội nghị".
_EVENT = (
    r"(?:ngày )?(?P<ev>bầu cử|đại hội|hội nghị|diễn đàn|sự kiện|khai mạc|tổ chức|lễ kỷ niệm)"
    r"(?: (?:đại biểu|chính thức|hội nghị|đại hội|diễn đàn|sự kiện))?"
)
# The directive itself, as "ngay sau khi kế hoạch này được ban hành" names it.
_DOC = r"(?:văn bản|kế hoạch|chỉ thị|công văn|hướng dẫn|nghị quyết)(?: này)?"
_AT_ONCE = rf"ngay(?: sau khi| khi| từ khi)?(?: {_DOC}(?: được)?)?(?: ban hành| ký| nhận được)?(?: {_DOC})?"

FORMS: list[tuple[str, re.Pattern[str]]] = [
    (name, re.compile(pattern))
    for name, pattern in [
        ("instant", rf"{PRE}{_T} {_WD}(?:ngày )?{D}{_WDA}"),
        ("instant", rf"{PRE}{_WD}(?:ngày )?{D}{_WDA} (?:vào )?(?:lúc )?{_T}"),
        ("day", rf"{PRE}{_WD}(?:ngày )?{D}{_WDA}"),
        ("month_end", rf"(?:{_BY} )?(?:đến )?(?P<part>cuối|hạ tuần) {_OF_MONTH}"),
        ("month_third", rf"(?:{_BY} )?(?:đến )?(?P<part>đầu|giữa) {_OF_MONTH}"),
        ("before_part", rf"trước (?P<part>đầu|giữa|hạ tuần) {_OF_MONTH}"),
        ("from_part", rf"{_FROM} (?P<part>đầu|giữa|cuối|hạ tuần) {_OF_MONTH}"),
        ("month", rf"(?:(?P<pre>trong|trước|hết|{_BY}) )?(?:hết )?tháng {M}"),
        ("month_range", rf"{_FROM} tháng {_M1} {_UNTIL} (?:hết |cuối )?(?:tháng )?{M}"),
        ("day_range", rf"{_FROM} {_WD1}(?:ngày )?{_D1}{_WDA1} {_UNTIL} (?:hết )?{_WD}(?:ngày )?{D}{_WDA}"),
        ("from", rf"{_FROM} (?P<unit>tháng|ngày) (?P<rest>.+)"),
        ("quarter", r"(?:trong )?quý (?P<q>iv|i{1,3}|[1-4])(?:/(?P<y>\d{4}))?"),
        ("half_year", r"(?:trong )?6 tháng (?P<h>đầu|cuối) năm(?:/? ?(?P<y>\d{4}))?"),
        ("relative_upper", r"(?P<n>\d+) ngày (?P<wd>làm việc )?trước (?:thời )?hạn(?: chót)?(?: của cấp trên)?"),
        (
            "relative_issued",
            r"(?:sau|trong|trong vòng|trong thời hạn|chậm nhất|chậm nhất là) (?P<n>\d+) ngày (?P<wd>làm việc )?"
            r"(?:kể )?từ (?:ngày )?(?:ban hành|ký)(?: văn bản| kế hoạch)?",
        ),
        ("relative_event", rf"(?:chậm nhất )?(?P<n>\d+) ngày (?P<wd>làm việc )?(?P<dir>trước|sau) {_EVENT}"),
        ("relative_event", rf"(?:chậm nhất )?(?P<dir>trước|sau) {_EVENT} (?P<n>\d+) ngày(?P<wd> làm việc)?"),
        (
            "relative_event",
            rf"(?:trong|trong vòng|trong thời hạn) (?P<n>\d+) ngày (?P<wd>làm việc )?(?P<dir>sau|kể từ) "
            rf"(?:khi )?(?:kết thúc )?{_EVENT}",
        ),
        ("relative_day", rf"(?:chậm nhất )?(?P<n>\d+) ngày (?P<wd>làm việc )?(?P<dir>trước|sau) (?:ngày )?{D}"),
        ("issue_day", _AT_ONCE),
        ("relative_issued", r"(?:trong|trong vòng|trong thời hạn) (?P<n>\d+) ngày(?P<wd> làm việc)?"),
        ("yearly", r"(?:định kỳ )?(?:hàng|mỗi) năm(?: (?P<rest>.+))?"),
        ("yearly", r"(?P<rest>.+) (?:hàng|mỗi) năm"),
        ("monthly", r"(?:định kỳ )?(?:hàng|mỗi) tháng(?: (?P<rest>.+))?"),
        ("monthly", r"(?P<rest>.+) (?:hàng|mỗi) tháng"),
        ("quarterly", r"(?:định kỳ )?(?:hàng|mỗi) quý"),
        ("half_yearly", r"(?:định kỳ )?(?:hàng |mỗi )?6 tháng(?: một lần| 1 lần)?"),
    ]
]

# A recurring deadline bounded by a window of months, after it or before it:
# "hàng tháng đến tháng 9/2023", "hàng tháng từ tháng 5 đến tháng 9/2023", "từ tháng 5 đến tháng 9/2023 hàng tháng".
_WINDOW = r"(?:(?:từ tháng \S+ )?(?:đến|tới|cho đến) (?:hết |cuối )?tháng \S+)"
BOUNDED = (
    re.compile(rf"(?P<rec>.+?) (?P<win>{_WINDOW})"),
    re.compile(r"(?P<win>từ tháng \S+ (?:đến|tới|cho đến) (?:hết |cuối )?tháng \S+) (?P<rec>.+)"),
)
