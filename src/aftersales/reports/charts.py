"""Charts as inline SVG, written directly: Pareto, lines by month, stacked bars, grouped bars.

Why not a chart library: matplotlib's SVG backend turns text into glyph outlines from a font it
must find on the machine (a CJK font hunt on every server, and ~0.1 s per figure), and the words
would no longer be text a reader can select or a test can read. Here every title, axis label and
tick is an SVG ``<text>`` in the reader's locale, drawn by the browser with its own CJK fonts;
a chart costs well under a millisecond and is deterministic, byte for byte. All text is escaped.
The charts scale to their container (``viewBox`` + ``width: 100%``), so they never overflow a page.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from html import escape
from typing import Final

from aftersales.reports.labels import ReportLabels

__all__ = ["PALETTE", "bar_chart", "hbar_chart", "line_chart", "pareto_chart"]

PALETTE: Final = ("#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB")
"""Paul Tol's bright scheme: distinguishable with colour-blindness and in grey print."""

W: Final = 960
H: Final = 420
LEFT, RIGHT, TOP, BOTTOM = 78, 88, 52, 118


def _t(text: str) -> str:
    return escape(text, quote=True)


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)


def _open(code: str, title: str, height: int = H) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="{_t(code)}" '
        f'viewBox="0 0 {W} {height}" width="100%" role="img" aria-label="{_t(title)}" '
        'preserveAspectRatio="xMidYMid meet">',
        f"<title>{_t(title)}</title>",
        f'<text class="chart-title" x="{W / 2}" y="22" text-anchor="middle" font-size="17" '
        f'font-weight="600">{_t(title)}</text>',
    ]


EMPTY_H: Final = 140


def _no_data(code: str, title: str, labels: ReportLabels) -> str:
    """The chart's title and "no data" in the reader's words, without axes.

    Why: a chart of nothing drew its axes, gridlines and legend around an empty plot ("0, 0.2 … 1"
    faults), which reads as a page that failed to draw or as fractional counts (session 29)."""
    parts = _open(code, title, EMPTY_H)
    parts.append(
        f'<text class="no-data" x="{W / 2}" y="{EMPTY_H / 2 + 18:.1f}" text-anchor="middle" font-size="15" '
        f'fill="#59636e">{_t(labels.text("report.chart.empty"))}</text>'
    )
    parts.append("</svg>")
    return "\n".join(parts)


def _y_axis(parts: list[str], top: float, labels: Sequence[str], label: str, *, right: bool = False) -> None:
    """Gridlines and tick labels on the left (or right) of the plot area; ``labels`` bottom to top."""
    plot_h = H - TOP - BOTTOM
    x = W - RIGHT if right else LEFT
    steps = len(labels) - 1
    for i, text in enumerate(labels):
        y = H - BOTTOM - plot_h * i / steps
        if not right:
            parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{W - RIGHT}" y2="{y:.1f}" stroke="#e3e3e3"/>')
        anchor, dx = ("start", 6) if right else ("end", -6)
        parts.append(
            f'<text class="tick" x="{x + dx}" y="{y + 4:.1f}" text-anchor="{anchor}" font-size="12">'
            f"{_t(text)}</text>"
        )
    cx = W - 18 if right else 18
    cy = TOP + plot_h / 2
    parts.append(
        f'<text class="axis-label" x="{cx}" y="{cy:.1f}" text-anchor="middle" font-size="13" '
        f'transform="rotate({90 if right else -90} {cx} {cy:.1f})">{_t(label)}</text>'
    )


def _x_labels(parts: list[str], centres: Sequence[float], names: Sequence[str], label: str) -> None:
    rotate = len(names) > 6 or max((len(n) for n in names), default=0) * len(names) > 90
    base = H - BOTTOM + 18
    for x, name in zip(centres, names, strict=True):
        short = name if len(name) <= 16 else name[:15] + "…"
        if rotate:
            parts.append(
                f'<text class="tick x-tick" x="{x:.1f}" y="{base}" text-anchor="end" font-size="12" '
                f'transform="rotate(-35 {x:.1f} {base})"><title>{_t(name)}</title>{_t(short)}</text>'
            )
        else:
            parts.append(
                f'<text class="tick x-tick" x="{x:.1f}" y="{base}" text-anchor="middle" font-size="12">'
                f"<title>{_t(name)}</title>{_t(short)}</text>"
            )
    y = H - 8 if rotate else H - BOTTOM + 46  # under the ticks, rotated or not
    parts.append(
        f'<text class="axis-label" x="{(LEFT + W - RIGHT) / 2}" y="{y}" text-anchor="middle" '
        f'font-size="13">{_t(label)}</text>'
    )
    parts.append(f'<line x1="{LEFT}" y1="{H - BOTTOM}" x2="{W - RIGHT}" y2="{H - BOTTOM}" stroke="#888"/>')


def _legend(parts: list[str], entries: Sequence[tuple[str, str, bool]]) -> None:
    """Legend entries (name, colour, is_line) in a row under the title."""
    x = LEFT
    for name, colour, line in entries:
        if line:
            parts.append(f'<line x1="{x}" y1="37" x2="{x + 18}" y2="37" stroke="{colour}" stroke-width="3"/>')
        else:
            parts.append(f'<rect x="{x}" y="31" width="14" height="12" fill="{colour}"/>')
        parts.append(f'<text class="legend" x="{x + 22}" y="42" font-size="12">{_t(name)}</text>')
        x += 40 + 13 * len(name)


def _percent_ticks(labels: ReportLabels, top: float = 1.0) -> list[str]:
    return [labels.percent(Decimal(str(round(top * i / 5, 4)))) for i in range(6)]


def _count_ticks(labels: ReportLabels, top: float) -> list[str]:
    return [labels.number(Decimal(str(round(top * i / 5, 2))).normalize()) for i in range(6)]


def pareto_chart(
    labels: ReportLabels,
    names: Sequence[str],
    counts: Sequence[int],
    cumulative: Sequence[Decimal],
    *,
    title: str,
    x_label: str,
    y_label: str,
    y2_label: str,
    line_label: str,
    bar_label: str,
    cumulative_label: str,
    cut: Decimal = Decimal("0.8"),
) -> str:
    """Bars of counts (most frequent first), the cumulative-share line, and the ``cut`` (80 %) line."""
    if not any(counts):
        return _no_data("pareto", title, labels)
    parts = _open("pareto", title)
    top = _nice_max(max(counts, default=0))
    _legend(parts, [(bar_label, PALETTE[0], False), (cumulative_label, PALETTE[1], True),
                    (line_label, PALETTE[2], True)])  # fmt: skip
    _y_axis(parts, top, _count_ticks(labels, top), y_label)
    _y_axis(parts, 1.0, _percent_ticks(labels), y2_label, right=True)
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    n = max(len(counts), 1)
    slot = plot_w / n
    centres = [LEFT + slot * (i + 0.5) for i in range(len(counts))]
    for x, c, name in zip(centres, counts, names, strict=True):
        h = plot_h * c / top
        parts.append(
            f'<rect class="bar" x="{x - slot * 0.35:.1f}" y="{H - BOTTOM - h:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{h:.1f}" fill="{PALETTE[0]}"><title>{_t(name)}: {_t(labels.number(c))}</title></rect>'
        )
    points = " ".join(
        f"{x:.1f},{H - BOTTOM - plot_h * float(s):.1f}" for x, s in zip(centres, cumulative, strict=True)
    )
    if points:
        parts.append(f'<polyline class="cumulative" points="{points}" fill="none" stroke="{PALETTE[1]}" '
                     'stroke-width="2.5"/>')  # fmt: skip
        for x, s in zip(centres, cumulative, strict=True):
            y = H - BOTTOM - plot_h * float(s)
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{PALETTE[1]}">'
                         f"<title>{_t(labels.percent(s))}</title></circle>")  # fmt: skip
    y80 = H - BOTTOM - plot_h * float(cut)
    parts.append(
        f'<line class="cut-line" x1="{LEFT}" y1="{y80:.1f}" x2="{W - RIGHT}" y2="{y80:.1f}" '
        f'stroke="{PALETTE[2]}" stroke-width="2" stroke-dasharray="6 4"/>'
    )
    parts.append(f'<text class="cut-label" x="{W - RIGHT - 4}" y="{y80 - 6:.1f}" text-anchor="end" '
                 f'font-size="12" fill="{PALETTE[2]}">{_t(line_label)}</text>')  # fmt: skip
    _x_labels(parts, centres, names, x_label)
    parts.append("</svg>")
    return "\n".join(parts)


def line_chart(
    labels: ReportLabels,
    x_names: Sequence[str],
    series: Sequence[tuple[str, Sequence[Decimal | None]]],
    *,
    title: str,
    x_label: str,
    y_label: str,
    code: str = "trend",
) -> str:
    """One line per series of fractions (rates) over ``x_names`` (months); gaps where a value is None."""
    if all(v is None for _, values in series for v in values):
        return _no_data(code, title, labels)
    parts = _open(code, title)
    _legend(parts, [(name, PALETTE[i % len(PALETTE)], True) for i, (name, _) in enumerate(series)])
    _y_axis(parts, 1.0, _percent_ticks(labels), y_label)
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    n = max(len(x_names), 1)
    centres = [LEFT + plot_w * (i + 0.5) / n for i in range(len(x_names))]
    for i, (name, values) in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        run: list[str] = []
        for x, v in zip(centres, values, strict=True):
            if v is None:
                if len(run) > 1:
                    parts.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                                 'stroke-width="2.5"/>')  # fmt: skip
                run = []
                continue
            y = H - BOTTOM - plot_h * float(v)
            run.append(f"{x:.1f},{y:.1f}")
            parts.append(f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}">'
                         f"<title>{_t(name)}: {_t(labels.percent(v))}</title></circle>")  # fmt: skip
        if len(run) > 1:
            parts.append(f'<polyline class="series" points="{" ".join(run)}" fill="none" stroke="{colour}" '
                         'stroke-width="2.5"/>')  # fmt: skip
    _x_labels(parts, centres, x_names, x_label)
    parts.append("</svg>")
    return "\n".join(parts)


def bar_chart(
    labels: ReportLabels,
    x_names: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    title: str,
    x_label: str,
    y_label: str,
    code: str = "bars",
) -> str:
    """Stacked bars of counts: one bar per ``x_names`` entry, one segment per series."""
    if not any(v for _, values in series for v in values):
        return _no_data(code, title, labels)
    parts = _open(code, title)
    totals = [sum(vals[i] for _, vals in series) for i in range(len(x_names))]
    top = _nice_max(max(totals, default=0))
    _legend(parts, [(name, PALETTE[i % len(PALETTE)], False) for i, (name, _) in enumerate(series)])
    _y_axis(parts, top, _count_ticks(labels, top), y_label)
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    n = max(len(x_names), 1)
    slot = plot_w / n
    centres = [LEFT + slot * (i + 0.5) for i in range(len(x_names))]
    for i, x in enumerate(centres):
        base = float(H - BOTTOM)
        for s, (name, values) in enumerate(series):
            h = plot_h * values[i] / top
            if h <= 0:
                continue
            base -= h
            parts.append(
                f'<rect class="bar" x="{x - slot * 0.3:.1f}" y="{base:.1f}" width="{slot * 0.6:.1f}" '
                f'height="{h:.1f}" fill="{PALETTE[s % len(PALETTE)]}"><title>{_t(x_names[i])} · {_t(name)}: '
                f"{_t(labels.number(values[i]))}</title></rect>"
            )
    _x_labels(parts, centres, x_names, x_label)
    parts.append("</svg>")
    return "\n".join(parts)


def hbar_chart(
    labels: ReportLabels,
    names: Sequence[str],
    series: Sequence[tuple[str, Sequence[Decimal | None]]],
    *,
    title: str,
    x_label: str,
    code: str = "comparison",
) -> str:
    """Grouped horizontal bars of rates, one group per name (dealers), one bar per series."""
    if all(v is None for _, values in series for v in values):
        return _no_data(code, title, labels)
    row_h = 14 * max(len(series), 1) + 12
    height = TOP + 30 + row_h * max(len(names), 1) + 50
    left = 190
    parts = _open(code, title, height)
    _legend(parts, [(name, PALETTE[i % len(PALETTE)], False) for i, (name, _) in enumerate(series)])
    plot_w = W - left - 40
    y0 = TOP + 24
    bottom = y0 + row_h * len(names)
    for i in range(6):
        x = left + plot_w * i / 5
        parts.append(f'<line x1="{x:.1f}" y1="{y0}" x2="{x:.1f}" y2="{bottom}" stroke="#e3e3e3"/>')
        parts.append(f'<text class="tick" x="{x:.1f}" y="{bottom + 16}" text-anchor="middle" font-size="12">'
                     f"{_t(labels.percent(Decimal(i) / 5))}</text>")  # fmt: skip
    for g, name in enumerate(names):
        top = y0 + row_h * g + 6
        short = name if len(name) <= 14 else name[:13] + "…"
        parts.append(f'<text class="tick y-tick" x="{left - 8}" y="{top + row_h / 2:.1f}" text-anchor="end" '
                     f'font-size="12"><title>{_t(name)}</title>{_t(short)}</text>')  # fmt: skip
        for s, (sname, values) in enumerate(series):
            v = values[g]
            if v is None:
                continue
            parts.append(
                f'<rect class="bar" x="{left}" y="{top + 14 * s:.1f}" width="{plot_w * float(v):.1f}" '
                f'height="12" fill="{PALETTE[s % len(PALETTE)]}"><title>{_t(name)} · {_t(sname)}: '
                f"{_t(labels.percent(v))}</title></rect>"
            )
    parts.append(f'<text class="axis-label" x="{left + plot_w / 2:.1f}" y="{bottom + 38}" '
                 f'text-anchor="middle" font-size="13">{_t(x_label)}</text>')  # fmt: skip
    parts.append("</svg>")
    return "\n".join(parts)
