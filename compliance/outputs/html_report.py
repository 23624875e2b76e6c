"""The report as one self-contained HTML page: inline CSS, the chart embedded as base64, no outside asset."""

from __future__ import annotations

import base64

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from compliance.model import ComplianceReport
from compliance.outputs.docx_report import report_number
from compliance.outputs.text import short_department
from formats import percent, points
from notifications.forms import DOAN, PARTY, about
from schedules.render import format_day, format_day_long, format_time, local_date

__all__ = ["build_html"]

_ENV = Environment(
    loader=PackageLoader("compliance", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    undefined=StrictUndefined,  # a misspelt name fails the run instead of printing an empty cell
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters.update(ngay=format_day, ngay_dai=format_day_long, ve=about)


def build_html(report: ComplianceReport, chart_png: bytes) -> str:
    """The page for one directive's report, printable as it is."""
    day = local_date(report.as_of)
    return _ENV.get_template("bao_cao.html.j2").render(
        r=report,
        w=DOAN if report.family == DOAN.key else PARTY,
        issuer=report.issuer_name,
        department=short_department(report.department_name, report.issuer_name) if report.department_name else None,
        number_text=report_number(report),
        report_day=day,
        as_of_text=f"{format_time(report.as_of)} ngày {format_day(day)}",
        units=sum(level.units for level in report.levels),
        chart_base64=base64.b64encode(chart_png).decode("ascii"),
        percent=percent,
        points=points,
    )
