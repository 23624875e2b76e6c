"""Completion over time per district as a PNG, with the phase windows shaded and named."""

from __future__ import annotations

import io
import textwrap
from datetime import date, timedelta

import matplotlib

matplotlib.use("Agg")  # no display on servers and workers; set before anything draws

from matplotlib import dates as mdates  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, PercentFormatter  # noqa: E402

from compliance.model import ComplianceReport  # noqa: E402
from schedules.render import format_day  # noqa: E402

__all__ = ["render_chart"]

# Pale fills that stay readable under a dozen coloured lines and print well in grey.
_PHASE_COLOURS = {"pilot": "#f6d7a7", "review": "#d9d9d9", "rollout": "#cfe8cf", "close": "#d6e4f0"}


def _x_range(report: ComplianceReport) -> tuple[date, date]:
    weeks = [w for points in report.series.values() for w, _ in points] or [report.week]
    starts = [p.start for p in report.phases]
    first = min([*weeks, *starts])
    last = max([*weeks, *(s + timedelta(days=28) for s in starts)])
    return first - timedelta(days=3), last + timedelta(days=3)


def render_chart(report: ComplianceReport) -> bytes:
    """PNG (A4-landscape proportions, 150 dpi): one line per district, legend outside the plot on the right."""
    figure = Figure(figsize=(11.0, 5.6), dpi=150, layout="constrained")
    axes = figure.add_subplot()
    lo, hi = _x_range(report)
    for index, phase in enumerate(report.phases):
        # A phase still running (or not yet opened) lasts until the next one starts.
        following = [p.start for p in report.phases[index + 1:] if p.start > phase.start]
        end = min(phase.end or (following[0] if following else hi), hi)
        if end <= phase.start:
            continue
        planned = phase.start > report.week
        axes.axvspan(mdates.date2num(phase.start), mdates.date2num(end),
                     facecolor=_PHASE_COLOURS.get(phase.name, "#eeeeee"), alpha=0.7, lw=0,
                     edgecolor="#999999", hatch="//" if planned else None)
        label = textwrap.fill(phase.label + (" (dự kiến)" if planned else ""), width=22)
        # Staggered, left-aligned names inside their band, so short bands next to each other do not collide.
        axes.text(mdates.date2num(phase.start) + 1, 0.98 - 0.05 * (index % 2), label, ha="left", va="top",
                  fontsize=8, fontstyle="italic", transform=axes.get_xaxis_transform(),
                  bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 1.5})
    # Ten strong colours, then the same colours dashed: pale tab20 shades vanish on the shaded bands.
    colours = matplotlib.color_sequences["tab10"]
    markers = "osD^v<>ph*"
    for index, (name, points) in enumerate(sorted(report.series.items())):
        kept = [(w, share) for w, share in points if share is not None]
        if not kept:
            continue
        axes.plot(mdates.date2num([w for w, _ in kept]), [s for _, s in kept], label=name,
                  color=colours[index % len(colours)],
                  linestyle="-" if index < len(colours) else "--", marker=markers[index % len(markers)],
                  markersize=4, linewidth=1.6, clip_on=False)
    axes.set_xlim(mdates.date2num(lo), mdates.date2num(hi))
    axes.set_ylim(0, 1.0)
    axes.set_yticks([i / 10 for i in range(11)])
    axes.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axes.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=4, maxticks=12))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: format_day(mdates.num2date(value).date())))
    axes.grid(axis="y", color="#bbbbbb", linewidth=0.5)
    axes.set_ylabel("Tỷ lệ nghĩa vụ đã hoàn thành")
    axes.set_xlabel("Tuần (ngày thứ Hai)")
    figure.suptitle(
        f"Tỷ lệ hoàn thành theo đơn vị cấp huyện – {report.kind_name} số {report.number} "
        f"(đến ngày {format_day(report.week)})",
        fontsize=11, fontweight="bold",
    )
    if axes.get_lines():
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False,
                    ncols=1 if len(axes.get_lines()) <= 18 else 2)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
