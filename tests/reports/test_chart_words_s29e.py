"""A chart of nothing says "no data" in the reader's words instead of drawing bare axes; a figure in an
HTML table cell is never split from its unit (session 29, e). The browser checks are in
test_browser_fit_s29e.py; these run without Chromium."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aftersales.reports import report_labels
from aftersales.reports.charts import bar_chart, hbar_chart, line_chart, pareto_chart
from aftersales.reports.html import _kept_together

WORDS = {"zh_Hans": "本期间无数据", "zh_Hant": "本期間無資料", "en": "No data for this period"}


def _charts(locale: str) -> dict[str, str]:
    labels = report_labels(locale)
    words = {"title": "T", "x_label": "X", "y_label": "Y"}
    return {
        "pareto": pareto_chart(labels, [], [], [], y2_label="Y2", line_label="L", bar_label="B",
                               cumulative_label="C", **words),
        "line": line_chart(labels, ["2026-01", "2026-02"], [("rate", [None, None])], **words),
        "bars": bar_chart(labels, ["w1", "w2"], [("high", [0, 0])], **words),
        "hbars": hbar_chart(labels, ["d1"], [("rate", [None])], title="T", x_label="X"),
    }  # fmt: skip


@pytest.mark.parametrize("locale", sorted(WORDS))
def test_a_chart_of_nothing_says_so_without_axes(locale: str) -> None:
    for code, svg in _charts(locale).items():
        assert 'class="no-data"' in svg and WORDS[locale] in svg, code
        assert "axis-label" not in svg and 'class="tick"' not in svg, code


def test_a_chart_with_something_draws_it() -> None:
    svg = pareto_chart(report_labels("en"), ["leak"], [3], [Decimal(1)], title="T", x_label="X", y_label="Y",
                       y2_label="Y2", line_label="L", bar_label="B", cumulative_label="C")  # fmt: skip
    assert "no-data" not in svg and 'class="bar"' in svg


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("13 hours 50 minutes", "13\u00a0hours 50\u00a0minutes"),
        ("88.9% ✗", "88.9%\u00a0✗"),
        ("1,234", "1,234"),
        ("13小时50分钟", "13小时50分钟"),
    ],
)
def test_a_figure_is_bound_to_its_unit(text: str, kept: str) -> None:
    assert _kept_together(text) == kept
